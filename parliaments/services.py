"""Writes to who acts and what they did. Every write runs in a transaction; edits check the
version the user started from (optimistic concurrency); submissions move through their
states by compare-and-set, so a double click or a second reviewer cannot apply a step
twice. Views, the API, the spreadsheet import and tasks all call these functions."""

import csv
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compact_tracker import pagecache
from compact_tracker.refdata import sync_reference_rows
from parliaments.concurrency import Merged, StaleEdit, changes_since, three_way
from parliaments.models import (
    PARLIAMENT_ROLES,
    Action,
    Completion,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    PublicationChange,
    Role,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"


# --- Reference data ----------------------------------------------------------------------


def _parliament_rows():
    import pycountry

    with open(DATA_DIR / "ipu-members-evidence.csv", newline="", encoding="utf-8") as handle:
        evidence = {row["iso3166_alpha2"]: row for row in csv.DictReader(handle)}
    with open(DATA_DIR / "ipu-members.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            extra = evidence.get(row["iso3166_alpha2"], {})
            yield {
                "iso2": row["iso3166_alpha2"],
                "iso3": row["iso3166_alpha3"],
                "iso_numeric": getattr(
                    pycountry.countries.get(alpha_2=row["iso3166_alpha2"]), "numeric", ""
                ),
                "name": row["country_name"],
                "region": row["region"].strip().lower(),
                "structure": row["structure"].strip().lower(),
                "subregion": extra.get("m49_subregion", ""),
                "membership_evidence": extra.get("evidence_level", ""),
                "is_ipu_member": True,
            }


@transaction.atomic
def parliaments_reference_load():
    """Load the 180 IPU member parliaments (reference/ipu-members.csv). Idempotent; keeps
    fields the secretariat edited in the admin. Returns one SyncResult."""
    return [sync_reference_rows(Parliament, key="iso2", rows=list(_parliament_rows()))]


# --- Optimistic concurrency ------------------------------------------------------------
# Edits carry the version the user started from. A save from an older version is merged
# with what others saved meanwhile (parliaments.concurrency.three_way) or refused.


def _lock_at_version(model, obj, expected_version):
    """Lock the row; raise StaleEdit when someone saved it after `expected_version`."""
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and locked.version != int(expected_version):
        changes, who, when = changes_since(locked, int(expected_version))
        raise StaleEdit(locked, int(expected_version), changes, who, when)
    return locked


def merge_preview(obj, *, base_version, sent):
    """What saving `sent` (field name → value) from `base_version` would do to `obj` now:
    a concurrency.Merge with the caller's own changes, the conflicts and what others
    changed. Nothing is locked or written."""
    return three_way(obj, int(base_version), sent)


def _lock_and_merge(model, obj, expected_version, sent, *, merge):
    """Lock the row and work out what to write of `sent`: (locked row, changes, Merged or
    None). From the current version, everything sent. From an older one, with `merge`,
    only the caller's own changes, unless one collides with someone else's; without
    `merge`, or on a collision, raise StaleEdit (with the conflicts) and write nothing."""
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is None or locked.version == int(expected_version):
        return locked, dict(sent), None
    result = three_way(locked, int(expected_version), sent)
    if result.conflicts or not merge:
        raise result.stale(locked, int(expected_version))
    return locked, result.apply, Merged(result.changes, result.changed_by, result.changed_at)


def _save(obj, actor, **kwargs):
    obj._history_user = actor
    obj.full_clean(exclude=kwargs.pop("exclude", None))
    obj.save()


# --- Plans of action --------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, parliament, **data):
    """Create a plan for `parliament`; it becomes the current plan."""
    PlanOfAction.objects.filter(
        parliament=parliament, is_current=True, is_published_copy=False
    ).update(is_current=False)
    plan = PlanOfAction(parliament=parliament, is_current=True, **data)
    _save(plan, actor)
    return plan


@transaction.atomic
def plan_update(*, actor, plan, expected_version, merge=False, **data):
    """Apply `data` to the plan if nobody saved it since `expected_version`. Otherwise, with
    `merge`, apply only the fields the caller changed on top of the current plan and set
    `plan.merged` to what others changed; a field both changed differently raises
    StaleEdit with the conflicts, and nothing is written."""
    plan, changes, merged = _lock_and_merge(PlanOfAction, plan, expected_version, data, merge=merge)
    plan.merged = merged
    if merged is not None and not changes:
        return plan  # nothing of the caller's to add to what is there
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.version += 1  # the row is locked: no one else can bump it meanwhile
    _save(plan, actor)
    return plan


# --- Actions ---------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, actor, plan, commitments, objectives, **data):
    """Add an action to `plan`, linked to at least one commitment and one objective."""
    if not commitments:
        raise ValidationError({"commitments": _("Link at least one Rabat commitment.")})
    if not objectives:
        raise ValidationError({"objectives": _("Link at least one GCM objective.")})
    action = Action(plan=plan, parliament_id=plan.parliament_id, **data)
    _save(action, actor)
    action.commitments.set(commitments)
    action.objectives.set(objectives)
    return action


@transaction.atomic
def action_update(
    *, actor, action, expected_version, commitments=None, objectives=None, merge=False, **data
):
    """Apply `data` (and new links, when given) if nobody saved the action since
    `expected_version`. Otherwise, with `merge`, apply only the fields the caller changed
    on top of the current action and set `action.merged` to what others changed; without
    `merge`, or when a field both changed differently, raise StaleEdit (with the conflicts)
    and change nothing."""
    if commitments is not None and not commitments:
        raise ValidationError({"commitments": _("Link at least one Rabat commitment.")})
    if objectives is not None and not objectives:
        raise ValidationError({"objectives": _("Link at least one GCM objective.")})
    links = {"commitments": commitments, "objectives": objectives}
    sent = {**data, **{name: value for name, value in links.items() if value is not None}}
    action, changes, merged = _lock_and_merge(Action, action, expected_version, sent, merge=merge)
    action.merged = merged
    if merged is not None and not changes:
        return action
    links = {name: changes.pop(name) for name in list(links) if name in changes}
    for name, value in changes.items():
        setattr(action, name, value)
    action.version += 1
    action._history_user = actor
    action.full_clean()
    # Links first, so the history record written by save() holds the new links.
    for name, value in links.items():
        getattr(action, name).set(value)
    action.save()
    return action


@transaction.atomic
def action_set_good_practice(*, actor, action, value):
    """Star (or unstar) an action as a good practice: the secretariat's call. The star
    is written on the draft and, when it exists, on the published copy at once."""
    copy = Action.objects.filter(uid=action.uid, is_published_copy=True).first()
    Action.objects.filter(uid=action.uid).exclude(is_good_practice=value).update(
        is_good_practice=value, updated_at=timezone.now()
    )
    pagecache.changed()  # a queryset update sends no signal
    if copy is not None and copy.is_good_practice != value:
        PublicationChange.objects.create(
            kind=PublicationChange.Kind.ACTION,
            uid=copy.uid,
            parliament_id=copy.parliament_id,
            operation=PublicationChange.Operation.UPSERT,
        )
    action.refresh_from_db()
    return action


@transaction.atomic
def action_delete(*, actor, action, expected_version):
    action = _lock_at_version(Action, action, expected_version)
    action._history_user = actor
    action.delete()


# --- Progress and evidence ----------------------------------------------------------------


@transaction.atomic
def progress_update_create(*, actor, action, files=(), links=(), **data):
    """Record progress on `action` with evidence files (already validated) and links.
    The action's completion follows the latest update."""
    update = ProgressUpdate(action=action, parliament_id=action.parliament_id, author=actor, **data)
    _save(update, actor)
    for upload in files:
        evidence = Evidence(
            progress_update=update,
            file=upload,
            title=getattr(upload, "evidence_title", "") or upload.name,
            original_name=upload.name[:255],
            content_type=getattr(upload, "detected_content_type", ""),
            size=upload.size,
        )
        _save(evidence, actor)
    for title, url in links:
        _save(Evidence(progress_update=update, url=url, title=title), actor)
    latest = (
        ProgressUpdate.objects.filter(action=action, is_published_copy=False)
        .order_by("-date", "-created_at")
        .first()
    )
    if latest.pk == update.pk and action.completion != update.completion:
        locked = Action.objects.select_for_update().get(pk=action.pk)
        locked.completion = update.completion
        locked.version += 1
        locked._history_user = actor
        locked.save()
    return update


# --- Submissions -------------------------------------------------------------------------------


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


def submission_contents(parliament, cycle):
    """What a submission for `cycle` sends: the current plan, its actions, and the progress
    updates of this cycle and earlier ones. Each action carries `reported_completion`, the
    completion its progress in this report supports (the latest of those updates, or "not
    started" without any): that, not the draft's completion, is what gets published."""
    plan = PlanOfAction.objects.filter(
        parliament=parliament, is_current=True, is_published_copy=False
    ).first()
    actions = Action.objects.filter(parliament=parliament, is_published_copy=False)
    actions = actions.filter(plan=plan) if plan else actions.none()
    updates = ProgressUpdate.objects.filter(
        action__in=actions, is_published_copy=False, cycle__due_date__lte=cycle.due_date
    )
    latest = (
        ProgressUpdate.objects.filter(
            action=OuterRef("pk"), is_published_copy=False, cycle__due_date__lte=cycle.due_date
        )
        .order_by("-date", "-created_at")
        .values("completion")[:1]
    )
    actions = actions.annotate(
        reported_completion=Coalesce(Subquery(latest), Value(Completion.NOT_STARTED))
    )
    return plan, actions, updates


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
    SubmissionEvent.objects.create(
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
    _record_event(submission, kind, actor, note, at=now)
    _notify_on_commit(submission, "submitted")
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
    )
    _record_event(submission, SubmissionEvent.Kind.RETURNED, actor, comment)
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
    _notify_on_commit(submission, "returned")
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
    )
    _record_event(submission, SubmissionEvent.Kind.ACCEPTED, actor, comment)
    publish_parliament(submission.parliament, submission.cycle)
    _notify_on_commit(submission, "accepted")
    return submission


# --- Publication ---------------------------------------------------------------------------

_NOT_COPIED = {"id", "is_published_copy", "published_at", "published_version"}
# Bookkeeping that is not published content: a copy whose content is unchanged is left
# alone, so its `updated_at` keeps meaning "the published content last changed then".
_NOT_COMPARED = {"version", "created_at", "updated_at"}


def _comparable(value):
    return value.name if hasattr(value, "storage") else value  # a FieldFile by its name


def _publish_rows(model, drafts, existing_copies, *, parents=None, m2m=(), values=None, now):
    """Create or refresh the published copy of each draft, and remove the copies in
    `existing_copies` whose draft is gone. `parents` maps a foreign key to {draft pk:
    copy}; `values` maps a draft pk to field values published instead of the draft's.
    Only copies whose content differs are written, and only they (and removals) enter the
    changes feed. Returns {draft pk: copy}."""
    parents = parents or {}
    values = values or {}
    drafts = list(drafts)
    copies = {copy.uid: copy for copy in existing_copies}
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in _NOT_COPIED and not f.auto_created
    ]
    result, written = {}, []
    for draft in drafts:
        copy = copies.pop(draft.uid, None)
        wanted = {name: getattr(draft, name) for name in fields}
        wanted.update(values.get(draft.pk, {}))
        for fk, mapping in parents.items():
            wanted[f"{fk}_id"] = mapping[getattr(draft, f"{fk}_id")].pk
        links = {name: {item.pk for item in getattr(draft, name).all()} for name in m2m}
        if (
            copy is not None
            and all(
                _comparable(getattr(copy, name)) == _comparable(value)
                for name, value in wanted.items()
                if name not in _NOT_COMPARED
            )
            and all({item.pk for item in getattr(copy, name).all()} == links[name] for name in m2m)
        ):
            result[draft.pk] = copy
            continue
        copy = copy or model(is_published_copy=True)
        for name, value in wanted.items():
            setattr(copy, name, value)
        copy.published_at = now
        copy.published_version = draft.version
        copy.skip_history_when_saving = True
        copy.save()
        for name in m2m:
            getattr(copy, name).set(links[name])
        result[draft.pk] = copy
        written.append(copy)
    cascaded = _withdrawn_with(model, copies.values(), now)
    if copies:
        model.objects.filter(pk__in=[copy.pk for copy in copies.values()]).delete()
    model.objects.filter(pk__in=[draft.pk for draft in drafts]).update(
        published_at=now, published_version=F("version")
    )
    kind = CHANGE_KINDS.get(model)
    if kind:
        PublicationChange.objects.bulk_create(
            [
                PublicationChange(
                    kind=kind,
                    uid=copy.uid,
                    parliament_id=copy.parliament_id,
                    operation="upsert",
                    at=now,
                )
                for copy in written
            ]
            + [
                PublicationChange(
                    kind=kind,
                    uid=gone.uid,
                    parliament_id=gone.parliament_id,
                    operation="delete",
                    at=now,
                )
                for gone in copies.values()
            ]
            + cascaded
        )
    return result


def _withdrawn_with(model, gone, now):
    """Tombstones for the published progress updates that go with withdrawn actions (they
    are deleted by cascade), so that a partner replaying the changes feed drops them too."""
    if model is not Action or not gone:
        return []
    return [
        PublicationChange(
            kind=PublicationChange.Kind.PROGRESS_UPDATE,
            uid=uid,
            parliament_id=parliament_id,
            operation=PublicationChange.Operation.DELETE,
            at=now,
        )
        for uid, parliament_id in ProgressUpdate.objects.filter(
            action__in=[copy.pk for copy in gone], is_published_copy=True
        ).values_list("uid", "parliament_id")
    ]


CHANGE_KINDS = {
    PlanOfAction: PublicationChange.Kind.PLAN,
    Action: PublicationChange.Kind.ACTION,
    ProgressUpdate: PublicationChange.Kind.PROGRESS_UPDATE,
}


def publish_parliament(parliament, cycle):
    """Publish the parliament's current plan, its actions, and their progress updates and
    evidence up to `cycle`: copy them into the published rows the public reads. Published
    rows of the same plan whose draft was deleted are removed."""
    now = timezone.now()
    plan, actions, updates = submission_contents(parliament, cycle)
    in_scope = {"is_published_copy": True}
    due = cycle.due_date

    replaced = PlanOfAction.objects.filter(
        parliament=parliament, is_published_copy=True, is_current=True
    ).exclude(uid=plan.uid)
    PublicationChange.objects.bulk_create(
        PublicationChange(
            kind=PublicationChange.Kind.PLAN,
            uid=uid,
            parliament=parliament,
            operation=PublicationChange.Operation.UPSERT,
            at=now,
        )
        for uid in replaced.values_list("uid", flat=True)
    )
    replaced.update(is_current=False, updated_at=now)
    plans = _publish_rows(
        PlanOfAction, [plan], PlanOfAction.objects.filter(uid=plan.uid, **in_scope), now=now
    )
    actions = list(actions.prefetch_related("commitments", "objectives"))
    actions = _publish_rows(
        Action,
        actions,
        Action.objects.filter(plan__uid=plan.uid, **in_scope).prefetch_related(
            "commitments", "objectives"
        ),
        parents={"plan": plans},
        m2m=("commitments", "objectives"),
        values={action.pk: {"completion": action.reported_completion} for action in actions},
        now=now,
    )
    updates_copied = _publish_rows(
        ProgressUpdate,
        updates,
        ProgressUpdate.objects.filter(
            action__plan__uid=plan.uid, cycle__due_date__lte=due, **in_scope
        ),
        parents={"action": actions},
        now=now,
    )
    _publish_rows(
        Evidence,
        Evidence.objects.filter(progress_update__in=updates, is_published_copy=False),
        Evidence.objects.filter(
            progress_update__action__plan__uid=plan.uid,
            progress_update__cycle__due_date__lte=due,
            **in_scope,
        ),
        parents={"progress_update": updates_copied},
        now=now,
    )


# --- Notifications ------------------------------------------------------------------------------


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


# --- People --------------------------------------------------------------------------------------


@transaction.atomic
def person_invite(*, actor, email, first_name, last_name, role, parliament=None):
    """Create an account with no usable password and email a link to set one. The link
    is Django's password-reset link, valid for PASSWORD_RESET_TIMEOUT."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from parliaments.models import Profile

    user = get_user_model()(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    Profile.objects.create(user=user, role=role, parliament=parliament)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    where = f" ({parliament.name})" if parliament else ""
    subject = _("You are invited to Compact Tracker")
    body = _(
        "%(inviter)s invited you to Compact Tracker as %(role)s%(where)s.\n\n"
        "Choose your password here (the link works for 7 days):\n%(link)s\n\n"
        "Your user name is %(username)s."
    ) % {
        "inviter": actor.get_full_name() or actor.get_username(),
        "role": Role(role).label,
        "where": where,
        "link": link,
        "username": user.username,
    }
    transaction.on_commit(
        lambda: send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [email])])
    )
    return user


# --- API tokens ------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user, name):
    """A new personal token for `user`. Returns (token, key); the key is not stored and
    cannot be shown again."""
    from compact_tracker.api import hash_key, new_token_key
    from parliaments.models import ApiToken

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that uses it.")})
    key = new_token_key()
    token = ApiToken(user=user, name=name[:100], prefix=key[:8], key_hash=hash_key(key))
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id):
    """Revoke one of `user`'s own tokens; other people's tokens are not found."""
    from parliaments.models import ApiToken

    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(updated)
