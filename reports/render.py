"""A report's content in each format. HTML comes from a template (also the base of the
PDF, printed by WeasyPrint with the dashboard charts as SVG from vl-convert); XLSX has a
sheet per table; CSV is a zip of one file per table; JSON is the content itself.

Each writer writes one file at a path and streams the long lists of the content
(`content.Rows`: the actions annex, good practices, IMRF action titles) row by row, so
memory does not grow with the number of actions. XLSX, CSV and JSON carry everything;
HTML and PDF, written for reading, list the actions only up to HTML_ANNEX_LIMIT and cap
the other long lists."""

import datetime
import io
import itertools
import json
import zipfile

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from openpyxl import Workbook

from compact_tracker.safe_export import csv_writer, xlsx_cell, xlsx_row
from parliaments.models import ActionType, Completion, PlanOfAction, Region
from reports import charts
from reports.content import Rows

VL_VERSION = "v6_4"
# A parliament's or a region's report lists its actions in the HTML and PDF; a larger one
# (the global report: tens of thousands of actions, thousands of pages) refers readers to
# the XLSX, CSV and JSON files, which always carry the full annex.
HTML_ANNEX_LIMIT = 1000
HTML_GOOD_PRACTICES_LIMIT = 500
HTML_OBJECTIVE_TITLES_LIMIT = 50
# Every IPU member parliament (180) fits; a longer table is in the XLSX, CSV and JSON files.
HTML_PARLIAMENTS_LIMIT = 500
# The states that joined an instrument since Rabat listed in the document (every one is in
# the XLSX, CSV and JSON files).
HTML_RATIFICATIONS_LIMIT = 300
PROGRESS_EVERY = 1000  # rows written between two calls of `progress`


class _Tracker:
    """Counts the rows written from the content's `Rows` and calls `progress(fraction)`
    every PROGRESS_EVERY rows."""

    def __init__(self, data, progress):
        self.total = sum(len(rows) for rows in _streams(data)) or 1
        self.done = 0
        self.progress = progress or (lambda fraction: None)

    def __call__(self, rows):
        for item in rows:
            yield item
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                self.progress(min(self.done / self.total, 1.0))


def _streams(value):
    if isinstance(value, Rows):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _streams(item)
    elif isinstance(value, list):
        for item in value:
            yield from _streams(item)


def _plan_labels():
    return {"on_time": _("On time"), "late": _("Late"), "none": _("No plan")}


def _report_labels():
    return {"on_time": _("On time"), "late": _("Late"), "none": _("Not reported")}


def _plan_cell(parliament, labels, statuses):
    """How far a parliament's plan is: adopted on time or late, else the status of the
    plan it is writing ("Drafting"), else "No plan"."""
    if parliament["plan"] == "none" and parliament["plan_status"]:
        return str(statuses.get(parliament["plan_status"], labels["none"]))
    return str(labels[parliament["plan"]])


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def tables(data, track=lambda rows: rows):
    """The report's tables: (name, headers, rows). The same for XLSX, CSV and HTML: cells
    are labels in the report's language, numbers, or dates (`datetime.date`, None when
    there is none), which each writer writes its own way. The rows of `good_practices`
    and `actions` are generators over the content's `Rows` (each passed through `track`):
    iterate them once."""
    plans, reports = _plan_labels(), _report_labels()
    plan_statuses = dict(PlanOfAction.Status.choices)
    regions = dict(Region.choices)
    completion = dict(Completion.choices)
    types = dict(ActionType.choices)
    yes_no = {True: _("Yes"), False: _("No")}
    return [
        (
            "parliaments",
            [
                _("Parliament"),
                "ISO",
                _("Region"),
                _("Plan adopted on"),
                _("Plan"),
                _("Report"),
                _("Actions"),
            ],
            [
                [
                    p["name"],
                    p["iso2"],
                    str(regions.get(p["region"], p["region"])),
                    _date(p["plan_adopted_on"]),
                    _plan_cell(p, plans, plan_statuses),
                    str(reports[p["report"]]),
                    p["actions"],
                ]
                for p in data["parliaments"]
            ],
        ),
        (
            "adoption_by_region",
            [_("Region"), _("Adopted on time"), _("Adopted late"), _("Not adopted")],
            [
                [r["region_label"], r["on_time"], r["late"], r["none"]]
                for r in data["adoption_by_region"]
            ],
        ),
        (
            "objectives",
            [
                _("Objective"),
                _("Title"),
                _("Parliaments"),
                _("Actions"),
                _("Complete"),
                _("SDG targets"),
            ],
            [
                [
                    o["number"],
                    o["title"],
                    o["parliaments"],
                    o["actions"],
                    o["complete"],
                    _sdg_cell(o.get("sdg_targets", [])),
                ]
                for o in data["objectives"]
            ],
        ),
        (
            "commitments",
            [_("Commitment"), _("Title"), _("Parliaments"), _("Actions")],
            [[c["code"], c["title"], c["parliaments"], c["actions"]] for c in data["commitments"]],
        ),
        (
            "completion",
            [_("Completion"), _("Actions")],
            [[str(completion[k]), n] for k, n in data["summary"]["completion"].items()],
        ),
        *_ratification_tables(data.get("ratifications_since_rabat"), regions),
        (
            "good_practices",
            [_("Parliament"), _("Action"), _("Type")],
            ([g["parliament"], g["title"], g["type"]] for g in track(data["good_practices"])),
        ),
        (
            "actions",
            [
                _("Parliament"),
                _("Action"),
                _("Type"),
                _("Completion"),
                _("Commitments"),
                _("Objectives"),
                _("Instrument"),
                _("Target date"),
                _("Good practice"),
                _("Completion at the start of the cycle"),
                _("Completion at the end of the cycle"),
                _("Action ID"),
            ],
            (
                [
                    a["parliament_name"],
                    a["title"],
                    str(types.get(a["type"], a["type"])),
                    str(completion.get(a["completion"], a["completion"])),
                    ", ".join(a["commitments"]),
                    ", ".join(str(n) for n in a["objectives"]),
                    a["instrument"] or "",
                    _date(a["target_date"]),
                    str(yes_no[bool(a["good_practice"])]),
                    a["completion_at_start_label"],
                    a["completion_at_end_label"],
                    a["id"],
                ]
                for a in track(data["actions"])
            ),
        ),
        (
            "progress",
            [
                _("Action ID"),
                _("Parliament"),
                _("Date"),
                _("Completion"),
                _("What happened"),
                _("Evidence"),
                _("Evidence links"),
            ],
            (
                [
                    p["action"],
                    p["parliament_name"],
                    _date(p["date"]),
                    p["completion_label"],
                    p["narrative"],
                    "\n".join(_evidence_line(e) for e in p["evidence"]),
                    "\n".join(e["url"] for e in p["evidence"] if e["url"]),
                ]
                for p in track(data["progress"])
            ),
        ),
    ]


def _sdg_cell(links):
    """ "10.c (GCM)"; an editorial link says so."""
    basis = {"gcm": _("GCM"), "editorial": _("editorial")}
    return ", ".join(f"{link['target']} ({basis[link['basis']]})" for link in links)


def _ratification_tables(section, regions):
    """Rabat §7(a) in progress and IMRF reports: how many states joined each instrument
    since Rabat, by region; and each of them with its date, source and credited action."""
    if section is None:
        return []
    shown = list(Region.values)
    return [
        (
            "ratifications_by_instrument",
            [_("Instrument"), _("Name"), _("Joined since Rabat")]
            + [str(regions[region]) for region in shown]
            + [_("Sources as of")],
            [
                [row["instrument"], row["name"], row["joined"]]
                + [row["regions"].get(region, 0) for region in shown]
                + [_date(row["sources_as_of"])]
                for row in section["by_instrument"]
            ],
        ),
        (
            "ratifications_since_rabat",
            [
                _("State"),
                "ISO",
                _("Region"),
                _("Instrument"),
                _("Date"),
                _("What the date is"),
                _("Credited action"),
                _("Source"),
                _("Source as of"),
                _("Source quality"),
            ],
            [
                [
                    row["name"],
                    row["iso2"],
                    str(regions.get(row["region"], row["region"])),
                    row["instrument"],
                    row["date"][:4] if row["year_only"] else _date(row["date"]),
                    row["date_kind_label"],
                    row["credited_action"],
                    row["source"],
                    _date(row["as_of"]),
                    row["quality_label"],
                ]
                for row in section["states"]
            ],
        ),
    ]


def _evidence_line(item):
    """An evidence item as one line of a cell: its title, and for a file the reader may
    not open, a note saying so."""
    if item["url"] is None:
        return _("%(title)s (file not public)") % {"title": item["title"]}
    return item["title"]


def write_json(data, path, progress=None):
    """The content as JSON, the same text as json.dumps(content, indent=2), written as the
    long lists are read."""
    track = _Tracker(data, progress)
    with open(path, "w", encoding="utf-8") as out:
        for text in _json_chunks(data, 0, track):
            out.write(text)


def _json_chunks(value, level, track):
    indent = "\n" + "  " * (level + 1)
    if isinstance(value, dict) and value:
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + indent + json.dumps(str(key), ensure_ascii=False) + ": "
            yield from _json_chunks(item, level + 1, track)
        yield "\n" + "  " * level + "}"
    elif isinstance(value, Rows):
        # Opened at the first item: an empty list is "[]" as json.dumps writes it.
        index = -1
        for index, item in enumerate(track(value)):
            # JSON strings hold no raw newline: re-indenting the dumped item is safe.
            text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", indent)
            yield ("," if index else "[") + indent + text
        yield "[]" if index < 0 else "\n" + "  " * level + "]"
    elif isinstance(value, list) and value:
        yield "["
        for index, item in enumerate(value):
            yield ("," if index else "") + indent
            yield from _json_chunks(item, level + 1, track)
        yield "\n" + "  " * level + "]"
    else:
        yield json.dumps(value, ensure_ascii=False, indent=2)


def write_xlsx(data, path, progress=None):
    """A sheet per table, written row by row (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    for name, headers, rows in tables(data, _Tracker(data, progress)):
        sheet = book.create_sheet(name[:31])
        sheet.freeze_panes = "A2"  # before the first row: write-only sheets stream out
        sheet.append(xlsx_row(sheet, [str(h) for h in headers]))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    book.save(path)


XLSX_DATE_FORMAT = "yyyy-mm-dd"


def _xlsx_cell(sheet, value):
    """Dates as date cells (a spreadsheet sorts and filters them as dates); text as text
    cells, never formulas."""
    if isinstance(value, datetime.date):
        return xlsx_cell(sheet, value, number_format=XLSX_DATE_FORMAT)
    return xlsx_cell(sheet, value)


def write_csv_zip(data, path, progress=None):
    """A zip of one CSV file per table, each written row by row into its entry."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, headers, rows in tables(data, _Tracker(data, progress)):
            with (
                archive.open(f"{name}.csv", "w") as entry,
                io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
            ):
                writer = csv_writer(text)
                writer.writerow([str(h) for h in headers])
                writer.writerows(rows)


def drawn_chart(spec):
    """A chart for the PDF: SVG, or for a right-to-left language a PNG at twice the size
    (WeasyPrint lays out SVG text without Arabic shaping or bidi; vl-convert's own
    renderer shapes it). Markup to put in the document as it is."""
    import base64

    import vl_convert

    if not get_language_bidi():
        return vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION)
    png = vl_convert.vegalite_to_png(spec, vl_version=VL_VERSION, scale=2)
    title = spec.get("title") or next(
        (layer.get("title") for layer in spec.get("layer", []) if layer.get("title")), ""
    )
    title = title.get("text", "") if isinstance(title, dict) else title
    width = int.from_bytes(png[16:20], "big") // 2  # the PNG header's width, at scale 1
    return format_html(
        '<img src="data:image/png;base64,{}" width="{}" alt="{}">',
        base64.b64encode(png).decode(),
        width,
        title,
    )


def chart_svgs(data):
    """The dashboard charts for this report, drawn on the server (drawn_chart)."""

    adoption = {**_plan_labels(), "none": _("Not adopted")}
    compliance = _report_labels()
    summary = data["summary"]
    completion = dict(Completion.choices)
    specs = {
        "adoption": charts.status_bar(
            [
                (k, str(adoption[k]), summary["plan_adoption"][k])
                for k in ("on_time", "late", "none")
            ],
            _("Plans of action"),
        ),
        "compliance": charts.status_bar(
            [
                (k, str(compliance[k]), summary["report_compliance"][k])
                for k in ("on_time", "late", "none")
            ],
            _("Reports for this cycle"),
        ),
        "completion": charts.category_bar(
            [(k, str(completion[k]), n) for k, n in summary["completion"].items()],
            _("Actions by completion"),
            charts.COMPLETION_COLOURS,
        ),
    }
    svgs = {}
    for name, spec in specs.items():
        spec = {**spec, "width": 460}
        # Measured in the font the PDF draws it with, so that no label overflows.
        spec["config"] = {**spec.get("config", {}), "font": "DejaVu Sans"}
        svgs[name] = drawn_chart(spec)
    return svgs


def html_context(data, *, for_pdf=False, svgs=None):
    """What the document template shows. Lists that would run to thousands of pages are
    cut; each cut says how many items are left out and where to find them all."""
    actions = data["actions"]
    annex = list(actions) if len(actions) <= HTML_ANNEX_LIMIT else None
    if annex is not None:
        narratives = {}
        for item in data["progress"]:
            narratives.setdefault(item["action"], []).append(item)
        for action in annex:
            action["target_date_text"] = (
                _long_date(_date(action["target_date"])) if action["target_date"] else ""
            )
            action["progress"] = narratives.get(action["id"], [])
            for update in action["progress"]:
                update["date_text"] = _long_date(_date(update["date"]))
    good_practices = _head(data["good_practices"], HTML_GOOD_PRACTICES_LIMIT)
    readable = []
    for name, headers, rows in tables(data):
        if name in ("actions", "progress"):
            continue
        if name == "good_practices":
            rows = [[g["parliament"], g["title"], g["type"]] for g in good_practices]
        if name == "parliaments":
            rows = rows[:HTML_PARLIAMENTS_LIMIT]
        if name == "ratifications_since_rabat":
            rows = rows[:HTML_RATIFICATIONS_LIMIT]
        rows = [[_html_cell(value) for value in row] for row in rows]
        readable.append((name, headers, rows))
    objective_titles = []
    for objective in data["objectives"]:
        titles = _head(objective["action_titles"], HTML_OBJECTIVE_TITLES_LIMIT)
        if titles:
            more = len(objective["action_titles"]) - len(titles)
            objective_titles.append((objective, titles, more))
    return {
        "data": data,
        "due_date": _long_date(_date(data["report"]["due_date"])),
        "generated_on": _long_date(datetime.datetime.fromisoformat(data["report"]["generated_at"])),
        "tables": readable,
        "for_pdf": for_pdf,
        "svgs": svgs or {},
        "annex": annex,
        "actions_total": len(actions),
        "good_practices_total": len(data["good_practices"]),
        "good_practices_shown": len(good_practices),
        "objective_titles": objective_titles,
        "joined_total": len((data.get("ratifications_since_rabat") or {}).get("states", [])),
        "joined_shown": min(
            len((data.get("ratifications_since_rabat") or {}).get("states", [])),
            HTML_RATIFICATIONS_LIMIT,
        ),
        "parliaments_total": len(data["parliaments"]),
        "parliaments_shown": min(len(data["parliaments"]), HTML_PARLIAMENTS_LIMIT),
        "without_plan": data["parliaments_without_plan"][:HTML_PARLIAMENTS_LIMIT],
        "without_plan_more": max(0, len(data["parliaments_without_plan"]) - HTML_PARLIAMENTS_LIMIT),
    }


def _long_date(value):
    """A date as the report's language writes it: "18 June 2019", "18 juin 2019"."""
    return date_format(value)


def _html_cell(value):
    if isinstance(value, datetime.date):
        return _long_date(value)
    return "" if value is None else value


def _head(rows, count):
    if isinstance(rows, Rows):
        return rows.head(count)
    return list(itertools.islice(rows, count))


def to_html(data, *, for_pdf=False, svgs=None):
    return render_to_string(
        "reports/report_document.html", html_context(data, for_pdf=for_pdf, svgs=svgs)
    )


def write_html(data, path, progress=None):
    with open(path, "w", encoding="utf-8") as out:
        out.write(to_html(data))


def write_pdf(data, path, progress=None):
    """The HTML document printed by WeasyPrint, with the charts drawn as SVG."""
    from weasyprint import HTML

    progress = progress or (lambda fraction: None)
    html = to_html(data, for_pdf=True, svgs=chart_svgs(data))
    progress(0.2)
    document = HTML(string=html).render()
    del html
    progress(0.8)
    document.write_pdf(path)


WRITERS = {
    "json": write_json,
    "xlsx": write_xlsx,
    "csv": write_csv_zip,
    "html": write_html,
    "pdf": write_pdf,
}
EXTENSIONS = {"json": "json", "xlsx": "xlsx", "csv": "zip", "html": "html", "pdf": "pdf"}
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
