"""What a reviewer needs to judge a submission (issue 14): for the plan and each action,
what changed since the last publication, field by field ("before → after", or "new");
the progress it reports with its evidence; and flags for what a reviewer would ask about.
Read in a fixed number of queries whatever the number of actions."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Objective
from parliaments.models import Action, Completion, PlanOfAction

# (field, label, how to show a value)
ACTION_FIELDS = (
    ("title", _("Title"), None),
    ("description", _("Description"), None),
    ("action_type", _("Type of action"), "display"),
    ("instrument", _("Instrument"), "instrument"),
    ("responsible_body", _("Responsible body"), None),
    ("start_date", _("Start date"), "date"),
    ("target_date", _("Target date"), "date"),
    ("commitments", _("Rabat commitments"), "commitments"),
    ("objectives", _("GCM objectives"), "objectives"),
)
PLAN_FIELDS = (
    ("title", _("Title"), None),
    ("summary", _("Summary"), None),
    ("status", _("Status"), "display"),
    ("adopted_on", _("Adoption date"), "date"),
    ("adopting_body", _("Adopting body"), "display"),
    ("period_start", _("Period covered from"), "date"),
    ("period_end", _("Period covered until"), "date"),
    ("document_url", _("Document link"), None),
    ("document_name", _("Document"), None),
)


def _shown(item, field, kind):
    if kind == "display":
        return str(getattr(item, f"get_{field}_display")()) if getattr(item, field) else ""
    value = getattr(item, field)
    if kind == "date":
        return date_format(value) if value else ""
    if kind == "instrument":
        return str(value) if value else ""
    if kind == "commitments":
        return ", ".join(c.code for c in item.commitments.all())
    if kind == "objectives":
        return ", ".join(str(o.number) for o in item.objectives.all())
    return value or ""


def changes(draft, published, fields):
    """[(label, before, after)] of the fields that differ; None when nothing was published
    (the item is new)."""
    if published is None:
        return None
    found = []
    for field, label, kind in fields:
        before, after = _shown(published, field, kind), _shown(draft, field, kind)
        if before != after:
            found.append((label, before, after))
    return found


def _published_copies(actions):
    uids = [action.uid for action in actions]
    copies = (
        Action.objects.filter(uid__in=uids, is_published_copy=True)
        .select_related("instrument")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("position")),
            Prefetch("objectives", queryset=Objective.objects.order_by("number")),
        )
    )
    return {copy.uid: copy for copy in copies}


def flags(action, cycle, today):
    """What a reviewer would ask about, as short sentences."""
    found = []
    updates = action.report_updates
    if action.reported_completion == Completion.COMPLETE and not any(
        update.evidence.all() for update in updates
    ):
        found.append(_("Marked complete without evidence"))
    if not any(update.cycle_id == cycle.pk for update in updates):
        found.append(_("No progress recorded for this cycle"))
    if (
        action.target_date
        and action.target_date < today
        and action.reported_completion not in (Completion.COMPLETE, Completion.WITHDRAWN)
    ):
        found.append(
            _("Target date passed (%(date)s) and not complete")
            % {"date": date_format(action.target_date)}
        )
    return found


def review_items(submission, plan, actions):
    """{"plan_changes", "rows": [(action, changes, flags)], "counts"} for the review page
    and the decision form's summary. `actions` come from selectors.submission_preview."""
    today = timezone.localdate()
    copies = _published_copies(actions)
    # The drafts' links, in the same order as the copies' (two queries for all).
    prefetch_related_objects(
        actions,
        Prefetch("commitments", queryset=Commitment.objects.order_by("position")),
        Prefetch("objectives", queryset=Objective.objects.order_by("number")),
    )
    rows = []
    counts = {"new": 0, "changed": 0, "unchanged": 0, "updates": 0, "evidence": 0}
    for action in actions:
        published = copies.get(action.uid)
        found = changes(action, published, ACTION_FIELDS)
        if published is not None and published.completion != action.reported_completion:
            found.append(
                (
                    _("Completion"),
                    published.get_completion_display(),
                    Completion(action.reported_completion).label,
                )
            )
        if found is None:
            counts["new"] += 1
        elif found:
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
        counts["updates"] += len(action.report_updates)
        counts["evidence"] += sum(len(u.evidence.all()) for u in action.report_updates)
        rows.append((action, found, flags(action, submission.cycle, today)))
    plan_changes = None
    if plan is not None:
        published_plan = PlanOfAction.objects.filter(uid=plan.uid, is_published_copy=True).first()
        plan_changes = changes(plan, published_plan, PLAN_FIELDS)
    return {"plan_changes": plan_changes, "rows": rows, "counts": counts}


def action_changes(action):
    """What a parliament's draft `action` changed since its last publication, for its
    staff: [(label, published, now)], [] when the same, None when never published."""
    published = _published_copies([action]).get(action.uid)
    found = changes(action, published, ACTION_FIELDS)
    if found is not None and published.completion != action.completion:
        found.append(
            (_("Completion"), published.get_completion_display(), action.get_completion_display())
        )
    return found


def plan_changes(plan):
    """The same for a draft plan, read again from the database (a form may have changed
    the instance it was given): [] when the same, None when never published."""
    saved = PlanOfAction.objects.get(pk=plan.pk)
    published = PlanOfAction.objects.filter(uid=plan.uid, is_published_copy=True).first()
    return changes(saved, published, PLAN_FIELDS)
