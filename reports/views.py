"""The secretariat's dashboards and the public summary. Figures come from
reports.selectors (SQL aggregation), charts from reports.charts (Vega-Lite specs); every
table on a page can be downloaded as CSV or XLSX (?export=<table>&format=csv|xlsx)."""

import json
from functools import partial
from html import escape

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from commitments.models import Commitment, Cycle, Objective
from compact_tracker import pagecache
from parliaments import permissions
from parliaments import selectors as parliament_selectors
from parliaments.models import Completion, Parliament, Region, SubmissionEvent
from reports import charts, exports, selectors
from reports import services as report_services
from reports.filters import DashboardFilterSet
from reports.forms import ReportRequestForm
from reports.models import Report
from reports.render import CONTENT_TYPES

COMPLETION_LABELS = dict(Completion.choices)
REGION_LABELS = dict(Region.choices)


def _status_rows(counts, labels):
    return [(key, labels[key], counts[key]) for key in ("on_time", "late", "none")]


# Longest table a dashboard shows; longer ones show their first rows and are downloaded
# whole. Every IPU member parliament (180) fits.
TABLE_ROWS_SHOWN = 200


class Table:
    """A named table shown on a page (its first `limit` rows) and downloadable (whole)."""

    def __init__(self, name, title, headers, rows, limit=TABLE_ROWS_SHOWN):
        self.name, self.title, self.headers, self.rows = name, title, headers, rows
        self.limit = limit

    @property
    def shown(self):
        return self.rows[: self.limit]

    @property
    def truncated(self):
        return len(self.rows) > self.limit


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


class DashboardView(TemplateView):
    """Base: the secretariat only (unless public); answers ?export= with a download.

    A page's figures, charts and tables come from `parts()`, named in `part_names`. They
    reach the template as lazy values, and the template shows them inside a `{% cache %}`
    section keyed by reports.pagecache.section_key: parts() runs only when that section is not
    cached (the first view after a data change). Exports always compute."""

    published = False
    secretariat_only = True
    part_names = ()

    def dispatch(self, request, *args, **kwargs):
        if self.secretariat_only:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not permissions.is_secretariat(request.user):
                raise PermissionDenied(_("The dashboards are for the IPU secretariat."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        name, file_format = request.GET.get("export"), request.GET.get("format", "csv")
        if name:
            table = next((t for t in list(context["tables"]) if t.name == name), None)
            if table is None or file_format not in exports.FORMATS:
                raise Http404
            return exports.table_response(table.name, table.headers, table.rows, file_format)
        return self.render_to_response(context)

    def base_context(self, scope):
        return {
            "today": timezone.localdate(),
            "scope": scope,
            "published": self.published,
            "regions": Region.choices,
            "section_timeout": pagecache.TIMEOUT,
            "section_key": pagecache.section_key(self.request),
        }

    def parts(self, context):
        """{name: value} for every name in part_names."""
        raise NotImplementedError

    def with_parts(self, context):
        """Add the parts to the context as lazy values, computed together on first use."""
        context.update(pagecache.lazy_parts(partial(self.parts, context), self.part_names))
        return context


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


def dashboard_filter(request):
    return DashboardFilterSet(request.GET or None, queryset=Parliament.objects.none())


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


def coverage_table_html(table_id, columns, rows, link):
    """The coverage matrix as an HTML table, built directly: 180 × 23 cells take a few
    milliseconds this way, where the template engine needs ~140 ms. A cell shows its count
    as a number or a dot and a colour; data-value holds the number, as in the download."""
    head = "".join(
        f'<th scope="col" class="text-center" title="{escape(str(label))}">{escape(str(col))}</th>'
        for col, label in columns
    )
    body = []
    for row in rows:
        cells = []
        for (column, _label), (count, best) in zip(columns, row["cells"], strict=True):
            if count:
                label = escape(str(COMPLETION_LABELS.get(best, "")))
                href = escape(link(row["iso2"], column))
                cells.append(
                    f'<td class="cell cell-{best}" data-value="{count}">'
                    f'<a href="{href}" title="{label}">{count}'
                    f'<span class="visually-hidden"> · {label}</span></a></td>'
                )
            else:
                cells.append('<td class="cell cell-empty" data-value="0">·</td>')
        missing = ' class="row-missing"' if not row["total"] else ""
        body.append(
            f'<tr{missing}><th scope="row">{escape(row["name"])}</th>{"".join(cells)}'
            f'<td class="text-end fw-semibold">{row["total"]}</td></tr>'
        )
    parliament, total = escape(_("Parliament")), escape(_("Total"))
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<table id="{escape(table_id)}" class="table table-sm coverage-matrix"><thead><tr>'
        f'<th scope="col">{parliament}</th>{head}<th scope="col" class="text-end">{total}</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _sort_rows(rows, columns, sort, direction):
    descending = direction == "desc"
    keys = [str(column) for column, _label in columns]
    if sort in keys:
        index = keys.index(sort)
        return sorted(rows, key=lambda r: (r["cells"][index][0], r["name"]), reverse=descending)
    if sort == "total":
        return sorted(rows, key=lambda r: (r["total"], r["name"]), reverse=descending)
    return sorted(rows, key=lambda r: r["name"], reverse=descending)


COVERAGE_PAGE_SIZE = 50


class CoverageView(DashboardView):
    """Two matrices, parliaments × objectives and × commitments, sorted by any column over
    all parliaments and shown 50 rows a page; downloads hold every row."""

    template_name = "reports/coverage.html"
    part_names = ("matrices", "tables", "page")

    def get_context_data(self, **kwargs):
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(**filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        sort = self.request.GET.get("sort", "name")
        direction = "desc" if self.request.GET.get("dir") == "desc" else "asc"
        context.update(filter=filterset, sort=sort, direction=direction)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, sort, direction = context["scope"], context["sort"], context["direction"]
        tables, matrices, page = [], [], None
        for axis, title, column_title in (
            ("objective", _("Parliaments × GCM objectives"), _("Objective")),
            ("commitment", _("Parliaments × Rabat commitments"), _("Commitment")),
        ):
            columns, rows = selectors.coverage(scope, axis)
            rows = _sort_rows(rows, columns, sort, direction)
            page = Paginator(rows, COVERAGE_PAGE_SIZE).get_page(self.request.GET.get("page"))
            table_id = f"table-coverage-{axis}s"  # as _table.html and _export.html write it

            def link(iso2, column, param=axis):
                query = urlencode({"parliament": iso2, param: column})
                return f"{reverse('parliaments:action_list')}?{query}"

            matrices.append(
                {
                    "axis": axis,
                    "title": title,
                    "table_id": table_id,
                    "html": coverage_table_html(table_id, columns, page.object_list, link),
                    "chart": json.dumps(
                        charts.heatmap(columns, page.object_list, title, column_title)
                    ),
                    "columns": columns,
                }
            )
            tables.append(
                Table(
                    f"coverage-{axis}s",
                    title,
                    [_("Parliament"), "ISO"] + [str(c) for c, _l in columns] + [_("Total")],
                    [
                        [r["name"], r["iso2"]] + [n for n, _b in r["cells"]] + [r["total"]]
                        for r in rows
                    ],
                )
            )
        return {"matrices": matrices, "tables": tables, "page": page}


def _acting_parts(actions):
    """Per parliament and completion of `actions`, with their good practices (shared by the
    objective and commitment pages)."""
    per_parliament = selectors.acting_parliaments(actions)
    completion = selectors.completion_distribution(actions)
    good_practices = actions.filter(is_good_practice=True)
    return {
        "per_parliament": per_parliament,
        "completion": completion,
        "good_practices": list(
            good_practices.select_related("parliament").order_by("parliament__name", "title")[
                :GOOD_PRACTICES_SHOWN
            ]
        ),
        "good_practice_count": good_practices.count(),
        "charts": {
            "completion": json.dumps(
                charts.category_bar(
                    completion, _("Completion of the actions"), charts.COMPLETION_COLOURS
                )
            )
        },
        "tables": [
            Table(
                "parliaments",
                _("Parliaments acting on it"),
                [_("Parliament"), "ISO", _("Actions"), _("Best completion")],
                per_parliament,
            ),
            Table(
                "completion",
                _("Completion of the actions"),
                [_("Completion"), _("Actions")],
                [(label, n) for _v, label, n in completion],
            ),
        ],
    }


# Good practices listed on an objective's or a commitment's page (all are in the action
# list filtered to good practices).
GOOD_PRACTICES_SHOWN = 50


class ObjectiveView(DashboardView):
    template_name = "reports/objective.html"
    part_names = ("per_parliament", "completion", "good_practices", "good_practice_count")
    part_names += ("charts", "tables")

    def get_context_data(self, **kwargs):
        objective = get_object_or_404(Objective, number=self.kwargs["number"])
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(**filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        context.update(filter=filterset, objective=objective)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, objective = context["scope"], context["objective"]
        actions = scope.actions().filter(objectives=objective)
        parts = _acting_parts(actions)
        acting = {iso2 for _name, iso2, _n, _best in parts["per_parliament"]}
        statuses = [
            {**row, "acting": "yes" if row["iso2"] in acting else "no"}
            for row in scope.parliaments().order_by("name").values("iso2", "iso_numeric", "name")
        ]
        legend = {
            "yes": (_("Acts on this objective"), "#1f6fb2"),
            "no": (_("No action yet"), "#c9ced3"),
        }
        parts["charts"]["map"] = json.dumps(
            charts.world_map(statuses, "acting", legend, _("Parliaments acting on it"))
        )
        return parts


class CommitmentView(DashboardView):
    template_name = "reports/commitment.html"
    part_names = ("per_parliament", "completion", "good_practices", "good_practice_count")
    part_names += ("ratifications", "charts", "tables")

    def get_context_data(self, **kwargs):
        commitment = get_object_or_404(Commitment, code=self.kwargs["code"])
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(**filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        context.update(filter=filterset, commitment=commitment)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, commitment = context["scope"], context["commitment"]
        actions = scope.actions().filter(commitments=commitment)
        parts = _acting_parts(actions)
        parts["ratifications"] = [
            (name, iso2, code, COMPLETION_LABELS.get(level))
            for name, iso2, code, level in selectors.ratifications_by_instrument(scope).filter(
                commitments=commitment
            )
        ]
        parts["tables"].append(
            Table(
                "ratifications",
                _("Ratification actions by instrument"),
                [_("Parliament"), "ISO", _("Instrument"), _("Completion")],
                parts["ratifications"],
            )
        )
        return parts


class ParliamentView(DashboardView):
    """One parliament's plan, actions and review history (drafts included)."""

    template_name = "reports/parliament.html"
    part_names = ("plan", "actions", "history", "completion", "charts", "tables")

    def get_context_data(self, **kwargs):
        parliament = get_object_or_404(Parliament, iso2=self.kwargs["iso2"].upper())
        context = self.with_parts(self.base_context(selectors.Scope(parliament=parliament)))
        context["parliament"] = parliament
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, parliament = context["scope"], context["parliament"]
        plan = parliament_selectors.current_plan(parliament)
        actions = list(scope.actions().order_by("title"))
        history = list(
            SubmissionEvent.objects.filter(submission__parliament=parliament)
            .select_related("submission__cycle", "actor")
            .order_by("-at", "-id")[:50]
        )
        completion = selectors.completion_distribution(scope)
        return {
            "plan": plan,
            "actions": actions,
            "history": history,
            "completion": completion,
            "charts": {
                "completion": json.dumps(
                    charts.category_bar(
                        completion, _("Completion of the actions"), charts.COMPLETION_COLOURS
                    )
                )
            },
            "tables": [
                Table(
                    "actions",
                    _("Actions"),
                    [_("Action"), _("Type"), _("Completion"), _("Good practice")],
                    [
                        (
                            a.title,
                            a.get_action_type_display(),
                            a.get_completion_display(),
                            a.is_good_practice,
                        )
                        for a in actions
                    ],
                ),
                Table(
                    "submissions",
                    _("Submissions and reviews"),
                    [_("Date"), _("Cycle"), _("Event"), _("By"), _("Note or comment")],
                    [
                        (
                            event.at,
                            event.submission.cycle.code,
                            event.get_kind_display(),
                            event.actor_name,
                            event.text,
                        )
                        for event in history
                    ],
                ),
                Table(
                    "completion",
                    _("Completion of the actions"),
                    [_("Completion"), _("Actions")],
                    [(label, n) for _v, label, n in completion],
                ),
            ],
        }


# --- Cycle reports --------------------------------------------------------------------------


class ReportListView(FormView):
    """Reports anyone may see, newest first, with every version; a form to request one."""

    template_name = "reports/report_list.html"
    form_class = ReportRequestForm

    def can_request(self):
        return permissions.can_request_report(self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not permissions.is_secretariat(self.request.user):
            kwargs["own_parliament"] = permissions.parliament_of(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        reports = selectors.report_visible_to(self.request.user).order_by("-created_at")[:200]
        return super().get_context_data(reports=reports, can_request=self.can_request(), **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can_request():
            raise PermissionDenied(
                _("Only the secretariat and parliaments' staff request reports.")
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report, created = report_services.report_request(
                actor=self.request.user,
                cycle=data["cycle"],
                scope=data["scope"],
                region=data["region"],
                parliament=data["parliament"],
                internal=data["internal"],
                language=data["language"],
                formats=data["formats"],
            )
        except report_services.ReportError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        except ValidationError as error:  # the model's rules (scope, region, internal)
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Report queued: it is being built.")
            if created
            else _("This report already exists for the same data: here it is."),
        )
        return redirect(report)


class ReportDetailView(TemplateView):
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        report = get_object_or_404(
            selectors.report_visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        versions = selectors.report_versions(
            report, selectors.report_visible_to(self.request.user)
        ).order_by("-version")
        return super().get_context_data(
            report=report,
            versions=versions,
            can_retry=permissions.is_secretariat(self.request.user)
            and report.status == Report.Status.FAILED,
            **kwargs,
        )

    def post(self, request, pk):
        if not permissions.can_retry_report(request.user):
            raise PermissionDenied(_("Only the secretariat retries reports."))
        report = get_object_or_404(Report, pk=pk)
        if report_services.report_requeue(report.pk):
            messages.success(request, _("The report is queued again."))
        return redirect(report)


def report_status(request, pk):
    """JSON for the progress bar: status, percent, stage, and the files once done."""
    report = get_object_or_404(selectors.report_visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "progress": report.progress,
            "stage": report.stage,
            "error": report.error,
            "files": [
                {
                    "format": f.format,
                    "url": reverse("reports:report_file", args=[report.pk, f.format]),
                }
                for f in report.files.all()
            ],
        }
    )


def report_file(request, pk, file_format):
    """A report file, after the same visibility check as the page."""
    report = get_object_or_404(selectors.report_visible_to(request.user), pk=pk)
    stored = get_object_or_404(report.files, format=file_format)

    return FileResponse(
        stored.file.open("rb"),
        as_attachment=file_format != "html",
        filename=stored.file.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[file_format],
    )
