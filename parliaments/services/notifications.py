"""Emails about submission steps, sent by a task after the step commits."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from parliaments.models import PARLIAMENT_ROLES, Role, SubmissionEvent

logger = logging.getLogger(__name__)


def _notify_on_commit(submission, event):
    from parliaments.tasks import notify_submission_event

    notify_submission_event.delay_on_commit(submission.pk, event)


def _latest_text(submission, event):
    """The words that go with this step: the focal point's cover note on a submission,
    the secretariat's comment on a review."""
    kinds = {
        "submitted": [SubmissionEvent.Kind.SUBMITTED, SubmissionEvent.Kind.RESUBMITTED],
        "returned": [SubmissionEvent.Kind.RETURNED],
        "accepted": [SubmissionEvent.Kind.ACCEPTED],
    }[event]
    latest = submission.events.filter(kind__in=kinds).order_by("-at", "-id").first()
    return latest.text if latest else ""


def submission_notify(submission, event):
    """Email the people a submission step concerns: the secretariat when one arrives, the
    parliament's focal point and editors when it is returned or accepted."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if event == "submitted":
        recipients = users.filter(profile__role=Role.SECRETARIAT)
        subject = _("%(parliament)s submitted its report for %(cycle)s")
        link = reverse("parliaments:review_detail", args=[submission.pk])
    else:
        recipients = users.filter(
            profile__parliament=submission.parliament, profile__role__in=PARLIAMENT_ROLES
        )
        subject = (
            _("Your report for %(cycle)s was returned with comments")
            if event == "returned"
            else _("Your report for %(cycle)s was accepted and published")
        )
        link = reverse("parliaments:submission", args=[submission.cycle.code])
    subject = subject % {
        "parliament": submission.parliament.name,
        "cycle": submission.cycle.localized_title,
    }
    body = "\n\n".join(
        part
        for part in (
            subject + ".",
            _latest_text(submission, event),
            _("Open it here: %(url)s") % {"url": settings.SITE_URL.rstrip("/") + link},
        )
        if part
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in recipients]
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    logger.info("submission %s %s: %s emails", submission.pk, event, sent)
    return sent
