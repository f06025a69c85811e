"""The overview dashboard, the same overview from published data for everyone (the
public summary), and a region's overview."""

import json

from django.http import Http404
from django.utils.translation import gettext as _

from commitments.models import Cycle
from parliaments import selectors as parliament_selectors
from parliaments.models import Region
from reports import charts, selectors
from reports.views.base import REGION_LABELS, DashboardView, Table, dashboard_filter


def _status_rows(counts, labels):
    return [(key, labels[key], counts[key]) for key in ("on_time", "late", "none")]


def _counts_table(name, title, label_header, count_header, rows):
    """A two-column table from [(key, label, count)] rows."""
    return Table(name, title, [label_header, count_header], [(label, n) for _k, label, n in rows])


def adoption_labels():
    return {
        "on_time": _("Adopted by 31 December 2019"),
        "late": _("Adopted later"),
        "none": _("Not yet adopted"),
    }


def report_labels():
    return {
        "on_time": _("Reported on time"),
        "late": _("Reported late"),
        "none": _("Not reported"),
    }


def cycle_deadlines():
    """(the plan deadline, the 2021 progress cycle)."""
    return selectors.plan_deadline(), Cycle.objects.filter(code=selectors.PROGRESS_CYCLE).first()


# The overview shows the oldest submissions waiting; the review queue page has them all.
REVIEW_QUEUE_SHOWN = 20


OVERVIEW_PARTS = ("adoption", "compliance", "statuses", "overdue", "charts", "tables", "table_map")


def overview_parts(scope, today, with_queue):
    """The figures, charts and tables of the overview (also the region page)."""
    deadline, progress_cycle = cycle_deadlines()
    adopted, reported = adoption_labels(), report_labels()
    adoption = _status_rows(selectors.plan_adoption(scope, deadline), adopted)
    compliance = _status_rows(selectors.report_compliance(scope, progress_cycle), reported)
    completion = selectors.completion_distribution(scope)
    types = selectors.type_distribution(scope)
    quarters = selectors.updates_per_quarter(scope)
    overdue = selectors.overdue_parliaments(scope, today)
    statuses = selectors.parliament_statuses(scope, deadline, progress_cycle)
    legend = {key: (label, charts.STATUS_COLOURS[key]) for key, label in adopted.items()}
    specs = {
        "adoption": charts.status_bar(adoption, _("Plans of action (Rabat §8: by end of 2019)")),
        "compliance": charts.status_bar(compliance, _("2021 progress reports to the IPU")),
        "completion": charts.category_bar(
            completion, _("Actions by completion"), charts.COMPLETION_COLOURS
        ),
        "types": charts.category_bar(types, _("Actions by type")),
        "quarters": charts.quarterly_line(quarters, _("Progress updates per quarter")),
        "map": charts.world_map(statuses, "adoption", legend, _("Plan of action status")),
    }
    tables = [
        _counts_table(
            "plan-adoption", _("Plans of action"), _("Status"), _("Parliaments"), adoption
        ),
        _counts_table(
            "report-2021", _("2021 progress reports"), _("Status"), _("Parliaments"), compliance
        ),
        _counts_table(
            "completion", _("Actions by completion"), _("Completion"), _("Actions"), completion
        ),
        _counts_table("action-types", _("Actions by type"), _("Type"), _("Actions"), types),
        Table(
            "updates-per-quarter",
            _("Progress updates per quarter"),
            [_("Quarter"), _("Updates")],
            [(f"{q.year} Q{(q.month - 1) // 3 + 1}", n) for q, n in quarters],
        ),
        Table(
            "plan-status",
            _("Plan of action status by parliament"),
            [_("Parliament"), "ISO", _("Region"), _("Plan adopted on"), _("Status")],
            [
                (
                    r["name"],
                    r["iso2"],
                    REGION_LABELS[r["region"]],
                    r["adopted_on"],
                    adopted[r["adoption"]],
                )
                for r in statuses
            ],
        ),
        Table(
            "overdue",
            _("Parliaments with nothing due answered"),
            [_("Parliament"), "ISO", _("Region"), _("Days overdue")],
            [(name, iso2, REGION_LABELS[region], days) for iso2, name, region, days in overdue],
        ),
    ]
    if with_queue:
        queue = list(parliament_selectors.review_queue())
        tables.append(
            Table(
                "review-queue",
                _("Submissions waiting for review, oldest first"),
                [_("Parliament"), _("Cycle"), _("Submitted"), _("Days waiting")],
                [
                    (
                        s.parliament.name,
                        s.cycle.code,
                        s.submitted_at.date(),
                        (today - s.submitted_at.date()).days,
                    )
                    for s in queue
                    if s.submitted_at
                ],
                limit=REVIEW_QUEUE_SHOWN,
            )
        )
    return {
        "adoption": adoption,
        "compliance": compliance,
        "statuses": statuses,
        "overdue": overdue,
        "charts": {name: json.dumps(spec) for name, spec in specs.items()},
        "tables": tables,
        "table_map": {table.name.replace("-", "_"): table for table in tables},
    }


class OverviewView(DashboardView):
    template_name = "reports/overview.html"
    part_names = OVERVIEW_PARTS

    def get_context_data(self, **kwargs):
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(published=self.published, **filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        return super().get_context_data(filter=filterset, **context, **kwargs)

    def parts(self, context):
        return overview_parts(context["scope"], context["today"], with_queue=not self.published)


class PublicSummaryView(OverviewView):
    """The same overview and map, computed from published data only, for anyone."""

    published = True
    secretariat_only = False
    template_name = "reports/public_summary.html"


class RegionView(DashboardView):
    template_name = "reports/region.html"
    part_names = OVERVIEW_PARTS

    def get_context_data(self, **kwargs):
        region = self.kwargs["region"].lower()
        if region not in Region.values:
            raise Http404
        context = self.with_parts(self.base_context(selectors.Scope(region=region)))
        context["region_label"] = Region(region).label
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        return overview_parts(context["scope"], context["today"], with_queue=False)
