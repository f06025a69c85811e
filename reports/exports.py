"""CSV and XLSX downloads of dashboard tables, written through compact_tracker.safe_export
(no cell is ever a live formula)."""

from django.http import HttpResponse

from compact_tracker.safe_export import table_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(name, headers, rows, file_format):
    """A download of one table; `rows` are sequences of plain values."""
    content = table_bytes(
        [str(h) for h in headers],
        [[_plain(v) for v in row] for row in rows],
        file_format,
        title=name,
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return str(value)
