"""Rabat §7(a) as a matrix: parliaments × instruments, each cell the state's status with
its label and date; and per instrument, who was party before Rabat, who joined since,
and the parliament actions that led there. Public: the statuses are public facts."""

import json
from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from commitments.models import Instrument
from compact_tracker import pagecache
from parliaments import permissions
from parliaments.models import Action, ActionType, Parliament, Region, country_name_sql
from parliaments.ratifications.models import RABAT, Ratification, joined_after_rabat
from parliaments.ratifications.selectors import pending_proposals
from reports import charts, exports
from reports.views.base import Table

Status = Ratification.Status
MATRIX_PAGE_SIZE = 50
STATUS_CLASSES = {
    Status.PARTY: "rat-party",
    Status.SIGNATORY: "rat-signatory",
    Status.NOT_PARTY: "rat-not_party",
    Status.UNKNOWN: "rat-unknown",
}
STATUS_COLOURS = {
    Status.PARTY: "#1f6fb2",
    Status.SIGNATORY: "#8fb8de",
    Status.NOT_PARTY: "#d9822b",
    Status.UNKNOWN: "#c9ced3",
}


def _instruments(group):
    """The instruments a list was loaded for (the others would be a column of unknowns),
    in the reference order, limited to one group (category) when asked."""
    # EXISTS on the statuses' instrument index: a join and DISTINCT would read them all.
    queryset = Instrument.objects.filter(
        Exists(Ratification.objects.filter(instrument=OuterRef("pk")))
    )
    if group:
        queryset = queryset.filter(category=group)
    return list(queryset.order_by("category", "code"))


def _parliaments(region, country=""):
    queryset = Parliament.objects.annotate(shown_name=country_name_sql())
    if region:
        queryset = queryset.filter(region=region)
    if country:
        # An ISO code ("MA", "MAR"), else part of a name in the reader's language or in
        # English.
        by_code = Q(iso2__iexact=country) | Q(iso3__iexact=country)
        if len(country) <= 3 and queryset.filter(by_code).exists():
            queryset = queryset.filter(by_code)
        else:
            queryset = queryset.filter(
                Q(shown_name__icontains=country) | Q(name__icontains=country)
            )
    return queryset.order_by(Parliament.by_name()).values_list(
        "pk", "iso2", "iso_numeric", "shown_name"
    )


def _cells(parliament_ids, instruments):
    """{(parliament id, instrument id): (status, date, precision, quality, as_of)}."""
    rows = Ratification.objects.filter(
        parliament_id__in=parliament_ids, instrument__in=instruments
    ).values_list(
        "parliament_id", "instrument_id", "status", "date", "date_precision", "quality", "as_of"
    )
    return {(p, i): rest for p, i, *rest in rows}


def _when(date, precision):
    if date is None:
        return ""
    return str(date.year) if precision == "year" else date.isoformat()


def matrix_html(parliaments, instruments, cells, link, pending=None):
    """The matrix as an HTML table, built directly (180 × 7 cells, 1,800 × 35 at S10):
    each cell a status label and its date, its colour a second cue, never the only one.
    `pending` ({(parliament id, instrument id): url}, for the secretariat) marks the cells
    a parliament reported a change for, linked to the report to verify."""
    pending = pending or {}
    waiting = escape(_("report to verify"))
    labels = {status: escape(label) for status, label in Status.choices}
    qualities = dict(Ratification.Quality.choices)
    head = "".join(
        f'<th scope="col" class="text-center"><a href="{escape(link(i))}" '
        f'title="{escape(i.localized_name)}">{escape(i.code)}</a></th>'
        for i in instruments
    )
    body = []
    for pk, _iso2, _numeric, name in parliaments:
        row = []
        for instrument in instruments:
            status, date, precision, quality, as_of = cells.get(
                (pk, instrument.pk), (Status.UNKNOWN, None, "day", "", None)
            )
            when = _when(date, precision)
            year = f' <span class="rat-date">{escape(when[:4])}</span>' if when else ""
            title = ", ".join(
                part
                for part in (
                    str(qualities.get(quality, "")),
                    _("as of %(date)s") % {"date": as_of.isoformat()} if as_of else "",
                )
                if part
            )
            report = pending.get((pk, instrument.pk))
            flag = (
                f' <a class="rat-pending" href="{escape(report)}">{waiting}</a>' if report else ""
            )
            row.append(
                f'<td class="rat {STATUS_CLASSES[status]}" title="{escape(title)}">'
                f"{labels[status]}{year}{flag}</td>"
            )
        body.append(f'<tr><th scope="row">{escape(name)}</th>{"".join(row)}</tr>')
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<table id="table-ratifications" class="table table-sm ratification-matrix">'
        f'<thead><tr><th scope="col">{escape(_("Parliament"))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


class _PageFacts:
    """What the template and the pager read of a page, small enough to keep cached."""

    def __init__(self, page):
        self.number = page.number
        self.start_index, self.end_index = page.start_index(), page.end_index()
        self.has_previous, self.has_next = page.has_previous(), page.has_next()
        self.has_other_pages = page.has_other_pages()
        self.previous_page_number = page.number - 1
        self.next_page_number = page.number + 1
        self.paginator = _PaginatorFacts(page.paginator)


class _PaginatorFacts:
    def __init__(self, paginator):
        self.count, self.num_pages = paginator.count, paginator.num_pages
        self.page_range = list(paginator.page_range)


class RatificationMatrixView(TemplateView):
    template_name = "reports/ratifications.html"

    def get(self, request, *args, **kwargs):
        region = request.GET.get("region") or ""
        group = request.GET.get("group") or ""
        if region not in Region.values:
            region = ""
        if group not in Instrument.Category.values:
            group = ""
        country = (request.GET.get("country") or "").replace("\x00", "").strip()[:100]
        if request.GET.get("export"):
            return self.export(request, _parliaments(region, country), _instruments(group))
        secretariat = permissions.can_review(request.user)

        def build():
            instruments = _instruments(group)
            page = Paginator(_parliaments(region, country), MATRIX_PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            shown = list(page.object_list)
            cells = _cells([row[0] for row in shown], instruments)
            base = reverse("reports:ratification_instrument", args=["X"])[:-2]
            pending = {}
            if secretariat:
                # The secretariat verifies a parliament's report from the matrix too.
                for pk, parliament_id, instrument_id in pending_proposals(
                    [row[0] for row in shown]
                ).values_list("pk", "parliament_id", "instrument_id"):
                    pending[(parliament_id, instrument_id)] = reverse(
                        "parliaments:ratification_proposal", args=[pk]
                    )
            return {
                "pending_count": len(pending),
                "page": _PageFacts(page),
                "instruments": bool(instruments),
                "matrix": matrix_html(
                    shown, instruments, cells, lambda i: f"{base}{i.code}/", pending
                ),
            }

        # The public matrix is kept in the page cache until a status changes (statuses
        # belong to the reference scope); the secretariat's shows the reports waiting.
        parts = (
            build()
            if secretariat
            else pagecache.Section(request, "ratification-matrix").get_or_build(build)
        )
        context = self.get_context_data(
            region=region,
            group=group,
            country=country,
            regions=Region.choices,
            groups=Instrument.Category.choices,
            statuses=Status.choices,
            **parts,
        )
        return self.render_to_response(context)

    def export(self, request, parliaments, instruments):
        file_format = request.GET.get("format", "csv")
        if file_format not in exports.FORMATS:
            raise Http404
        rows = list(parliaments)
        cells = _cells([row[0] for row in rows], instruments)
        headers = [_("Parliament"), "ISO"]
        for instrument in instruments:
            headers += [instrument.code, f"{instrument.code} {_('date')}"]
        table = []
        for pk, iso2, _numeric, name in rows:
            line = [name, iso2]
            for instrument in instruments:
                status, date, precision, _quality, _as_of = cells.get(
                    (pk, instrument.pk), (Status.UNKNOWN, None, "day", "", None)
                )
                line += [status, _when(date, precision)]
            table.append(line)
        return exports.table_response("ratifications", headers, table, file_format)


def _status_row(parliament, recorded, labels, kinds):
    """(state, ISO, status, date, what the date is) for the instrument page's table."""
    _pk, iso2, _numeric, name = parliament
    if recorded is None:
        return (name, iso2, str(labels[Status.UNKNOWN]), None, None)
    status, date, kind, precision = recorded[4], recorded[5], recorded[6], recorded[7]
    return (
        name,
        iso2,
        str(labels[status]),
        (str(date.year) if precision == "year" else date) if date else None,
        str(kinds[kind]) if kind else None,
    )


class RatificationInstrumentView(TemplateView):
    """One instrument: parties before and after Rabat, a map, and the states that joined
    since 7 December 2018 with the ratification actions of their parliaments."""

    template_name = "reports/ratification_instrument.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("export"):
            table, file_format = context["table"], request.GET.get("format", "csv")
            if request.GET["export"] != table.name or file_format not in exports.FORMATS:
                raise Http404
            return exports.table_response(table.name, table.headers, table.rows, file_format)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        instrument = get_object_or_404(Instrument, code=self.kwargs["code"])
        rows = list(
            Ratification.objects.filter(instrument=instrument)
            .annotate(shown_name=country_name_sql("parliament__"))
            .order_by(Parliament.by_name("parliament__"))
            .values_list(
                "parliament_id",
                "parliament__iso2",
                "parliament__iso_numeric",
                "shown_name",
                "status",
                "date",
                "date_kind",
                "date_precision",
                "source",
                "as_of",
                "credited_action__uid",
            )
        )
        by_parliament = {row[0]: row for row in rows}
        counts = Counter(row[4] for row in rows)
        joined = [row for row in rows if joined_after_rabat(row[4], row[5])]
        before = sum(1 for row in rows if row[4] == Status.PARTY and row[5] and row[5] <= RABAT)
        actions = {}
        for action in (
            Action.objects.published()
            .filter(
                instrument=instrument,
                action_type=ActionType.RATIFICATION,
                parliament_id__in=[row[0] for row in joined],
            )
            .select_related("parliament")
            .order_by("title")
        ):
            actions.setdefault(action.parliament_id, []).append(action)
        everyone = list(_parliaments(""))
        statuses = [
            {
                "iso2": iso2,
                "iso_numeric": numeric,
                "name": name,
                "status": by_parliament[pk][4] if pk in by_parliament else Status.UNKNOWN,
            }
            for pk, iso2, numeric, name in everyone
        ]
        legend = {status: (label, STATUS_COLOURS[status]) for status, label in Status.choices}
        kinds = dict(Ratification.DateKind.choices)
        labels = dict(Status.choices)
        table = Table(
            "statuses",
            _("Who is party to it"),
            [_("State"), "ISO", _("Status"), _("Date"), _("What the date is")],
            [_status_row(row, by_parliament.get(row[0]), labels, kinds) for row in everyone],
        )
        return super().get_context_data(
            instrument=instrument,
            counts={
                "before": before,
                "since": len(joined),
                "signatory": counts[Status.SIGNATORY],
                "not_party": counts[Status.NOT_PARTY],
                "unknown": len(everyone) - len(rows) + counts[Status.UNKNOWN],
            },
            joined=[
                {
                    "iso2": iso2,
                    "name": name,
                    "date": date,
                    "year_only": precision == "year",
                    "kind": kinds.get(kind, ""),
                    "source": source,
                    "actions": actions.get(pk, []),
                    "credited": credited,
                }
                for pk, iso2, _n, name, _s, date, kind, precision, source, _a, credited in joined
            ],
            table=table,
            map=json.dumps(charts.world_map(statuses, "status", legend, _("Who is party to it"))),
            **kwargs,
        )
