"""Writes to plans of action."""

from django.db import transaction

from parliaments.models import PlanOfAction
from parliaments.services.versions import _lock_and_merge, _save


@transaction.atomic
def plan_create(*, actor, parliament, **data):
    """Create a plan for `parliament`; it becomes the current plan."""
    PlanOfAction.objects.filter(
        parliament=parliament, is_current=True, is_published_copy=False
    ).update(is_current=False)
    plan = PlanOfAction(parliament=parliament, is_current=True, **data)
    _note_document(plan)
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
    _note_document(plan)
    _save(plan, actor)
    return plan


def _note_document(plan):
    """Keep a newly uploaded document's own name (for display and download) and its type
    detected from the content (which names the stored file); forget both when the
    document is removed."""
    document = plan.document
    if not document:
        plan.document_name = plan.document_content_type = ""
    elif not document._committed:
        plan.document_name = document.name.rsplit("/", 1)[-1][:255]
        plan.document_content_type = getattr(document.file, "detected_content_type", "")
