"""Reads of who acts and what they did. Pages, the API and reports get their querysets
here; `*_visible_to(user)` is the one place that decides who sees which rows."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery

from commitments.models import Commitment, Cycle, Objective
from parliaments import permissions
from parliaments.models import (
    Action,
    Completion,
    CycleParliament,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Submission,
    SubmissionComment,
)


def _visible(queryset, user, parliament_field="parliament"):
    """Drafts for the secretariat; own drafts plus everyone else's published copies for a
    parliament's staff; published copies only for partners and the public."""
    if permissions.is_secretariat(user):
        return queryset.filter(is_published_copy=False)
    own = permissions.parliament_of(user)
    if own is not None:
        return queryset.filter(
            Q(is_published_copy=False, **{parliament_field: own})
            | (Q(is_published_copy=True) & ~Q(**{parliament_field: own}))
        )
    return queryset.filter(is_published_copy=True)


def plan_visible_to(user):
    return _visible(PlanOfAction.objects.all(), user)


def action_visible_to(user):
    return _visible(Action.objects.all(), user)


def progress_update_visible_to(user):
    return _visible(ProgressUpdate.objects.all(), user)


def evidence_file_visible_to(user):
    """Evidence whose file the user may open: the secretariat every one, drafts and
    published copies; a parliament's staff their own parliament's; anyone else only the
    published files their parliament marked public (the public sees the others' titles)."""
    queryset = Evidence.objects.all()
    if permissions.is_secretariat(user):
        return queryset
    public = Q(is_published_copy=True, is_public=True)
    own = permissions.parliament_of(user)
    if own is not None:
        return queryset.filter(public | Q(progress_update__parliament=own))
    return queryset.filter(public)


def can_open_evidence_file(user, evidence):
    """The rule of evidence_file_visible_to for one evidence row already read (the API's
    download links): anyone for a published file marked public, otherwise the secretariat
    and the parliament's own staff."""
    if not evidence.file:
        return False
    if evidence.is_published_copy and evidence.is_public:
        return True
    if user is None or not user.is_authenticated:
        return False
    if permissions.is_secretariat(user):
        return True
    own = permissions.parliament_of(user)
    return own is not None and own.pk == evidence.progress_update.parliament_id


def submission_visible_to(user):
    """The secretariat sees every submission, staff their own parliament's; everyone else
    sees accepted ones (who reported, and when, is public once accepted)."""
    queryset = Submission.objects.all()
    if permissions.is_secretariat(user):
        return queryset
    own = permissions.parliament_of(user)
    if own is not None:
        return queryset.filter(Q(parliament=own) | Q(status=Submission.Status.ACCEPTED))
    return queryset.filter(status=Submission.Status.ACCEPTED)


def action_list(user):
    """Actions the user may see, with everything a list or table shows."""
    return (
        action_visible_to(user)
        .select_related("parliament", "plan", "instrument")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("position")),
            Prefetch("objectives", queryset=Objective.objects.order_by("number")),
        )
    )


def action_get(user, **lookup):
    """One action with its plan, links, progress timeline and evidence; raises
    Action.DoesNotExist when the user may not see it (a 404 for the views)."""
    return (
        action_list(user)
        .prefetch_related(
            Prefetch(
                "progress_updates",
                queryset=ProgressUpdate.objects.select_related("cycle", "author")
                .prefetch_related("evidence")
                .order_by("-date", "-created_at"),
            )
        )
        .get(**lookup)
    )


HISTORY_LIMIT = 30
GROUP_SECONDS = 3


_UNTRACKED = {
    "id",
    "uid",
    "version",
    "created_at",
    "updated_at",
    "is_published_copy",
    "published_at",
    "published_version",
    "parliament",
    "plan",
}


def record_history(obj, *, m2m=(), limit=HISTORY_LIMIT):
    """The latest changes to `obj`, newest first: who, when, and each field's value before
    and after (choices and related rows by name). A fixed number of queries: the history
    rows, their many-to-many rows, and one lookup per related model."""
    model = type(obj)
    name = model._meta.model_name
    through = {field: f"historical{name}_{field}_set" for field in m2m}
    records = list(
        obj.history.select_related("history_user")
        .prefetch_related(*through.values())
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    tracked = [f for f in model._meta.concrete_fields if f.name not in _UNTRACKED]
    names = {}  # field -> {pk: display}
    for field in tracked:
        if field.is_relation:
            ids = {getattr(r, field.attname) for r in records} - {None}
            names[field.name] = {
                o.pk: str(o) for o in field.related_model.objects.filter(pk__in=ids)
            }
    for field_name in m2m:
        related = model._meta.get_field(field_name).related_model
        names[field_name] = {o.pk: getattr(o, o.REFERENCE_KEY) for o in related.objects.all()}

    def display(field, value):
        if field.is_relation:
            return names[field.name].get(value, value) if value is not None else None
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value

    def links(record, field_name):
        related = model._meta.get_field(field_name).related_model._meta.model_name
        values = [
            names[field_name][getattr(row, f"{related}_id")]
            for row in getattr(record, through[field_name]).all()
        ]
        return ", ".join(str(v) for v in sorted(values, key=lambda v: (str(type(v)), v)))

    # One save writes a record for the row and one per many-to-many field: show the
    # records a person wrote within a few seconds as one change.
    groups = []
    for record in records:
        group = groups[-1] if groups else None
        if (
            group
            and group[-1].history_user_id == record.history_user_id
            and (group[-1].history_date - record.history_date).total_seconds() < GROUP_SECONDS
        ):
            group.append(record)
        else:
            groups.append([record])
    if len(records) > limit and len(groups) > 1:
        groups.pop()  # the oldest group may be cut off by the limit

    entries = []
    for index, group in enumerate(groups):
        newest, oldest = group[0], group[-1]
        older = groups[index + 1][0] if index + 1 < len(groups) else None
        changes = []
        if oldest.history_type == "+" or older is None:
            kind = "created" if oldest.history_type == "+" else "changed"
        else:
            kind = "changed"
            for field in tracked:
                before = display(field, getattr(older, field.attname))
                after = display(field, getattr(newest, field.attname))
                if before != after:
                    changes.append((field.verbose_name, before, after))
            for field_name in m2m:
                before, after = links(older, field_name), links(newest, field_name)
                if before != after:
                    label = model._meta.get_field(field_name).verbose_name
                    changes.append((label, before, after))
        entries.append({"record": newest, "kind": kind, "changes": changes})
    return entries


def action_history(action, limit=HISTORY_LIMIT):
    return record_history(action, m2m=("commitments", "objectives"), limit=limit)


def plan_history(plan, limit=HISTORY_LIMIT):
    return record_history(plan, limit=limit)


def open_review_comments(action):
    """The secretariat's comments on this action from the latest round of a submission
    that was returned and not yet resubmitted."""
    return SubmissionComment.objects.filter(
        action=action, submission__status=Submission.Status.RETURNED, round=F("submission__round")
    ).select_related("author", "submission__cycle")


def submission_comments_by_item(submission):
    """{"plan": [...], action pk: [...]} comments of the latest round, when returned."""
    if submission is None or submission.status != Submission.Status.RETURNED:
        return {}
    grouped = {}
    for comment in submission.comments.filter(round=submission.round).select_related("author"):
        key = "plan" if comment.plan_id else comment.action_id
        grouped.setdefault(key, []).append(comment)
    return grouped


def submission_preview(parliament, cycle):
    """Exactly what a submission for `cycle` would publish: (plan, actions, number of
    progress updates). Each action carries `report_updates`, the progress updates it sends
    (oldest first), and `reported_completion`, the completion those updates support."""
    from parliaments.services import submission_contents

    plan, actions, updates = submission_contents(parliament, cycle)
    actions = list(
        actions.select_related("instrument")
        .prefetch_related(
            Prefetch(
                "progress_updates",
                queryset=updates.select_related("cycle")
                .prefetch_related("evidence")
                .order_by("date", "created_at"),
                to_attr="report_updates",
            )
        )
        .order_by("created_at")
    )
    for action in actions:
        action.reported_completion_label = Completion(action.reported_completion).label
    return plan, actions, sum(len(action.report_updates) for action in actions)


def submission_events(submission):
    """The submission's history: each step with its own actor, time and text, oldest
    first."""
    return list(submission.events.select_related("actor").order_by("at", "id"))


def recently_reviewed(limit=20):
    return (
        Submission.objects.filter(
            status__in=[Submission.Status.ACCEPTED, Submission.Status.RETURNED]
        )
        .select_related("parliament", "cycle", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )


def current_plan(parliament, *, published=False):
    return PlanOfAction.objects.filter(
        parliament=parliament, is_current=True, is_published_copy=published
    ).first()


def cycles_for(parliament):
    """The cycles this parliament reports in: those for every parliament, and those that
    list it (Cycle.reporters). Soonest due first."""
    listed = CycleParliament.objects.filter(parliament=parliament).values("cycle")
    return Cycle.objects.filter(Q(reporters=Cycle.Reporters.ALL) | Q(pk__in=listed)).order_by(
        "due_date", "code"
    )


def cycle_reporters(cycle):
    """The IPU member parliaments that report in `cycle`: all, or those it lists."""
    parliaments = Parliament.objects.filter(is_ipu_member=True)
    if cycle.reporters == Cycle.Reporters.LISTED:
        parliaments = parliaments.filter(
            pk__in=CycleParliament.objects.filter(cycle=cycle).values("parliament")
        )
    return parliaments


def reports_in(parliament, cycle):
    """Whether `parliament` reports in `cycle`."""
    return cycle.reporters == Cycle.Reporters.ALL or (
        CycleParliament.objects.filter(cycle=cycle, parliament=parliament).exists()
    )


def parliament_submissions(parliament):
    """Each cycle it reports in with this parliament's submission for it (or None),
    soonest due first."""
    submissions = {
        submission.cycle_id: submission
        for submission in Submission.objects.filter(parliament=parliament)
    }
    return [(cycle, submissions.get(cycle.pk)) for cycle in cycles_for(parliament)]


# Two questions about a parliament's submission for a cycle, answered in one place:
# has it reported (at least once: the dashboards' compliance, reminders), and has it nothing
# left to send (a returned report is back with the parliament: its home page shows it due).
REPORTED = [Submission.Status.SUBMITTED, Submission.Status.RETURNED, Submission.Status.ACCEPTED]
NOTHING_TO_SEND = [Submission.Status.SUBMITTED, Submission.Status.ACCEPTED]


def next_due(parliament, today):
    """The first cycle this parliament still has to send (NOTHING_TO_SEND not reached):
    (cycle, days left; negative when overdue), or (None, None) when nothing is due."""
    answered = Submission.objects.filter(parliament=parliament, status__in=NOTHING_TO_SEND).values(
        "cycle"
    )
    cycle = cycles_for(parliament).exclude(pk__in=answered).first()
    if cycle is None:
        return None, None
    return cycle, (cycle.due_date - today).days


def due_cycles(parliament, today):
    """Every cycle, soonest due first, with this parliament's submission and its status
    as the workspace shows them: `status` is the submission's, or "not_started" without
    one; `is_next_due` marks the first cycle still to be sent (as next_due)."""
    rows, next_found = [], False
    for cycle, submission in parliament_submissions(parliament):
        status = submission.status if submission else "not_started"
        is_next = not next_found and status not in NOTHING_TO_SEND
        next_found = next_found or is_next
        rows.append(
            {
                "cycle": cycle,
                "submission": submission,
                "status": status,
                "days_left": (cycle.due_date - today).days,
                "is_next_due": is_next,
            }
        )
    return rows


def recent_activity(parliament, limit=10):
    """The latest changes to the parliament's plan, actions and progress, newest first."""
    entries = []
    for model, label, related in (
        (PlanOfAction, "plan", ["history_user"]),
        (Action, "action", ["history_user"]),
        (ProgressUpdate, "progress update", ["history_user", "action"]),
    ):
        history = (
            model.history.filter(parliament=parliament, is_published_copy=False)
            .select_related(*related)
            .order_by("-history_date")[:limit]
        )
        entries.extend((record, label) for record in history)
    entries.sort(key=lambda entry: entry[0].history_date, reverse=True)
    return entries[:limit]


def review_queue():
    """Submissions waiting for the secretariat, oldest first."""
    return (
        Submission.objects.filter(status=Submission.Status.SUBMITTED)
        .select_related("parliament", "cycle", "submitted_by")
        .order_by("submitted_at")
    )


def review_list():
    """Every submission the review queue can show, with what its rows need."""
    return Submission.objects.select_related(
        "parliament", "cycle", "submitted_by", "assigned_to", "reviewed_by"
    )


def submission_get(pk):
    return (
        Submission.objects.select_related(
            "parliament", "cycle", "submitted_by", "reviewed_by", "assigned_to"
        )
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=SubmissionComment.objects.select_related("action", "plan", "author"),
            )
        )
        .get(pk=pk)
    )


def published_parliaments():
    """Parliaments with something published, with the count of published actions."""
    has_published_plan = Exists(
        PlanOfAction.objects.filter(parliament=OuterRef("pk"), is_published_copy=True)
    )
    current_plan = PlanOfAction.objects.filter(
        parliament=OuterRef("pk"), is_published_copy=True, is_current=True
    )
    return (
        Parliament.objects.annotate(
            published_actions=Count("actions", filter=Q(actions__is_published_copy=True)),
            plan_status=Subquery(current_plan.values("status")[:1]),
            plan_adopted_on=Subquery(current_plan.values("adopted_on")[:1]),
        )
        .filter(Q(has_published_plan) | Q(published_actions__gt=0))
        .order_by(Parliament.by_name())
    )
