"""Publication: copy a parliament's drafts into the published rows the public reads, and
record each change in the changes feed partners replay."""

from django.db.models import F
from django.utils import timezone

from parliaments.models import (
    Action,
    Evidence,
    PlanOfAction,
    ProgressUpdate,
    PublicationChange,
)
from parliaments.services.contents import submission_contents
from parliaments.services.outbox import outbox_task

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


def publication_announce(kind, uid, *, parliament=None, region=""):
    """An entry of the changes feed for an event that is not a published copy (a
    submission accepted, a public report built), in the caller's transaction; partners'
    webhooks hear of it at once."""
    PublicationChange.objects.create(
        kind=kind,
        uid=uid,
        parliament=parliament,
        region=region or "",
        operation=PublicationChange.Operation.UPSERT,
    )
    webhooks_soon()


def webhooks_soon():
    """Partners' webhooks and followers hear of a publication at once, not at beat's next
    run: the tasks are queued through the outbox, in the publication's transaction."""
    from parliaments.following.models import Follow
    from parliaments.webhooks.models import WebhookEndpoint

    if WebhookEndpoint.objects.filter(is_active=True).exists():
        outbox_task("parliaments.tasks.fan_out_webhooks")
    if Follow.objects.exists():
        outbox_task("parliaments.tasks.notify_followers")


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
