"""manage.py import_ratifications FILE [--dry-run]: apply a list of states parties."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from parliaments.ratifications import formats
from parliaments.ratifications.services import apply_listing


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of: not a date (YYYY-MM-DD): {value!r}", returncode=2) from error


class Command(BaseCommand):
    help = (
        "Apply a list of states parties to an instrument: the UN Treaty Collection's status "
        "XML, NORMLEX's ratification table (HTML or CSV) or the project's CSV (the columns "
        "of parliaments/data/ratifications). Safe to run again; an older source never "
        "overwrites a newer one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=["auto", "csv", "un-xml", "normlex"],
            default="auto",
            help="auto: .xml is the UN's, .htm(l) NORMLEX's, a CSV with an 'instrument' "
            "column ours and any other CSV NORMLEX's.",
        )
        parser.add_argument("--instrument", help="The instrument's code (UN XML, NORMLEX).")
        parser.add_argument("--as-of", type=_date, help="The date the list was current.")
        parser.add_argument("--source", default="", help="Where the list comes from (a URL).")
        parser.add_argument(
            "--complete",
            action="store_true",
            help="Our CSV only: the list is complete, so states missing from it are not party.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change, write nothing."
        )

    def handle(self, *args, file, format, instrument, as_of, source, complete, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=2) from error
        kind = format if format != "auto" else _guess(path, data)
        try:
            if kind == "csv":
                listing = formats.read_csv(data.decode("utf-8-sig"), as_of=as_of, complete=complete)
                listing.source = source or listing.source
            else:
                if not instrument:
                    raise formats.FormatError(f"give --instrument for a {kind} file")
                reader = formats.read_un_xml if kind == "un-xml" else formats.read_normlex
                listing = reader(data, instrument=instrument.upper(), source=source, as_of=as_of)
            if listing.as_of is None:
                raise formats.FormatError("the list says not when it was current: give --as-of")
            outcomes = apply_listing(listing, dry_run=dry_run)
        except (formats.FormatError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}", returncode=2) from error
        except DatabaseError as error:
            raise CommandError(f"{file}: not imported: {error}", returncode=2) from error
        for outcome in outcomes:
            for line in outcome.changes:
                self.stdout.write(f"  {line}")
            self.stdout.write(str(outcome))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")


def _guess(path, data):
    suffix = path.suffix.lower()
    if suffix == ".xml" or data.lstrip().startswith(b"<?xml"):
        return "un-xml"
    if suffix in (".htm", ".html") or b"<table" in data[:20000].lower():
        return "normlex"
    first = data.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return "csv" if first and "instrument" in first[0].lower().split(",") else "normlex"
