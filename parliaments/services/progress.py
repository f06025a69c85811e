"""Writes to progress updates and their evidence: record, correct and delete drafts. A
published progress update changes only at the next acceptance, as an action does: its
draft is what staff correct."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parliaments.models import Action, Evidence, ProgressUpdate
from parliaments.services.versions import _lock_and_merge, _lock_at_version, _save


@transaction.atomic
def progress_update_create(*, actor, action, files=(), links=(), files_public=False, **data):
    """Record progress on `action` with evidence files (already validated) and links.
    `files_public`: anyone may open the files once published (otherwise the public sees
    their titles only). The action's completion follows the latest update."""
    update = ProgressUpdate(action=action, parliament_id=action.parliament_id, author=actor, **data)
    _save(update, actor)
    _add_evidence(actor, update, files, links, files_public)
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


def _add_evidence(actor, update, files, links, files_public):
    for upload in files:
        evidence = Evidence(
            progress_update=update,
            file=upload,
            title=getattr(upload, "evidence_title", "") or upload.name,
            original_name=upload.name[:255],
            content_type=getattr(upload, "detected_content_type", ""),
            size=upload.size,
            is_public=files_public,
        )
        _save(evidence, actor)
    for title, url in links:
        _save(Evidence(progress_update=update, url=url, title=title), actor)


def _follow_latest(actor, action_id):
    """The action's completion follows its latest draft progress update (it stays as it
    is when none is left)."""
    latest = (
        ProgressUpdate.objects.filter(action_id=action_id, is_published_copy=False)
        .order_by("-date", "-created_at")
        .first()
    )
    if latest is None:
        return
    locked = Action.objects.select_for_update().get(pk=action_id)
    if locked.completion != latest.completion:
        locked.completion = latest.completion
        locked.version += 1
        locked._history_user = actor
        locked.save()


def _draft_only(update):
    if update.is_published_copy:
        raise ValidationError(_("A published progress update is corrected through its draft."))


EDITABLE_FIELDS = (
    "date",
    "cycle",
    "completion",
    "narrative",
    "language",
    *ProgressUpdate.narrative_in.fields,  # the narrative's translations
)


@transaction.atomic
def progress_update_update(
    *,
    actor,
    update,
    expected_version,
    merge=False,
    files=(),
    links=(),
    files_public=False,
    remove_evidence=(),
    **data,
):
    """Correct a draft progress update (date, cycle, completion, narrative) if nobody saved
    it since `expected_version` (or merge, as for actions), add evidence files and links
    to it and remove some of its evidence (`remove_evidence`: its Evidence rows); the
    action's completion follows the latest update. History keeps every version."""
    _draft_only(update)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    update, changes, merged = _lock_and_merge(
        ProgressUpdate, update, expected_version, data, merge=merge
    )
    update.merged = merged
    gone = list(
        update.evidence.filter(
            is_published_copy=False, pk__in=[evidence.pk for evidence in remove_evidence]
        )
    )
    if len(gone) != len(remove_evidence):
        raise ValidationError(
            {"remove_evidence": _("Only this update's own evidence can be removed.")}
        )
    evidence_changed = bool(files or links or gone)
    if merged is not None and not changes and not evidence_changed:
        return update
    for evidence in gone:
        evidence._history_user = actor
        evidence.delete()
    _add_evidence(actor, update, files, links, files_public)
    for name, value in changes.items():
        setattr(update, name, value)
    update.version += 1
    update._history_user = actor
    update.full_clean()
    update.save()
    _follow_latest(actor, update.action_id)
    return update


@transaction.atomic
def progress_update_delete(*, actor, update, expected_version):
    """Delete a draft progress update and its evidence; the published copy, if any, goes
    at the next acceptance. The action's completion follows the latest update left."""
    _draft_only(update)
    update = _lock_at_version(ProgressUpdate, update, expected_version)
    action_id = update.action_id
    update._history_user = actor
    for evidence in update.evidence.all():
        evidence._history_user = actor
        evidence.delete()
    update.delete()
    _follow_latest(actor, action_id)
