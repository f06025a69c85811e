"""What a submission covers: read by submitting (its summary), by publishing, and by the
pages that preview a report."""

from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
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
    # The latest update of each kind, as two subqueries each served by an index (an OR of
    # the two in one subquery made PostgreSQL scan every published update once per action:
    # 1.2 s for one parliament at 180 parliaments, 12 s at 1,800).
    drafts = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), is_published_copy=False, cycle__due_date__lte=cycle.due_date
    ).order_by("-date", "-created_at")
    later = ProgressUpdate.objects.filter(
        action__uid=OuterRef("uid"), is_published_copy=True, cycle__due_date__gt=cycle.due_date
    ).order_by("-date", "-created_at")
    actions = actions.annotate(
        draft_date=Subquery(drafts.values("date")[:1]),
        draft_created=Subquery(drafts.values("created_at")[:1]),
        draft_completion=Subquery(drafts.values("completion")[:1]),
        later_date=Subquery(later.values("date")[:1]),
        later_created=Subquery(later.values("created_at")[:1]),
        later_completion=Subquery(later.values("completion")[:1]),
    ).annotate(
        reported_completion=Case(
            When(
                Q(later_date__isnull=False)
                & (
                    Q(draft_date__isnull=True)
                    | Q(later_date__gt=F("draft_date"))
                    | Q(later_date=F("draft_date"), later_created__gt=F("draft_created"))
                ),
                then=F("later_completion"),
            ),
            default=Coalesce(F("draft_completion"), Value(Completion.NOT_STARTED)),
        )
    )
    return plan, actions, updates
