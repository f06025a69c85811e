"""Optimistic concurrency for edits. Edits carry the version the user started from. A save
from an older version is merged with what others saved meanwhile
(parliaments.concurrency.three_way) or refused."""

from parliaments.concurrency import Merged, StaleEdit, changes_since, three_way


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
