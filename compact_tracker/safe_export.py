"""What every CSV and XLSX the tracker writes goes through, so that text people typed is
never run as a formula by the spreadsheet that opens the file (CSV or formula injection).

The rule is OWASP's: a text cell that starts with =, +, -, @, a tab or a carriage return
is written with a single quote in front (`'=1+1`), which spreadsheets show as text. A text
that already starts with quotes followed by one of those characters gets one more quote
(`'=1+1` typed by someone is written `''=1+1`), so the prefix is always exactly one quote
and `unneutralise` can take it off again: the spreadsheet import gives back exactly what
was typed. Numbers, dates and other non-text values are left alone.

In XLSX, text cells are also always written as text: openpyxl would otherwise store a
string starting with "=" as a formula, and "#N/A" as an error value."""

import csv
import io
import re

from django_tables2.export import ExportMixin, TableExport
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
_NEEDS_PREFIX = re.compile(r"'*[=+\-@\t\r]")


def neutralise(value):
    """`value` made safe for a spreadsheet cell: text that a spreadsheet would run gets a
    leading single quote; anything else comes back unchanged."""
    if isinstance(value, str) and _NEEDS_PREFIX.match(value):
        return PREFIX + value
    return value


def unneutralise(value):
    """The inverse of `neutralise`, for a cell read back from a file this app wrote."""
    if isinstance(value, str) and value.startswith(PREFIX) and _NEEDS_PREFIX.match(value, 1):
        return value[1:]
    return value


def neutralise_row(row):
    return [neutralise(value) for value in row]


def xlsx_cell(sheet, value, number_format=None):
    """A cell for `sheet.append()`: text neutralised and stored as text, never as a
    formula or an error value. Works for normal and write-only sheets."""
    value = neutralise(value)
    make = WriteOnlyCell if _write_only(sheet) else Cell
    try:
        cell = make(sheet, value=value)
    except (TypeError, ValueError):  # e.g. a time-zone-aware datetime: Excel has no zones
        value = neutralise(str(value))
        cell = make(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def xlsx_row(sheet, row):
    return [value if isinstance(value, Cell) else xlsx_cell(sheet, value) for value in row]


def _write_only(sheet):
    return type(sheet).__name__ == "WriteOnlyWorksheet"


def csv_writer(stream, **options):
    """A csv.writer whose rows are neutralised."""
    return _SafeWriter(csv.writer(stream, **options))


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(neutralise_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def table_bytes(headers, rows, file_format, title="Sheet"):
    """A whole table as CSV (UTF-8) or XLSX bytes, neutralised. `rows` are sequences of
    plain values (text, numbers, dates)."""
    if file_format == "csv":
        text = io.StringIO()
        writer = csv_writer(text)
        writer.writerow([str(h) for h in headers])
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")
    if file_format != "xlsx":
        raise ValueError(f"Unsupported format: {file_format}")
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    bold = Font(bold=True)
    header_cells = xlsx_row(sheet, [str(h) for h in headers])
    for cell in header_cells:
        cell.font = bold
    sheet.append(header_cells)
    sheet.freeze_panes = "A2"
    widths = [len(str(h)) for h in headers]
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], min(len(str(value)), 60))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title):
    return re.sub(r"[\\*?:/\[\]]", "-", str(title or "Sheet"))[:31]


class SafeTableExport(TableExport):
    """django-tables2's export, written through `table_bytes` (CSV and XLSX only)."""

    FORMATS = {
        TableExport.CSV: TableExport.FORMATS[TableExport.CSV],
        TableExport.XLSX: TableExport.FORMATS[TableExport.XLSX],
    }

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS

    def export(self):
        dataset = self.dataset
        return table_bytes(dataset.headers or [], list(dataset), self.format, dataset.title)


class SafeExportMixin(ExportMixin):
    """ExportMixin for the web lists, whose CSV and XLSX never carry a live formula."""

    export_class = SafeTableExport
