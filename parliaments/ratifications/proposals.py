"""A parliament reports its state's new status; the secretariat verifies it (the status is
updated from it and the parliament's ratification action credited) or says why it could
not. Each step is one transaction: a proposal is decided once, by whoever comes first.

Emails go through the outbox: the secretariat is told of a new proposal, the parliament's
staff of the decision."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parliaments.ratifications.models import Ratification, RatificationProposal

State = RatificationProposal.State


class AlreadyDecided(Exception):
    """Someone else verified or declined the proposal first."""


def ratification_actions(parliament, instrument=None):
    """The parliament's own ratification actions (working copies), for one instrument or
    all: the ones a proposal can be credited to."""
    from parliaments.models import Action, ActionType

    queryset = Action.objects.drafts().filter(
        parliament=parliament, action_type=ActionType.RATIFICATION, instrument__isnull=False
    )
    if instrument is not None:
        queryset = queryset.filter(instrument=instrument)
    return queryset.select_related("instrument").order_by("instrument__code", "title")


def _link_the_only_action(proposal):
    """A proposal that names no action is linked to the parliament's ratification action
    for the instrument when it has exactly one."""
    if proposal.action_id is None:
        candidates = list(ratification_actions(proposal.parliament, proposal.instrument)[:2])
        if len(candidates) == 1:
            proposal.action = candidates[0]


@transaction.atomic
def propose(proposal, actor):
    """Save a new proposal (validated by the form or full_clean), linking the parliament's
    only ratification action for the instrument when none was chosen; tell the
    secretariat. A second pending proposal for the same instrument is refused."""
    _link_the_only_action(proposal)
    proposal.proposed_by = actor
    proposal._history_user = actor
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as error:
        raise ValidationError(
            {"instrument": _("A proposal on this instrument is already waiting for verification.")}
        ) from error
    _notify(proposal, "proposed")
    return proposal


@transaction.atomic
def verify(proposal_id, actor):
    """Apply a pending proposal to the state's status: the parliament's word, checked
    against its source by the secretariat, as of today. Returns the Ratification."""
    proposal = _pending(proposal_id)
    _link_the_only_action(proposal)
    now = timezone.now()
    row = (
        Ratification.objects.select_for_update()
        .filter(parliament=proposal.parliament, instrument=proposal.instrument)
        .first()
    ) or Ratification(parliament=proposal.parliament, instrument=proposal.instrument)
    row.status = proposal.status
    row.date = proposal.date
    row.date_kind = proposal.date_kind
    row.date_precision = Ratification.Precision.DAY
    row.source = proposal.source
    row.as_of = timezone.localdate()
    row.quality = Ratification.Quality.VERIFIED
    row.note = proposal.note
    row.recorded_by = proposal.proposed_by
    row.verified_by = actor
    row.verified_at = now
    if proposal.action_id:
        row.credited_action = proposal.action
    row._history_user = actor
    row.save()
    proposal.state = State.VERIFIED
    proposal.decided_by, proposal.decided_at = actor, now
    proposal._history_user = actor
    proposal.save()
    record_changes([row])
    _notify(proposal, "verified")
    return row


@transaction.atomic
def decline(proposal_id, actor, reason):
    """Close a pending proposal without changing the status, with the reason the
    parliament will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the parliament can correct it.")})
    proposal = _pending(proposal_id)
    proposal.state = State.REJECTED
    proposal.reason = reason
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal._history_user = actor
    proposal.save()
    _notify(proposal, "declined")
    return proposal


def _pending(proposal_id):
    proposal = (
        RatificationProposal.objects.select_for_update(of=("self",))
        .select_related("parliament", "instrument", "action", "proposed_by")
        .get(pk=proposal_id)
    )
    if proposal.state != State.PENDING:
        raise AlreadyDecided
    return proposal


def record_changes(rows):
    """One changes-feed entry per status written, for partners who sync."""
    from parliaments.models import PublicationChange

    PublicationChange.objects.bulk_create(
        PublicationChange(
            kind=PublicationChange.Kind.RATIFICATION,
            uid=row.uid,
            parliament_id=row.parliament_id,
            operation=PublicationChange.Operation.UPSERT,
        )
        for row in rows
    )


SUBJECTS = {
    "proposed": gettext_noop("%(parliament)s reports a new status for %(instrument)s"),
    "verified": gettext_noop("%(parliament)s — %(instrument)s: your report was verified"),
    "declined": gettext_noop("%(parliament)s — %(instrument)s: your report could not be verified"),
}


def _notify(proposal, step):
    """Queue the emails of a step: the secretariat for a new proposal, the parliament's
    staff for a decision."""
    from parliaments.models import PARLIAMENT_ROLES, OutboxMessage, Role
    from parliaments.services.notifications import site_url
    from parliaments.services.outbox import outbox_email

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if step == "proposed":
        recipients = users.filter(profile__role=Role.SECRETARIAT)
        link = reverse("parliaments:ratification_proposal", args=[proposal.pk])
    else:
        recipients = users.filter(
            profile__parliament=proposal.parliament, profile__role__in=PARLIAMENT_ROLES
        )
        link = reverse("parliaments:ratification_status")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "step": step,
            "parliament": proposal.parliament.name,
            "instrument": proposal.instrument.code,
            "instrument_name": proposal.instrument.name,
            "proposal": proposal,
            "url": site_url(link),
        }
        subject = _(SUBJECTS[step]) % context
        context["subject"] = subject
        text = render_to_string("emails/ratification_proposal.txt", context)
    for email in recipients.values_list("email", flat=True).distinct():
        outbox_email(
            kind=OutboxMessage.Kind.RATIFICATION,
            to=email,
            subject=subject,
            text=text,
            dedupe_key=f"ratification-proposal:{proposal.pk}:{step}:{email}",
            context={"ratification_proposal": proposal.pk},
        )
