"""Reading the lists of states parties: the UN Treaty Collection's status XML (MTDSG, one
file per treaty), NORMLEX's ratification table (saved as HTML or CSV) and our own CSV (the
reference files' columns). Each reader gives a `Listing`: what the list says per state,
the date it was current, and whether it is complete (only a complete list lets a missing
state be called "not party"). A file that cannot be read raises `FormatError` with one
line saying why."""

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from parliaments.ratifications.models import Ratification

Status, DateKind, Precision, Quality = (
    Ratification.Status,
    Ratification.DateKind,
    Ratification.Precision,
    Ratification.Quality,
)


class FormatError(ValueError):
    """The file is not a list this reader understands (the message says why)."""


@dataclass(frozen=True)
class Record:
    """What a list says of one state."""

    instrument: str
    country: str  # as the source writes it
    iso2: str  # "" where the name could not be mapped without doubt
    status: str
    date: datetime.date | None = None
    date_kind: str = ""
    precision: str = Precision.DAY
    note: str = ""
    quality: str = ""  # the listing's when empty
    source: str = ""  # the listing's when empty
    by_name: bool = True  # False: no iso2 means "not mapped without doubt", never guessed


@dataclass
class Listing:
    records: list
    source: str
    quality: str
    as_of: datetime.date | None
    complete: bool
    instrument: str | None = None
    problems: list = field(default_factory=list)  # rows left out, with why


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            # English, and French (NORMLEX's French pages)
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "févr", "fevr", "février"),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "décembre"),
        ],
        start=1,
    )
    for name in names
}
# "5 Jun 2007", "5 Jun 2007 a" (accession), "d" (succession), "A"/"AA" (acceptance or
# approval), "2007-06-05", "05-06-2007", "2006" (a year only).
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[\s.-]+([^\W\d_]+)\.?[\s.-]+(\d{4})\s*(a|d|A|AA|c)?\b")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\s*(a|d|A|AA|c)?\b")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*(a|d|A|AA|c)?\b")
_YEAR = re.compile(r"^(\d{4})\s*(a|d|A|AA|c)?$")
SUFFIX_KIND = {
    "a": DateKind.ACCESSION,
    "d": DateKind.SUCCESSION,
    "A": DateKind.ACCEPTANCE,
    "AA": DateKind.ACCEPTANCE,
}


def parse_date(text):
    """(date, precision, suffix) from a list's date cell; (None, day, "") when empty.
    Raises FormatError for a date it cannot read."""
    text = " ".join((text or "").split())
    text = re.sub(r"^[^\W\d_]+\s+(?=\d)", "", text)  # "EIF 14-06-2020": a label before it
    if not text:
        return None, Precision.DAY, ""
    try:
        if match := _DAY_MONTH_YEAR.match(text):
            day, month, year, suffix = match.groups()
            number = MONTHS.get(month.lower().rstrip("."))
            if number is None:
                raise FormatError(f"unknown month in the date {text!r}")
            return datetime.date(int(year), number, int(day)), Precision.DAY, suffix or ""
        if match := _ISO.match(text):
            year, month, day, suffix = match.groups()
            return datetime.date(int(year), int(month), int(day)), Precision.DAY, suffix or ""
        if match := _NUMERIC.match(text):
            day, month, year, suffix = match.groups()
            return datetime.date(int(year), int(month), int(day)), Precision.DAY, suffix or ""
        if match := _YEAR.match(text):
            year, suffix = match.groups()
            return datetime.date(int(year), 1, 1), Precision.YEAR, suffix or ""
    except ValueError as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"impossible date {text!r}") from error
    raise FormatError(f"unreadable date {text!r}")


def date_kind(description, suffix=""):
    """What a date is, from the list's own words ("ratification/accession(a)", "entry
    into force for the party", …) and the letter after it."""
    if suffix in SUFFIX_KIND:
        return SUFFIX_KIND[suffix]
    words = (description or "").lower()
    if "entry into force" in words:
        return DateKind.ENTRY_INTO_FORCE
    if "deposit" in words:
        return DateKind.DEPOSIT
    if words.startswith("accession"):
        return DateKind.ACCESSION
    if words.startswith("succession"):
        return DateKind.SUCCESSION
    if "acceptance" in words or "approval" in words:
        return DateKind.ACCEPTANCE
    return DateKind.RATIFICATION


# --- Our CSV (the reference files' columns) ---------------------------------------------

CSV_COLUMNS = ("instrument", "country_in_source", "iso2", "date", "date_type", "source")


def read_csv(text, *, as_of=None, complete=False):
    """The reference files' CSV: instrument, country_in_source, iso2, date, date_type,
    status (V or V2: the quality of the source), source, note; optionally party_status
    (party, signatory, not_party, unknown; party when absent) and as_of (per row)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in CSV_COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise FormatError(f"not a ratification CSV: no column {', '.join(missing)}")
    records, sources, qualities, dates, problems = [], Counter(), set(), set(), []
    for line, row in enumerate(reader, start=2):
        try:
            day, precision, suffix = parse_date(row["date"])
        except FormatError as error:
            raise FormatError(f"line {line}: {error}") from error
        quality = (row.get("status") or row.get("quality") or "").strip() or Quality.SECONDARY
        if quality not in Quality.values:
            raise FormatError(f"line {line}: source quality {quality!r} is not V, V2 or P")
        status = (row.get("party_status") or Status.PARTY).strip()
        if status not in Status.values:
            raise FormatError(f"line {line}: status {status!r} is not one of {Status.values}")
        if row.get("as_of"):
            dates.add(parse_date(row["as_of"])[0])
        instrument = (row["instrument"] or "").strip().upper()
        if not instrument:
            raise FormatError(f"line {line}: no instrument")
        sources[(row["source"] or "").strip()] += 1
        qualities.add(quality)
        records.append(
            Record(
                instrument=instrument,
                country=(row["country_in_source"] or "").strip(),
                iso2=(row["iso2"] or "").strip().upper(),
                status=status,
                date=day,
                date_kind=date_kind(row["date_type"], suffix) if day else "",
                precision=precision,
                note=(row.get("note") or "").strip(),
                quality=quality,
                source=(row["source"] or "").strip(),
                by_name=False,
            )
        )
    if not records:
        raise FormatError("the CSV has no rows")
    if as_of is None and len(dates) == 1:
        as_of = dates.pop()
    instruments = {record.instrument for record in records}
    return Listing(
        records=records,
        # For the states a complete list leaves out: the source most of its rows cite.
        source=sources.most_common(1)[0][0],
        quality=min(qualities, key=Quality.values.index),
        as_of=as_of,
        complete=complete,
        instrument=instruments.pop() if len(instruments) == 1 else None,
        problems=problems,
    )


# --- The UN Treaty Collection's status XML (MTDSG) --------------------------------------

_STATUS_AS_AT = re.compile(r"status\s+as\s+at\s*:?\s*([0-9A-Za-z .,/-]+?\d{4})", re.IGNORECASE)


def _local(tag):
    return tag.rsplit("}", 1)[-1].lower()


def _text(element):
    return " ".join("".join(element.itertext()).split())


def read_un_xml(data, *, instrument, source="", as_of=None):
    """A treaty's status file from the UN Treaty Collection: its participants table
    (Participant, Signature, and the column of ratifications, accessions (a) and
    successions (d)) and the date it is current to ("Status as at"). Complete: every
    participant is listed, so a state not in it is not party."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise FormatError(f"not readable XML: {error}") from error
    rows = [
        [_text(entry) for entry in row if _local(entry.tag) == "entry"]
        for row in root.iter()
        if _local(row.tag) == "row"
    ]
    header_at = next(
        (i for i, row in enumerate(rows) if row and row[0].lower().startswith("participant")),
        None,
    )
    if header_at is None:
        raise FormatError("no participants table (a row starting with 'Participant')")
    header = [cell.lower() for cell in rows[header_at]]
    signature = next((i for i, name in enumerate(header) if "signature" in name), None)
    action = next(
        (
            i
            for i, name in enumerate(header)
            if any(word in name for word in ("ratification", "accession", "succession"))
        ),
        None,
    )
    if action is None:
        raise FormatError("the participants table has no ratification/accession column")
    if as_of is None:
        for element in root.iter():
            if _local(element.tag) in ("datasetdate", "statusdate", "asat"):
                as_of = parse_date(_text(element))[0]
                break
        else:
            found = _STATUS_AS_AT.search(_text(root))
            if found:
                as_of = parse_date(found.group(1).strip(" .,"))[0]
    if as_of is None:
        raise FormatError("no 'Status as at' date in the file: give --as-of")
    records = []
    for row in rows[header_at + 1 :]:
        if not row or not row[0]:
            continue
        country = re.sub(r"\s*\d+(,\s*\d+)*$", "", row[0]).strip()  # footnote numbers
        acted = row[action] if action < len(row) else ""
        signed = row[signature] if signature is not None and signature < len(row) else ""
        day, precision, suffix = parse_date(acted)
        if day:
            records.append(
                Record(instrument, country, "", Status.PARTY, day, date_kind("", suffix), precision)
            )
        elif signed:
            signed_on, precision, _suffix = parse_date(signed)
            records.append(
                Record(
                    instrument,
                    country,
                    "",
                    Status.SIGNATORY,
                    signed_on,
                    DateKind.SIGNATURE,
                    precision,
                )
            )
    if not records:
        raise FormatError("the participants table is empty")
    return Listing(records, source, Quality.VERIFIED, as_of, complete=True, instrument=instrument)


# --- NORMLEX's ratification table --------------------------------------------------------


def read_normlex(data, *, instrument, source="", as_of):
    """An ILO convention's ratifications as NORMLEX shows them (Country, Date, Status,
    Note), saved as HTML or exported as CSV. Complete for the member States: a state not
    in it has not ratified. A convention "Not in force" for a state that denounced it
    makes the state not party."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    if "<table" in text.lower():
        rows = _html_rows(text)
    else:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    header_at = next(
        (
            i
            for i, row in enumerate(rows)
            if any(c.lower() == "country" for c in row) and any(c.lower() == "date" for c in row)
        ),
        None,
    )
    if header_at is None:
        raise FormatError("no ratification table (columns Country and Date)")
    header = [cell.lower() for cell in rows[header_at]]
    names = ("country", "date", "status", "note")
    at = {name: header.index(name) for name in names if name in header}
    records = []
    for row in rows[header_at + 1 :]:
        if len(row) <= at["date"] or not row[at["country"]]:
            continue
        day, precision, _suffix = parse_date(row[at["date"]])
        state = row[at["status"]] if "status" in at and at["status"] < len(row) else ""
        note = row[at["note"]] if "note" in at and at["note"] < len(row) else ""
        denounced = "denounc" in f"{state} {note}".lower()
        records.append(
            Record(
                instrument,
                row[at["country"]],
                "",
                Status.NOT_PARTY if denounced else Status.PARTY,
                day,
                DateKind.RATIFICATION,
                precision,
                note="; ".join(part for part in (state, note) if part),
            )
        )
    if not records:
        raise FormatError("the ratification table is empty")
    if as_of is None:
        raise FormatError("NORMLEX tables carry no date: give --as-of")
    return Listing(records, source, Quality.VERIFIED, as_of, complete=True, instrument=instrument)


def _html_rows(text):
    soup = BeautifulSoup(text, "html.parser")
    rows = []
    for tr in soup.find_all("tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in tr.find_all(["th", "td"])]
        if cells:
            rows.append(cells)
    return rows
