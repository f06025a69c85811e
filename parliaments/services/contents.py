"""What a submission covers: read by submitting (its summary), by publishing, and by the
pages that preview a report."""

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from parliaments.models import Action, Completion, PlanOfAction, ProgressUpdate


def submission_contents(parliament, cycle):
    """What a submission for `cycle` sends: the current plan, its actions, and the progress
    updates of this cycle and earlier ones. Each action carries `reported_completion`, the
    completion its published progress will support: the latest of the updates in this
    report and of the updates of later cycles already published (an earlier cycle's report
    sent again leaves those published), or "not started" without any. That, not the draft's
    completion, is what gets published."""
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
            Q(action=OuterRef("pk"), is_published_copy=False, cycle__due_date__lte=cycle.due_date)
            | Q(
                action__uid=OuterRef("uid"),
                is_published_copy=True,
                cycle__due_date__gt=cycle.due_date,
            )
        )
        .order_by("-date", "-created_at")
        .values("completion")[:1]
    )
    actions = actions.annotate(
        reported_completion=Coalesce(Subquery(latest), Value(Completion.NOT_STARTED))
    )
    return plan, actions, updates
