"""A report's content in each format. HTML comes from a template (also the base of the
PDF, printed by WeasyPrint with the dashboard charts as SVG from vl-convert); XLSX has a
sheet per table; CSV is a zip of one file per table; JSON is the content itself."""

import csv
import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook

from parliaments.models import ActionType, Completion
from reports import charts

VL_VERSION = "v6_4"


def _labels():
    return {
        "on_time": _("On time"),
        "late": _("Late"),
        "none": _("None"),
    }


def tables(data):
    """The report's tables: (name, headers, rows). The same for XLSX, CSV and HTML."""
    labels = _labels()
    completion = dict(Completion.choices)
    types = dict(ActionType.choices)
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
                    p["region"],
                    p["plan_adopted_on"] or "",
                    str(labels[p["plan"]]),
                    str(labels[p["report"]]),
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
            [_("Objective"), _("Title"), _("Parliaments"), _("Actions"), _("Complete")],
            [
                [o["number"], o["title"], o["parliaments"], o["actions"], o["complete"]]
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
        (
            "good_practices",
            [_("Parliament"), _("Action"), _("Type")],
            [[g["parliament"], g["title"], g["type"]] for g in data["good_practices"]],
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
            ],
            [
                [
                    a["parliament"],
                    a["title"],
                    str(types.get(a["type"], a["type"])),
                    str(completion.get(a["completion"], a["completion"])),
                    ", ".join(a["commitments"]),
                    ", ".join(str(n) for n in a["objectives"]),
                    a["instrument"] or "",
                    a["target_date"] or "",
                    a["good_practice"],
                ]
                for a in data["actions"]
            ],
        ),
    ]


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def to_xlsx(data):
    book = Workbook()
    book.remove(book.active)
    for name, headers, rows in tables(data):
        sheet = book.create_sheet(name[:31])
        sheet.append([str(h) for h in headers])
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv_zip(data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, headers, rows in tables(data):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow([str(h) for h in headers])
            writer.writerows(rows)
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def chart_svgs(data):
    """The dashboard charts for this report, drawn as SVG on the server."""
    import vl_convert

    labels = _labels()
    summary = data["summary"]
    completion = dict(Completion.choices)
    specs = {
        "adoption": charts.status_bar(
            [(k, str(labels[k]), summary["plan_adoption"][k]) for k in ("on_time", "late", "none")],
            _("Plans of action"),
        ),
        "compliance": charts.status_bar(
            [
                (k, str(labels[k]), summary["report_compliance"][k])
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
        svgs[name] = vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION)
    return svgs


def to_html(data, *, for_pdf=False, svgs=None):
    return render_to_string(
        "reports/report_document.html",
        {"data": data, "tables": tables(data), "for_pdf": for_pdf, "svgs": svgs or {}},
    ).encode()


def to_pdf(data):
    from weasyprint import HTML

    html = to_html(data, for_pdf=True, svgs=chart_svgs(data)).decode()
    return HTML(string=html).write_pdf()


RENDERERS = {
    "json": to_json,
    "xlsx": to_xlsx,
    "csv": to_csv_zip,
    "html": to_html,
    "pdf": to_pdf,
}
EXTENSIONS = {"json": "json", "xlsx": "xlsx", "csv": "zip", "html": "html", "pdf": "pdf"}
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
