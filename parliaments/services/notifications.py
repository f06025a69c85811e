"""Emails about submission steps. Each step writes one outbox row per recipient in its own
transaction, with the content of that step (its event's actor, time and text, and the item
comments of a return) fixed there and then, so a delayed email never carries a later
comment. The outbox hands them to the mail server after the commit (services/outbox.py)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parliaments.models import PARLIAMENT_ROLES, OutboxMessage, Role, SubmissionComment
from parliaments.services.outbox import outbox_email

logger = logging.getLogger(__name__)


def cycle_label(cycle):
    """“Progress report to the IPU (2021)”: the cycle's title with its year."""
    title = cycle.localized_title
    year = str(cycle.due_date.year)
    return title if year in title else f"{title} ({year})"


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def _item_comments(submission, event):
    comments = (
        SubmissionComment.objects.filter(submission=submission, round=event.round)
        .select_related("action", "plan")
        .order_by("created_at", "id")
    )
    items = []
    for comment in comments:
        if comment.action_id:
            item = _("Action “%(title)s”") % {"title": comment.action.title}
        else:
            item = _("Plan of action “%(title)s”") % {"title": comment.plan.title}
        items.append({"item": item, "text": comment.body})
    return items


SUBJECTS = {
    "submitted": gettext_noop("%(parliament)s — %(cycle)s: submitted for review"),
    "returned": gettext_noop("%(parliament)s — %(cycle)s: returned with comments"),
    "accepted": gettext_noop("%(parliament)s — %(cycle)s: accepted and published"),
}


def submission_notify(submission, event):
    """Queue the emails a submission step concerns, inside the step's transaction: the
    secretariat when a report arrives, the parliament's focal point and editors when it
    is returned or accepted. `event` is the step's SubmissionEvent. Returns the rows."""
    step = {"resubmitted": "submitted"}.get(event.kind, event.kind)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if step == "submitted":
        recipients = users.filter(profile__role=Role.SECRETARIAT)
        link = reverse("parliaments:review_detail", args=[submission.pk])
    else:
        recipients = users.filter(
            profile__parliament=submission.parliament, profile__role__in=PARLIAMENT_ROLES
        )
        link = reverse("parliaments:submission", args=[submission.cycle.code])
    # One language for everyone: no recipient has a language preference yet.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "step": step,
            "resubmitted": event.kind == "resubmitted",
            "parliament": submission.parliament.name,
            "cycle": cycle_label(submission.cycle),
            "actor": event.actor_name,
            "at": event.at,
            "text": event.text,
            "round": event.round,
            "comments": _item_comments(submission, event) if step == "returned" else [],
            "url": site_url(link),
        }
        subject = _(SUBJECTS[step]) % context
        context["subject"] = subject
        text = render_to_string("emails/submission_step.txt", context)
        html = render_to_string("emails/submission_step.html", context)
    rows = [
        outbox_email(
            kind=OutboxMessage.Kind(step),
            to=email,
            subject=subject,
            text=text,
            html=html,
            dedupe_key=f"submission-event:{event.pk}:{email}",
            context={"submission": submission.pk, "event": event.pk},
        )
        for email in recipients.values_list("email", flat=True).distinct()
    ]
    logger.info("submission %s %s: %s emails queued", submission.pk, step, len(rows))
    return rows
