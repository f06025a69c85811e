"""Submissions move through their states by compare-and-set, so a double click or a second
reviewer cannot apply a step twice. Accepting one publishes what it covers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parliaments import selectors
from parliaments.models import (
    Action,
    PlanOfAction,
    PublicationChange,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)
from parliaments.services.contents import submission_contents
from parliaments.services.notifications import submission_notify
from parliaments.services.publication import publication_announce, publish_parliament


class InvalidTransition(Exception):
    """The submission is not in a state that allows this step (e.g. already reviewed)."""


@transaction.atomic
def submission_open(*, parliament, cycle):
    """Open the parliament's report for `cycle`: (submission, created). Opening twice
    gives the same submission; the web page and the API both open through here."""
    return Submission.objects.get_or_create(parliament=parliament, cycle=cycle)


def submission_for(parliament, cycle):
    submission, _created = submission_open(parliament=parliament, cycle=cycle)
    return submission


def _summary(parliament, cycle):
    plan, actions, updates = submission_contents(parliament, cycle)
    return {
        "plan": {"uid": str(plan.uid), "title": plan.title, "version": plan.version}
        if plan
        else None,
        "actions": [
            {"uid": str(uid), "title": title, "version": version}
            for uid, title, version in actions.values_list("uid", "title", "version")
        ],
        "progress_updates": updates.count(),
    }


def _transition(submission, allowed, **changes):
    """Compare-and-set the status; refuse when another request moved it first."""
    updated = Submission.objects.filter(pk=submission.pk, status__in=allowed).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        submission.refresh_from_db()
        raise InvalidTransition(
            _("This submission is now “%(status)s”; the step was not applied.")
            % {"status": submission.get_status_display()}
        )
    submission.refresh_from_db()
    submission._history_user = changes.get("submitted_by") or changes.get("reviewed_by")
    # The queryset update bypasses save(); record the step in the history explicitly.
    submission.save(update_fields=["updated_at"])


SUBMIT_NOTE_MAX_LENGTH = 2000


def _record_event(submission, kind, actor, text="", at=None):
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        round=submission.round,
        actor=actor,
        at=at or timezone.now(),
        text=text.strip(),
    )


@transaction.atomic
def submission_submit(*, actor, submission, note=""):
    """Send the parliament's report for the cycle to the secretariat (focal point only),
    with an optional cover note. A returned or accepted submission can be sent again as a
    new round (a resubmission); timeliness stays measured from the first submission."""
    if len(note) > SUBMIT_NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("At most %(max)s characters.") % {"max": SUBMIT_NOTE_MAX_LENGTH}}
        )
    if not selectors.reports_in(submission.parliament, submission.cycle):
        raise ValidationError(
            _("%(parliament)s does not report in this cycle; the secretariat lists who does.")
            % {"parliament": submission.parliament.name}
        )
    plan, _actions, _updates = submission_contents(submission.parliament, submission.cycle)
    if plan is None:
        raise ValidationError(_("Create the plan of action before submitting."))
    now = timezone.now()
    _transition(
        submission,
        [Submission.Status.DRAFT, Submission.Status.RETURNED, Submission.Status.ACCEPTED],
        status=Submission.Status.SUBMITTED,
        round=F("round") + 1,
        submitted_at=now,
        submitted_by=actor,
        summary=_summary(submission.parliament, submission.cycle),
    )
    if submission.first_submitted_at is None:
        Submission.objects.filter(pk=submission.pk).update(first_submitted_at=now)
        submission.first_submitted_at = now
    kind = (
        SubmissionEvent.Kind.RESUBMITTED if submission.round > 1 else SubmissionEvent.Kind.SUBMITTED
    )
    event = _record_event(submission, kind, actor, note, at=now)
    submission_notify(submission, event)
    return submission


@transaction.atomic
def submission_return(*, actor, submission, comment, item_comments=()):
    """Return a submitted report with comments; `item_comments` holds (plan or action,
    text) pairs shown beside those items."""
    if not comment.strip() and not any(text.strip() for _item, text in item_comments):
        raise ValidationError({"comment": _("Say what needs to change before returning it.")})
    _transition(
        submission,
        [Submission.Status.SUBMITTED],
        status=Submission.Status.RETURNED,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        review_comment=comment,
        assigned_to=None,
        assigned_at=None,
    )
    event = _record_event(submission, SubmissionEvent.Kind.RETURNED, actor, comment)
    for item, text in item_comments:
        if not text.strip():
            continue
        SubmissionComment.objects.create(
            submission=submission,
            round=submission.round,
            action=item if isinstance(item, Action) else None,
            plan=item if isinstance(item, PlanOfAction) else None,
            body=text.strip(),
            author=actor,
        )
    submission_notify(submission, event)
    return submission


@transaction.atomic
def submission_accept(*, actor, submission, comment=""):
    """Accept a submitted report and publish what it covers."""
    _transition(
        submission,
        [Submission.Status.SUBMITTED],
        status=Submission.Status.ACCEPTED,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        review_comment=comment,
        assigned_to=None,
        assigned_at=None,
    )
    event = _record_event(submission, SubmissionEvent.Kind.ACCEPTED, actor, comment)
    publish_parliament(submission.parliament, submission.cycle)
    # After what it published, so a partner replaying the feed has the records first.
    publication_announce(
        PublicationChange.Kind.SUBMISSION, submission.uid, parliament=submission.parliament
    )
    submission_notify(submission, event)
    return submission


class AlreadyTaken(Exception):
    """Another reviewer took the submission first."""


def submission_take(*, actor, submission, take_over=False):
    """The reviewer `actor` takes a submission waiting for review, by compare-and-set: two
    reviewers clicking at once cannot both have it. `take_over` takes it from another
    reviewer (who is away, say); otherwise a submission someone else holds is refused."""
    waiting = Submission.objects.filter(pk=submission.pk, status=Submission.Status.SUBMITTED)
    if not take_over:
        waiting = waiting.filter(Q(assigned_to__isnull=True) | Q(assigned_to=actor))
    updated = waiting.update(assigned_to=actor, assigned_at=timezone.now())
    submission.refresh_from_db()
    if not updated:
        if submission.status != Submission.Status.SUBMITTED:
            raise InvalidTransition(
                _("This submission is now “%(status)s”; it is not waiting for review.")
                % {"status": submission.get_status_display()}
            )
        holder = submission.assigned_to
        raise AlreadyTaken(
            _("%(name)s took this submission first.")
            % {"name": holder.get_full_name() or holder.get_username()}
        )
    return submission


def submission_release(*, actor, submission):
    """Put a submission the reviewer holds back in the queue for anyone."""
    Submission.objects.filter(pk=submission.pk, assigned_to=actor).update(
        assigned_to=None, assigned_at=None
    )
    submission.refresh_from_db()
    return submission
