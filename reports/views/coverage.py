"""The coverage matrices: parliaments × GCM objectives and × Rabat commitments."""

import json
from functools import partial
from html import escape
from urllib.parse import quote

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports import charts, selectors
from reports.views.base import COMPLETION_LABELS, DashboardView, Table, dashboard_filter


def coverage_table_html(table_id, columns, rows, link, column_link):
    """The coverage matrix as an HTML table, built directly: 180 × 23 cells take a few
    milliseconds this way, where the template engine needs ~140 ms. A cell shows its count
    as a number or a dot and a colour; data-value holds the number, as in the download.
    A column's header links to its objective's or commitment's dashboard."""
    head = "".join(
        f'<th scope="col" class="text-center"><a href="{escape(column_link(col))}" '
        f'title="{escape(str(label))}" aria-label="{escape(str(col))} · {escape(str(label))}">'
        f"{escape(str(col))}</a></th>"
        for col, label in columns
    )
    # Each completion's label translated once, not once per cell (~1,500 on a page).
    labels = {best: escape(str(label)) for best, label in COMPLETION_LABELS.items()}
    body = []
    for row in rows:
        cells = []
        for (column, _label), (count, best) in zip(columns, row["cells"], strict=True):
            if count:
                label = labels.get(best, "")
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


def column_link(axis):
    """The dashboard of an objective (by number) or a commitment (by code)."""
    base = reverse("reports:objective" if axis == "objective" else "reports:commitment", args=["0"])
    return lambda column: base[: -len("0/")] + quote(str(column)) + "/"


def _sort_rows(rows, columns, sort, direction):
    descending = direction == "desc"
    keys = [str(column) for column, _label in columns]
    sign = -1 if descending else 1  # ties by name, A to Z, in either direction
    if sort in keys:
        index = keys.index(sort)
        return sorted(rows, key=lambda r: (sign * r["cells"][index][0], r["name"]))
    if sort in ("total", "actions"):
        return sorted(rows, key=lambda r: (sign * r["total"], r["name"]))
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
        # By default the parliaments with most actions first: page 1 is not 50 empty rows
        # (one kept figure per parliament, the cheapest order after the name).
        sort = self.request.GET.get("sort") or "actions"
        default_direction = "desc" if sort in ("actions", "total") else "asc"
        direction = self.request.GET.get("dir") or default_direction
        direction = direction if direction in ("asc", "desc") else default_direction
        context.update(filter=filterset, sort=sort, direction=direction)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, sort, direction = context["scope"], context["sort"], context["direction"]
        action_list = reverse("parliaments:action_list")  # once: a page has ~1,500 links
        descending = direction == "desc"
        ordered = selectors.coverage_order(scope, sort, descending)
        if ordered is not None:
            # The database sorts and pages; only the shown parliaments' cells are read.
            page = Paginator(ordered, COVERAGE_PAGE_SIZE).get_page(self.request.GET.get("page"))
            shown = list(page.object_list)
        matrices, tables = [], []
        for axis, title, column_title in (
            ("objective", _("Parliaments × GCM objectives"), _("Objective")),
            ("commitment", _("Parliaments × Rabat commitments"), _("Commitment")),
        ):
            if ordered is not None and sort == "total" and axis == "commitment":
                # Each matrix in the order of its own Total column, on the same page.
                ordered = selectors.coverage_order(scope, sort, descending, axis=axis)
                shown = list(ordered[page.start_index() - 1 : page.end_index()])
            if ordered is not None:
                columns, rows = selectors.coverage(scope, axis, shown)
            else:  # a cycle or dates: every row counted, then sorted and paged here
                columns, rows = selectors.coverage(scope, axis)
                rows = _sort_rows(rows, columns, sort, direction)
                page = Paginator(rows, COVERAGE_PAGE_SIZE).get_page(self.request.GET.get("page"))
                rows = page.object_list
            table_id = f"table-coverage-{axis}s"  # as _table.html and _export.html write it

            def link(iso2, column, param=axis):
                return f"{action_list}?parliament={quote(iso2)}&{param}={quote(str(column))}"

            matrices.append(
                {
                    "axis": axis,
                    "title": title,
                    "table_id": table_id,
                    "html": coverage_table_html(table_id, columns, rows, link, column_link(axis)),
                    "chart": json.dumps(charts.heatmap(columns, rows, title, column_title)),
                    "columns": columns,
                }
            )
            tables.append(
                Table(
                    f"coverage-{axis}s",
                    title,
                    [_("Parliament"), "ISO"] + [str(c) for c, _l in columns] + [_("Total")],
                    partial(_whole_matrix, scope, axis, sort, direction),
                )
            )
        return {"matrices": matrices, "tables": tables, "page": page}


def _whole_matrix(scope, axis, sort, direction):
    """Every parliament's row of one matrix, in the page's order (for its download)."""
    ordered = selectors.coverage_order(scope, sort, direction == "desc", axis=axis)
    if ordered is not None:
        columns, rows = selectors.coverage(scope, axis, list(ordered))
    else:
        columns, rows = selectors.coverage(scope, axis)
        rows = _sort_rows(rows, columns, sort, direction)
    return [[r["name"], r["iso2"]] + [n for n, _b in r["cells"]] + [r["total"]] for r in rows]
