"""CSV and XLSX downloads of dashboard tables, through tablib."""

import tablib
from django.http import HttpResponse

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(name, headers, rows, file_format):
    """A download of one table; `rows` are sequences of plain values."""
    dataset = tablib.Dataset(
        *[[_plain(v) for v in row] for row in rows], headers=[str(h) for h in headers]
    )
    dataset.title = name[:31]
    content = dataset.export(file_format)
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return str(value)
