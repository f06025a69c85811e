"""Writes to actions: create, edit (with merge), star as a good practice, delete."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compact_tracker import pagecache
from parliaments.models import Action, PublicationChange
from parliaments.services.versions import _lock_and_merge, _lock_at_version, _save
from parliaments.signals import rows_updated


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
    # A queryset update sends no signal; the star shows on the draft and the published copy.
    pagecache.changed(
        pagecache.PUBLISHED, pagecache.DRAFTS, pagecache.drafts_of(action.parliament_id)
    )
    rows_updated.send(sender=Action, parliament_ids=[action.parliament_id])
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
