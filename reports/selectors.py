"""What it adds up to: the aggregations behind the dashboards and the public summary.

Every figure is computed by the database (annotate, aggregate, conditional counts) from
the same visibility rule as the pages: the secretariat's dashboards count drafts, the
public summary counts only what was published (published copies, accepted submissions).

Counts of actions and progress updates add up the per-parliament figures kept in
reports.models.ParliamentFigure (reports/figures.py) whenever every action is counted: a
few rows per parliament instead of all its actions. A cycle or dates narrow the actions to
those with progress in them, which the kept figures do not split by; such pages count the
rows themselves, as before.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncQuarter

from commitments.models import Commitment, Cycle, Objective, reading_language
from compact_tracker import pagecache
from compact_tracker.countries import sort_key
from parliaments import selectors as parliament_selectors
from parliaments.models import (
    COMPLETION_RANK,
    PLAN_DEADLINE,
    Action,
    ActionType,
    Completion,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Submission,
    country_name_sql,
)

PLAN_CYCLE, PROGRESS_CYCLE = "2019-plan", "2021-progress"
ANSWERED = parliament_selectors.REPORTED


@dataclass(frozen=True)
class Scope:
    """Which data a dashboard counts, and for which parliaments."""

    published: bool = False  # True for the public summary
    region: str | None = None
    parliament: Parliament | None = None
    cycle: Cycle | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def submission_statuses(self):
        return [Submission.Status.ACCEPTED] if self.published else ANSWERED

    def parliaments(self):
        queryset = Parliament.objects.filter(is_ipu_member=True)
        if self.region:
            queryset = queryset.filter(region=self.region)
        if self.parliament:
            queryset = queryset.filter(pk=self.parliament.pk)
        return queryset

    def actions(self):
        """Actions counted: with a cycle or dates, those with progress reported in them."""
        queryset = Action.objects.filter(is_published_copy=self.published)
        queryset = queryset.filter(parliament__in=self.parliaments())
        if self.cycle or self.date_from or self.date_to:
            queryset = queryset.filter(pk__in=self.progress_updates().values("action"))
        return queryset

    def progress_updates(self):
        queryset = ProgressUpdate.objects.filter(
            is_published_copy=self.published, parliament__in=self.parliaments()
        )
        if self.cycle:
            queryset = queryset.filter(cycle=self.cycle)
        if self.date_from:
            queryset = queryset.filter(date__gte=self.date_from)
        if self.date_to:
            queryset = queryset.filter(date__lte=self.date_to)
        return queryset

    def current_plans(self):
        return PlanOfAction.objects.filter(is_published_copy=self.published, is_current=True)

    @property
    def counts_every_action(self):
        """No cycle or dates narrow the actions: the kept figures answer."""
        return not (self.cycle or self.date_from or self.date_to)

    def figures(self, dimension, key=None):
        """The kept figures of one dimension (and key) for this scope's parliaments."""
        from reports.figures import figures_fresh
        from reports.models import ParliamentFigure

        figures_fresh()
        rows = ParliamentFigure.objects.filter(
            published=self.published, dimension=dimension, parliament__in=self.parliaments()
        )
        return rows if key is None else rows.filter(key=key)

    def figures_filtered(self, condition):
        """The kept figures matching `condition` (a Q) for this scope's parliaments."""
        from reports.figures import figures_fresh
        from reports.models import ParliamentFigure

        figures_fresh()
        return ParliamentFigure.objects.filter(
            condition, published=self.published, parliament__in=self.parliaments()
        )

    def totals(self, dimension, key=None):
        """Counts of one dimension to add up over this scope's parliaments: the kept totals
        of its region or of every region (a few hundred rows, whatever the number of
        parliaments), or one parliament's own figures."""
        if self.parliament is not None:
            return self.figures(dimension, key)
        from reports.figures import figures_fresh
        from reports.models import RegionFigure

        figures_fresh()
        rows = RegionFigure.objects.filter(published=self.published, dimension=dimension)
        if self.region:
            rows = rows.filter(region=self.region)
        return rows if key is None else rows.filter(key=key)


COMPLETION_RANK_SQL = Case(
    *[When(completion=level, then=Value(rank)) for level, rank in COMPLETION_RANK.items()],
    output_field=IntegerField(),
)
RANK_TO_COMPLETION = {rank: level for level, rank in COMPLETION_RANK.items()}


def plan_deadline():
    due = Cycle.objects.filter(code=PLAN_CYCLE).values_list("due_date", flat=True).first()
    return due or PLAN_DEADLINE


def _adopted_on(scope):
    return Subquery(
        scope.current_plans()
        .filter(parliament=OuterRef("pk"), adopted_on__isnull=False)
        .filter(status__in=[PlanOfAction.Status.ADOPTED, PlanOfAction.Status.UNDER_REVISION])
        .order_by()  # one current plan: no sort (the model's ordering would add one)
        .values("adopted_on")[:1]
    )


def plan_adoption(scope, deadline):
    """Parliaments whose plan was adopted by the deadline, adopted later, or not yet."""
    return (
        scope.parliaments()
        .annotate(adopted_on=_adopted_on(scope))
        .aggregate(
            on_time=Count("pk", filter=Q(adopted_on__lte=deadline)),
            late=Count("pk", filter=Q(adopted_on__gt=deadline)),
            none=Count("pk", filter=Q(adopted_on__isnull=True)),
        )
    )


def _first_submitted(scope, cycle):
    return Subquery(
        Submission.objects.filter(
            parliament=OuterRef("pk"), cycle=cycle, status__in=scope.submission_statuses
        )
        .order_by()  # one submission per cycle: no join to sort by (the model's ordering)
        .values("first_submitted_at")[:1]
    )


def report_compliance(scope, cycle):
    """For one cycle: reported on time, late, or not at all (first submission time)."""
    if cycle is None:
        return {"on_time": 0, "late": 0, "none": scope.parliaments().count()}
    deadline = datetime.datetime.combine(
        cycle.due_date + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    parliaments = scope.parliaments()
    if cycle.reporters == Cycle.Reporters.LISTED:  # only the parliaments it lists report
        parliaments = parliaments.filter(pk__in=parliament_selectors.cycle_reporters(cycle))
    return parliaments.annotate(first=_first_submitted(scope, cycle)).aggregate(
        on_time=Count("pk", filter=Q(first__lt=deadline)),
        late=Count("pk", filter=Q(first__gte=deadline)),
        none=Count("pk", filter=Q(first__isnull=True)),
    )


def count_by(actions, field, choices):
    """[(value, label, count)] over the `actions` queryset for every choice of `field`,
    zeros included, in the choices' order. Distinct: `actions` may be joined to links."""
    counts = dict(actions.values_list(field).annotate(n=Count("pk", distinct=True)).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in choices]


def sum_by(figures, choices):
    """[(value, label, count)] adding up kept figures by key, like count_by."""
    counts = dict(figures.values_list("key").annotate(n=Sum("count")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in choices]


def completion_distribution(scope_or_actions):
    """By completion, for a Scope's actions or for a queryset of actions."""
    if isinstance(scope_or_actions, Scope) and scope_or_actions.counts_every_action:
        return sum_by(scope_or_actions.totals("completion"), Completion.choices)
    actions = (
        scope_or_actions.actions() if isinstance(scope_or_actions, Scope) else scope_or_actions
    )
    return count_by(actions, "completion", Completion.choices)


def type_distribution(scope):
    if scope.counts_every_action:
        return sum_by(scope.totals("type"), ActionType.choices)
    return count_by(scope.actions(), "action_type", ActionType.choices)


def updates_per_quarter(scope):
    """[(quarter start date, count)], oldest first."""
    if scope.counts_every_action:
        rows = scope.totals("quarter").values_list("key").annotate(n=Sum("count")).order_by("key")
        return [(datetime.date.fromisoformat(key), n) for key, n in rows]
    rows = (
        scope.progress_updates()
        .annotate(quarter=TruncQuarter("date"))
        .values_list("quarter")
        .annotate(n=Count("pk"))
        .order_by("quarter")
    )
    return [(quarter, n) for quarter, n in rows]


def overdue_parliaments(scope, today):
    """Parliaments that answered none of the cycles already due, with the days since the
    first of those deadlines; most overdue first. Kept until a submission changes (not
    recomputed after a draft edit)."""
    from parliaments.apps import SUBMISSIONS

    return pagecache.value(
        _kept_name("overdue", scope, today),
        [SUBMISSIONS],
        partial(_overdue_parliaments, scope, today),
    )


def _overdue_parliaments(scope, today):
    due = Cycle.objects.filter(due_date__lt=today)
    first_due = due.aggregate(first=Min("due_date"))["first"]
    if first_due is None:
        return []
    answered = Submission.objects.filter(
        parliament=OuterRef("pk"), cycle__in=due, status__in=scope.submission_statuses
    )
    rows = (
        scope.parliaments()
        .filter(~Exists(answered))  # an anti-join: no count per parliament
        .annotate(shown_name=country_name_sql())
        .order_by(Parliament.by_name())
        .values_list("iso2", "shown_name", "region")
    )
    days = (today - first_due).days
    return [(iso2, name, region, days) for iso2, name, region in rows]


ADOPTED = (PlanOfAction.Status.ADOPTED, PlanOfAction.Status.UNDER_REVISION)


def _timeliness(day, due):
    """ "none" without a date, else "on_time" (by the due date) or "late"."""
    if day is None:
        return "none"
    return "on_time" if day <= due else "late"


def _kept_name(name, scope, *args):
    """A pagecache.value name for `name` over `scope`'s parliaments, in the reader's
    language (names and their order depend on it)."""
    parliament = scope.parliament.pk if scope.parliament else ""
    parts = [name, scope.published, scope.region or "", parliament, *args, reading_language()]
    return ":".join(map(str, parts))


def parliament_statuses(scope, deadline, progress_cycle):
    """One row per parliament: plan adoption date and status, the 2021 report status and
    the number of actions. Drives the map and the status tables. Read from the kept
    figures (one status row per parliament, reports/figures.py), not computed per
    parliament: two queries whatever the number of parliaments; and kept in the page cache
    until one of those figures changes (a draft edit seldom moves one: the secretariat's
    pages then skip both queries and the 1,800 rows at S10)."""
    from reports.figures import figures_fresh, statuses_scope

    figures_fresh()  # this transaction's own writes first: they may move a status
    cycle = (progress_cycle.pk, progress_cycle.due_date) if progress_cycle else ("", "")
    return pagecache.value(
        _kept_name("statuses", scope, deadline, *cycle),
        [statuses_scope(scope.published)],
        partial(_parliament_statuses, scope, deadline, progress_cycle),
    )


def _parliament_statuses(scope, deadline, progress_cycle):
    from reports.models import ParliamentFigure

    dimension = ParliamentFigure.Dimension
    wanted = Q(dimension=dimension.TOTAL) | Q(dimension=dimension.PLAN)
    if progress_cycle is not None:
        wanted |= Q(dimension=dimension.REPORT, key=str(progress_cycle.pk))
    totals, plans, reports = {}, {}, {}
    for parliament, kind, key, level, count in (
        scope.figures_filtered(wanted)
        .values_list("parliament_id", "dimension", "key", "level", "count")
        .order_by()
    ):
        if kind == dimension.TOTAL:
            totals[parliament] = count
        elif kind == dimension.PLAN:
            plans[parliament] = (key, level)
        else:
            reports[parliament] = level
    rows = (
        scope.parliaments()
        .annotate(shown_name=country_name_sql())
        .order_by(Parliament.by_name())
        .values_list("pk", "iso2", "iso_numeric", "shown_name", "region")
    )
    report_due = progress_cycle.due_date if progress_cycle else None
    dates = {"": None}  # each distinct date parsed once (a few hundred over 1,800 rows)

    def date(text):
        if text not in dates:
            dates[text] = datetime.date.fromisoformat(text)
        return dates[text]

    result = []
    for pk, iso2, iso_numeric, name, region in rows:
        plan_status, adopted = plans.get(pk, (None, ""))
        adopted_on = date(adopted) if plan_status in ADOPTED else None
        first_report = date(reports.get(pk, ""))
        result.append(
            {
                "iso2": iso2,
                "iso_numeric": iso_numeric,
                "name": name,
                "region": region,
                "adopted_on": adopted_on,
                "plan_status": plan_status,
                "first_report": first_report,
                "action_count": totals.get(pk, 0),
                "adoption": _timeliness(adopted_on, deadline),
                "report": _timeliness(first_report, report_due),
            }
        )
    return result


def coverage_columns(axis):
    """[(column, label)]: the objectives' numbers or the commitments' codes, in order."""
    if axis == "objective":
        # The short labels are English abbreviations of the titles: other readers get the
        # title in their language (or the English one, marked so on the objective's page).
        if reading_language() == "en":
            return list(Objective.objects.order_by("number").values_list("number", "short_label"))
        return [(o.number, o.localized_title) for o in Objective.objects.order_by("number")]
    return [(c.code, c.localized_title) for c in Commitment.objects.order_by("position")]


def coverage(scope, axis, parliaments=None):
    """Parliaments × objectives (axis="objective") or × commitments ("commitment"): per
    cell the number of actions and the best completion level reached. One query for the
    cells; the parliaments with no action still appear, as empty rows. `parliaments`
    ([(pk, iso2, name)], e.g. one page of them) limits the rows; all by name otherwise."""
    columns = coverage_columns(axis)
    if parliaments is None:
        parliaments = list(
            scope.parliaments()
            .annotate(shown_name=country_name_sql())
            .order_by(Parliament.by_name())
            .values_list("pk", "iso2", "shown_name")
        )
    ids = [pk for pk, _iso2, _name in parliaments]
    if scope.counts_every_action:
        cells = scope.figures(axis).filter(parliament_id__in=ids)
        cells = cells.values_list("parliament_id", "key", "count", "best_rank")
        cells = [(p, int(k) if axis == "objective" else k, n, b) for p, k, n, b in cells]
    else:
        link = "objectives__number" if axis == "objective" else "commitments__code"
        cells = (
            scope.actions()
            .filter(parliament_id__in=ids)
            .values_list("parliament_id", link)
            .annotate(n=Count("pk", distinct=True), best=Max(COMPLETION_RANK_SQL))
            .order_by()
        )
    grid = {}
    for parliament_id, column, n, best in cells:
        grid.setdefault(parliament_id, {})[column] = (n, RANK_TO_COMPLETION.get(best))
    empty = (0, None)
    rows = []
    for pk, iso2, name in parliaments:
        row_cells = grid.get(pk, {})
        row = {"iso2": iso2, "name": name, "cells": [row_cells.get(c, empty) for c, _l in columns]}
        row["total"] = sum(n for n, _best in row["cells"])
        rows.append(row)
    return columns, rows


def coverage_order(scope, sort, descending=False, axis="objective"):
    """The scope's parliaments as [(pk, iso2, name)] in the matrices' order: by name, by
    the Total column of the `axis` matrix ("total": the sum of its cells), or by the
    actions on one objective (its number) or commitment (its code), ties by name. The
    database sorts, from the kept figures (an index lookup per parliament), so a page of
    the matrices reads the cells of its rows only."""
    from reports.figures import figures_fresh
    from reports.models import ParliamentFigure

    figures_fresh()
    parliaments = scope.parliaments()
    by_name = Parliament.name_key()
    if sort != "name":
        if sort == "actions":  # the parliament's number of actions: one kept figure
            dimension, key = "total", ""
        elif sort == "total":
            dimension, key = axis, None
        elif sort.isdigit():
            dimension, key = "objective", sort
        else:
            dimension, key = "commitment", sort
        if not scope.counts_every_action:
            return None
        figure = ParliamentFigure.objects.filter(
            parliament=OuterRef("pk"), published=scope.published, dimension=dimension
        )
        if key is None:  # the sum of the row's cells
            figure = figure.values("parliament").annotate(n=Sum("count")).values("n")
        else:
            figure = figure.filter(key=key, level="").values("count")[:1]
        value = Coalesce(Subquery(figure, output_field=IntegerField()), 0)
        parliaments = parliaments.annotate(sort_value=value)
        # Ties by name, A to Z, in either direction (the many with none read in order).
        order = ["-sort_value", by_name.asc()] if descending else ["sort_value", by_name.asc()]
    else:
        order = [by_name.desc() if descending else by_name.asc()]
    return (
        parliaments.annotate(shown_name=country_name_sql())
        .order_by(*order)
        .values_list("pk", "iso2", "shown_name")
    )


def acting_parliaments(actions):
    """[(name, iso2, actions, best completion label)] per parliament acting in `actions`
    (e.g. the actions on one objective), by name: one aggregate query."""
    rows = (
        actions.annotate(shown_name=country_name_sql("parliament__"))
        .values("parliament__iso2", "shown_name", "parliament__sort_names")
        .annotate(n=Count("pk", distinct=True), best=Max(COMPLETION_RANK_SQL))
        .order_by(Parliament.by_name("parliament__"))
    )
    labels = dict(Completion.choices)
    return [
        (
            r["shown_name"],
            r["parliament__iso2"],
            r["n"],
            labels.get(RANK_TO_COMPLETION.get(r["best"])),
        )
        for r in rows
    ]


def acting_on(scope, axis, column):
    """For the actions on one objective (axis "objective", column its number) or one
    commitment ("commitment", its code): (acting_parliaments, completion_distribution)."""
    if not scope.counts_every_action:
        link = "objectives__number" if axis == "objective" else "commitments__code"
        actions = scope.actions().filter(**{link: column})
        return acting_parliaments(actions), completion_distribution(actions)
    labels = dict(Completion.choices)
    rows = (
        scope.figures(axis, str(column))
        .annotate(shown_name=country_name_sql("parliament__"))
        .order_by(Parliament.by_name("parliament__"))
        .values_list("shown_name", "parliament__iso2", "count", "best_rank")
    )
    per_parliament = [
        (name, iso2, n, labels.get(RANK_TO_COMPLETION.get(best))) for name, iso2, n, best in rows
    ]
    counts = dict(
        scope.totals(f"{axis}_completion", str(column))
        .values_list("level")
        .annotate(n=Sum("count"))
        .order_by()
    )
    completion = [(value, label, counts.get(value, 0)) for value, label in Completion.choices]
    return per_parliament, completion


def ratifications_by_instrument(scope):
    """(parliament, instrument, completion) for ratification actions: who reports
    ratifying what."""
    return (
        scope.actions()
        .filter(action_type=ActionType.RATIFICATION, instrument__isnull=False)
        .annotate(shown_name=country_name_sql("parliament__"))
        .values_list("shown_name", "parliament__iso2", "instrument__code", "completion")
        .order_by("instrument__code", Parliament.by_name("parliament__"))
    )


def ratifications_for(scope, commitment):
    """[(parliament, ISO, instrument code, completion, actions)] for the ratification
    actions on one commitment, by instrument then parliament: from the kept figures when
    every action is counted, else from the actions."""
    if scope.counts_every_action:
        rows = (
            scope.figures("ratification", commitment.code)
            .annotate(shown_name=country_name_sql("parliament__"))
            .values_list("shown_name", "parliament__iso2", "level", "count")
            .order_by("level", Parliament.by_name("parliament__"))
        )
        result = []
        for name, iso2, level, n in rows:
            instrument, completion = level.split(":", 1)
            result.append((name, iso2, instrument, completion, n))
        return sorted(result, key=lambda row: (row[2], sort_key(row[0])))
    rows = (
        ratifications_by_instrument(scope)
        .filter(commitments=commitment)
        .values_list("shown_name", "parliament__iso2", "instrument__code", "completion")
        .annotate(n=Count("pk", distinct=True))
        .order_by("instrument__code", Parliament.by_name("parliament__"), "completion")
    )
    return list(rows)


def good_practices_first(scope, axis, column, shown):
    """(the parliaments holding the first `shown` good practices on one objective or
    commitment in the pages' order, by parliament name; how many good practices in all),
    from the kept figures (one row per parliament), so the page lists them from a few
    parliaments' actions instead of sorting every good practice. None when the figures
    do not count every action."""
    if not scope.counts_every_action:
        return None
    rows = (
        scope.figures(f"{axis}_good_practice", str(column))
        .filter(count__gt=0)
        .annotate(sort_key=Parliament.name_key("parliament__"))
        .order_by(Parliament.by_name("parliament__"))
        .values_list("parliament_id", "sort_key", "count")
    )
    first, total, last_key = [], 0, None
    for parliament_id, name_key, n in rows:
        # Past `shown`, only a parliament of the same name as the last could still come
        # first (ties are ordered by title).
        if total < shown or name_key == last_key:
            first.append(parliament_id)
            last_key = name_key
        total += n
    return first, total


def good_practice_count(scope, axis, column, actions):
    """How many of `actions` (those on one objective or commitment) are good practices."""
    if scope.counts_every_action:
        total = scope.totals(f"{axis}_good_practice", str(column)).aggregate(n=Sum("count"))
        return total["n"] or 0
    return actions.filter(is_good_practice=True).count()


def report_versions(report, queryset=None):
    """Every version of `report`: same kind, cycle, scope, region, parliament, internal and
    language (from `queryset`, e.g. the reports someone may see; all by default)."""
    from reports.models import Report

    queryset = Report.objects.all() if queryset is None else queryset
    return queryset.filter(
        kind=report.kind,
        cycle=report.cycle,
        scope=report.scope,
        region=report.region,
        parliament=report.parliament,
        internal=report.internal,
        language=report.language,
    )


def latest_profile(user, parliament, internal, language):
    """The latest finished country profile of `parliament` that `user` may see, in
    `language` (else in any language), or None: one query."""
    from reports.models import Report

    return (
        report_visible_to(user)
        .prefetch_related(None)
        .filter(
            kind=Report.Kind.PROFILE,
            parliament=parliament,
            internal=internal,
            status=Report.Status.SUCCEEDED,
        )
        .order_by(Case(When(language=language, then=0), default=1), "-finished_at", "-pk")
        .first()
    )


def report_visible_to(user):
    """Reports a person may see: the secretariat sees all; a parliament's staff also see
    their own parliament's internal reports; everyone sees the finished public ones."""
    from parliaments import permissions
    from reports.models import Report

    queryset = Report.objects.select_related("cycle", "parliament").prefetch_related("files")
    if permissions.is_secretariat(user):
        return queryset
    public = Q(internal=False, status=Report.Status.SUCCEEDED)
    own = permissions.parliament_of(user)
    if own is not None:
        return queryset.filter(public | Q(internal=True, parliament=own))
    return queryset.filter(public)
