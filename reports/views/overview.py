"""The overview dashboard, the same overview from published data for everyone (the
public summary), and a region's overview."""

import datetime
import functools
import json

from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.models import Cycle
from parliaments import selectors as parliament_selectors
from parliaments.models import Region, country_name_sql
from reports import charts, figures, selectors
from reports.views.base import REGION_LABELS, DashboardView, Table, dashboard_filter


def overdue_by(since, today):
    """How long ago, as people say it: "6 years, 11 months", "3 weeks", "today"."""
    if since >= today:
        return _("today")
    return timesince(since, today, depth=2)


def _overdue_rows(overdue, today):
    """The overdue table's rows (1,800 at S10)."""
    return [
        (name, iso2, REGION_LABELS[region], first_due, said(first_due, today))
        for iso2, name, region, first_due in overdue_since(overdue, today)
    ]


@functools.lru_cache(maxsize=4096)
def _said(since, today, language):
    return overdue_by(since, today)


def said(since, today):
    """overdue_by, put into words once per date and language (timesince costs ~50 µs; a
    table repeats a few dates over hundreds of rows)."""
    return _said(since, today, get_language())


def overdue_since(overdue, today):
    """(iso2, name, region, the first due date) from overdue_parliaments' rows."""
    return [
        (iso2, name, region, today - datetime.timedelta(days=days))
        for iso2, name, region, days in overdue
    ]


def _status_rows(counts, labels):
    return [(key, labels[key], counts[key]) for key in ("on_time", "late", "none")]


def _count(statuses, field):
    counts = {"on_time": 0, "late": 0, "none": 0}
    for row in statuses:
        counts[row[field]] += 1
    return counts


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


def map_link(scope):
    """Where a click on a country leads: for the secretariat its region's dashboard (or,
    on a region's page, the parliament's); for everyone else the parliament's public
    page."""
    if scope.published:
        base = reverse("parliaments:public_parliament", args=["XX"])
        return lambda row: base.replace("XX", row["iso2"])
    if scope.region:
        base = reverse("reports:parliament", args=["XX"])
        return lambda row: base.replace("XX", row["iso2"])
    base = reverse("reports:region", args=["xx"])
    return lambda row: base.replace("xx", row["region"])


def cycle_deadlines():
    """(the plan deadline, the 2021 progress cycle)."""
    return selectors.plan_deadline(), Cycle.objects.filter(code=selectors.PROGRESS_CYCLE).first()


# The overview shows the oldest submissions waiting; the review queue page has them all.
REVIEW_QUEUE_SHOWN = 20


OVERVIEW_PARTS = ("adoption", "compliance", "statuses", "overdue", "charts", "tables", "table_map")
OVERVIEW_PARTS += ("dashboard_links",)


def overview_parts(scope, today, with_queue):
    """The figures, charts and tables of the overview (also the region page)."""
    deadline, progress_cycle = cycle_deadlines()
    adopted, reported = adoption_labels(), report_labels()
    statuses = selectors.parliament_statuses(scope, deadline, progress_cycle)
    # The same counts as selectors.plan_adoption and report_compliance, from the rows the
    # map needs anyway (one query fewer each).
    adoption = _status_rows(_count(statuses, "adoption"), adopted)
    compliance = _status_rows(_count(statuses, "report"), reported)
    completion = selectors.completion_distribution(scope)
    types = selectors.type_distribution(scope)
    quarters = charts.every_quarter(selectors.updates_per_quarter(scope))
    overdue = selectors.overdue_parliaments(scope, today)
    legend = {key: (label, charts.STATUS_COLOURS[key]) for key, label in adopted.items()}
    specs = {
        "adoption": charts.status_bar(adoption, _("Plans of action (Rabat §8: by end of 2019)")),
        "compliance": charts.status_bar(compliance, _("2021 progress reports to the IPU")),
        "completion": charts.category_bar(
            completion, _("Actions by completion"), charts.COMPLETION_COLOURS
        ),
        "types": charts.category_bar(types, _("Actions by type")),
        "quarters": charts.quarterly_bars(quarters, _("Progress updates per quarter")),
        "map": charts.world_map(
            statuses, "adoption", legend, _("Plan of action status"), link=map_link(scope)
        ),
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
            [(charts.quarter_label(q), n) for q, n in quarters],
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
            _("Parliaments that have sent none of the reports due"),
            [_("Parliament"), "ISO", _("Region"), _("First report due"), _("Overdue by")],
            _overdue_rows(overdue, today),
        ),
    ]
    links = None
    if with_queue:
        links = {
            "objectives": selectors.coverage_columns("objective"),
            "commitments": selectors.coverage_columns("commitment"),
        }
        queue = (
            parliament_selectors.review_queue()
            .annotate(shown_name=country_name_sql("parliament__"))
            .values_list("shown_name", "cycle__code", "submitted_at")
        )
        tables.append(
            Table(
                "review-queue",
                _("Submissions waiting for review, oldest first"),
                [_("Parliament"), _("Cycle"), _("Submitted"), _("Waiting for")],
                [
                    (name, cycle, submitted_at.date(), said(submitted_at.date(), today))
                    for name, cycle, submitted_at in queue
                    if submitted_at
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
        "dashboard_links": links,
    }


def with_statuses(scopes, scope):
    """A page showing the kept statuses is also stale when they change: they are rebuilt
    when the write commits, after the write's own scopes were replaced."""
    return scopes | {figures.statuses_scope(scope.published)}


class OverviewView(DashboardView):
    template_name = "reports/overview.html"
    part_names = OVERVIEW_PARTS

    def cache_scopes(self, scope):
        return with_statuses(super().cache_scopes(scope), scope)

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


def side_by_side_html(statuses):
    """The region page's table rows, one per parliament: built directly, as the coverage
    matrix is (a region of 300 parliaments takes ~40 ms through the template engine)."""
    adoption = {"on_time": _("By end 2019"), "late": _("Later"), "none": _("None")}
    report = {"on_time": _("On time"), "late": _("Late"), "none": _("Not reported")}
    rows = []
    for row in statuses:
        missing = ' class="row-missing"' if row["adoption"] == "none" else ""
        href = reverse("reports:parliament", args=[row["iso2"]])
        adopted = date_format(row["adopted_on"]) if row["adopted_on"] else ""
        rows.append(
            f"<tr{missing}>"
            f'<th scope="row"><a href="{escape(href)}">{escape(row["name"])}</a></th>'
            f'<td><span class="status-pill status-{row["adoption"]}">'
            f"{escape(adoption[row['adoption']])}</span> {escape(adopted)}</td>"
            f'<td><span class="status-pill status-{row["report"]}">'
            f"{escape(report[row['report']])}</span></td>"
            f'<td class="text-end">{row["action_count"]}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


class RegionView(DashboardView):
    template_name = "reports/region.html"
    part_names = OVERVIEW_PARTS + ("side_by_side",)

    def cache_scopes(self, scope):
        return with_statuses(super().cache_scopes(scope), scope)

    def get_context_data(self, **kwargs):
        region = self.kwargs["region"].lower()
        if region not in Region.values:
            raise Http404
        context = self.with_parts(self.base_context(selectors.Scope(region=region)))
        context["region_label"] = Region(region).label
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        parts = overview_parts(context["scope"], context["today"], with_queue=False)
        parts["side_by_side"] = side_by_side_html(parts["statuses"])
        return parts
