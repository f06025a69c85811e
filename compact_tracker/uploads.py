"""The guard in front of every uploaded zip-based file (XLSX, DOCX, ODT): decompression
bombs are refused before anything parses them.

`check_zip` reads only the zip's central directory: how many members, how large they say
they unpack, how far they are compressed. Declared sizes can lie, so `check_xlsx` then
streams every XML member through a byte cap (`capped_read`) and an expat parser that
keeps no tree: it counts shared strings, rows and columns, and refuses a DOCTYPE (entity
expansion). Only a file that passes is handed to openpyxl, whose memory is then bounded by
these limits. The compression-ratio limit follows Apache POI's ZipSecureFile (100 to 1)."""

import io
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MB = 1024 * 1024
CHUNK = 64 * 1024
# A member this small cannot be a bomb whatever its ratio (an empty XML part is "100 to 1").
RATIO_FLOOR = 1 * MB


class UnsafeArchive(ValueError):
    """The upload is not a zip that may be opened; the message says why, for the user."""


@dataclass(frozen=True)
class ZipLimits:
    max_total: int  # bytes, all members unpacked
    max_ratio: int  # unpacked size to packed size
    max_members: int


# Evidence and plan documents: stored, never parsed here, but they must be sound zips that
# whoever opens them later can open safely. 10 MB of packed text is about 100 MB of XML.
DOCUMENT_LIMITS = ZipLimits(max_total=200 * MB, max_ratio=100, max_members=10_000)


def _as_file(file):
    return io.BytesIO(file) if isinstance(file, (bytes, bytearray)) else file


def _name(file):
    """The file as messages name it: “actions.xlsx”, or "The file" when it has no name."""
    name = getattr(file, "name", None)
    return f"“{name}”" if name else _("The file")


def _open(file):
    if hasattr(file, "seek"):
        file.seek(0)
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnsafeArchive(
            _("%(name)s is damaged or incomplete: it cannot be opened.") % {"name": _name(file)}
        ) from error


def check_zip(file, *, max_total, max_ratio, max_members):
    """Refuse a zip from its central directory alone: too many members, too large once
    unpacked, or compressed further than real documents are. Returns the members
    (ZipInfo). `file` is a path or a binary file object (rewound)."""
    file = _as_file(file)
    name = _name(file)
    with _open(file) as archive:
        members = archive.infolist()
    if hasattr(file, "seek"):
        file.seek(0)
    if len(members) > max_members:
        raise UnsafeArchive(
            _(
                "%(name)s holds %(count)s files inside it; at most %(max)s are accepted. "
                "It was refused."
            )
            % {
                "name": name,
                "count": number_format(len(members), force_grouping=True),
                "max": number_format(max_members, force_grouping=True),
            }
        )
    total = sum(info.file_size for info in members)
    packed = sum(info.compress_size for info in members)
    if total > max_total:
        raise UnsafeArchive(
            _("%(name)s unpacks to %(size)s; at most %(max)s is accepted. It was refused.")
            % {"name": name, "size": filesizeformat(total), "max": filesizeformat(max_total)}
        )
    for info in members:
        big = info.file_size > RATIO_FLOOR
        if big and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafeArchive(
                _(
                    "%(name)s unpacks to %(ratio)s times its size (%(member)s), far more "
                    "than a real document; at most %(max)s times is accepted. It was refused."
                )
                % {
                    "name": name,
                    "ratio": number_format(info.file_size // max(info.compress_size, 1), 0),
                    "member": info.filename,
                    "max": max_ratio,
                }
            )
    if total > RATIO_FLOOR and total > max_ratio * max(packed, 1):
        raise UnsafeArchive(
            _(
                "%(name)s unpacks to %(ratio)s times its size, far more than a real "
                "document; at most %(max)s times is accepted. It was refused."
            )
            % {"name": name, "ratio": total // max(packed, 1), "max": max_ratio}
        )
    return members


def capped_read(archive, info, budget, name):
    """Yield the unpacked bytes of member `info` in chunks, refusing past `budget` bytes
    (whatever its declared size). A damaged member (bad CRC) is refused too."""
    seen = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > budget:
                    raise UnsafeArchive(
                        _("%(name)s unpacks to more than %(max)s. It was refused.")
                        % {"name": name, "max": filesizeformat(budget)}
                    )
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        raise UnsafeArchive(
            _("%(name)s is damaged or incomplete: it cannot be opened.") % {"name": name}
        ) from error


def check_document_zip(file, limits=DOCUMENT_LIMITS):
    """A zip-based document (DOCX, XLSX, ODT) that is a sound zip within `limits`: its
    central directory passes check_zip, and every member unpacks, within the total, with a
    correct checksum. Nothing is kept in memory."""
    name = _name(file)
    file = _as_file(file)
    members = check_zip(
        file,
        max_total=limits.max_total,
        max_ratio=limits.max_ratio,
        max_members=limits.max_members,
    )
    budget = limits.max_total
    with _open(file) as archive:
        for info in members:
            for chunk in capped_read(archive, info, budget, name):
                budget -= len(chunk)
    if hasattr(file, "seek"):
        file.seek(0)


# --- XLSX: rows, columns and shared strings, counted without building anything -----------

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_RANGE = re.compile(r"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml$")


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass(frozen=True)
class XlsxLimits(ZipLimits):
    max_rows: int = 5000
    max_columns: int = 50
    max_strings: int = 100_000


class _Counter:
    """Expat handlers counting what openpyxl would build, with the caps applied as the
    bytes stream in."""

    def __init__(self, limits, name, member):
        self.limits, self.name, self.member = limits, name, member
        self.strings = 0
        self.rows = 0
        self.cells_in_row = 0

    def start(self, tag, attrs):
        tag = tag.rpartition(" ")[2]
        if tag == "si":
            self.strings += 1
            if self.strings > self.limits.max_strings:
                raise UnsafeArchive(
                    _(
                        "%(name)s holds more than %(max)s different texts; a spreadsheet "
                        "of actions holds far fewer. It was refused."
                    )
                    % {
                        "name": self.name,
                        "max": number_format(self.limits.max_strings, force_grouping=True),
                    }
                )
        elif tag == "dimension":
            match = _RANGE.match(attrs.get("ref", "").replace("$", ""))
            if match:
                last_column, last_row = match.group(3) or match.group(1), match.group(4)
                self._check_row(int(last_row or match.group(2)))
                self._check_column(_column_number(last_column))
        elif tag == "row":
            self.rows += 1
            self.cells_in_row = 0
            self._check_row(max(self.rows, int(attrs.get("r", 0) or 0)))
        elif tag == "c":
            self.cells_in_row += 1
            match = _CELL_REF.match(attrs.get("r", ""))
            column = _column_number(match.group(1)) if match else 0
            self._check_column(max(self.cells_in_row, column))

    def _check_row(self, row):
        if row > self.limits.max_rows + 1:  # + the header row
            raise UnsafeArchive(
                _("The sheet has more than %(max)s rows; at most %(max)s actions per file.")
                % {"max": number_format(self.limits.max_rows, force_grouping=True)}
            )

    def _check_column(self, column):
        if column > self.limits.max_columns:
            raise UnsafeArchive(
                _(
                    "The sheet has more than %(max)s columns; start from a file downloaded "
                    "from this page."
                )
                % {"max": self.limits.max_columns}
            )

    @staticmethod
    def doctype(*args):
        raise UnsafeArchive(_("The file declares XML entities, which are not accepted."))


def check_xlsx(file, limits):
    """check_zip, then stream every XML member of the workbook through a byte cap and
    a tree-less parser: the shared strings, and the rows and columns of every sheet, are
    counted against `limits` (a sheet's <dimension> first, then each row as it comes)."""
    file = _as_file(file)
    name = _name(file)
    members = check_zip(
        file,
        max_total=limits.max_total,
        max_ratio=limits.max_ratio,
        max_members=limits.max_members,
    )
    budget = limits.max_total
    with _open(file) as archive:
        for info in members:
            member = info.filename
            if not member.endswith((".xml", ".rels")):
                continue
            counter = _Counter(limits, name, member)
            parser = expat.ParserCreate(namespace_separator=" ")
            parser.StartDoctypeDeclHandler = counter.doctype
            if member == "xl/sharedStrings.xml" or _SHEET.match(member):
                parser.StartElementHandler = counter.start
            try:
                for chunk in capped_read(archive, info, budget, name):
                    budget -= len(chunk)
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except expat.ExpatError as error:
                raise UnsafeArchive(
                    _("%(name)s is damaged: %(part)s is not readable XML.")
                    % {"name": name, "part": member}
                ) from error
    if hasattr(file, "seek"):
        file.seek(0)
