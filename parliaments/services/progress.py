"""Writes to progress updates and their evidence."""

from django.db import transaction

from parliaments.models import Action, Evidence, ProgressUpdate
from parliaments.services.versions import _save


@transaction.atomic
def progress_update_create(*, actor, action, files=(), links=(), files_public=False, **data):
    """Record progress on `action` with evidence files (already validated) and links.
    `files_public`: anyone may open the files once published (otherwise the public sees
    their titles only). The action's completion follows the latest update."""
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
            is_public=files_public,
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
