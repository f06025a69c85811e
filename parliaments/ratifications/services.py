"""Applying a list of states parties: one status per state and instrument, in one
transaction. Idempotent (the same list twice changes nothing the second time); an older
source never overwrites a newer one, nor a secondary copy an official list of the same
date; a complete list makes the states it leaves out "not party" as of its date, a partial
one says nothing of them (they stay unknown)."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from commitments.models import Instrument
from compact_tracker import pagecache
from compact_tracker.countries import sort_key
from parliaments.ratifications import formats
from parliaments.ratifications.models import Ratification
from parliaments.ratifications.proposals import record_changes

Status, Quality = Ratification.Status, Ratification.Quality
# A better source of the same date wins: an official list over a secondary copy over a
# parliament's own word.
QUALITY_RANK = {Quality.VERIFIED: 3, Quality.SECONDARY: 2, Quality.REPORTED: 1}
FIELDS = ("status", "date", "date_kind", "date_precision", "source", "as_of", "quality", "note")

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "ratifications"


@dataclass
class Outcome:
    """What applying a list did (or, in a dry run, would do)."""

    instrument: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_newer: int = 0
    not_members: list = field(default_factory=list)  # names the tracker has no parliament for
    changes: list = field(default_factory=list)  # one line per change
    written: list = field(default_factory=list)  # the existing rows updated

    def __str__(self):
        line = (
            f"{self.instrument}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept_newer} kept (newer or better source)"
        )
        if self.not_members:
            line += f"; {len(self.not_members)} not IPU members or not recognised: " + ", ".join(
                sorted(self.not_members)[:10]
            )
        return line


def country_index(parliaments):
    """{name key: iso2}: each parliament's English name, its names in the other languages
    and pycountry's names for its code, accents and case ignored. A key that two states
    share is left out (no guessing)."""
    import pycountry

    seen = {}
    for parliament in parliaments:
        names = {parliament.name, *(parliament.names or {}).values()}
        country = pycountry.countries.get(alpha_2=parliament.iso2)
        if country is not None:
            for attribute in ("name", "official_name", "common_name"):
                if value := getattr(country, attribute, None):
                    names.add(value)
        for name in list(names):
            # "Bolivia (Plurinational State of)", "Moldova, Republic of" → "Bolivia", "Moldova"
            for separator in (" (", ", "):
                if separator in name:
                    names.add(name.split(separator, 1)[0])
        for name in names:
            seen.setdefault(sort_key(name), set()).add(parliament.iso2)
    return {key: codes.pop() for key, codes in seen.items() if len(codes) == 1}


@transaction.atomic
def apply_listing(listing, *, actor=None, dry_run=False):
    """Apply `listing` (formats.Listing) for its instrument(s); returns [Outcome] per
    instrument. In a dry run the transaction is rolled back: the outcome says what would
    change."""
    from parliaments.models import Parliament

    parliaments = list(Parliament.objects.all())
    by_iso2 = {p.iso2: p for p in parliaments}
    index = country_index(parliaments)
    instruments = Instrument.objects.in_bulk(field_name="code")
    codes = sorted({record.instrument for record in listing.records})
    unknown = [code for code in codes if code not in instruments]
    if unknown:
        raise formats.FormatError(f"unknown instrument code(s): {', '.join(unknown)}")
    outcomes, new_rows = [], []
    for code in codes:
        instrument = instruments[code]
        outcome = Outcome(code)
        outcome.new_rows = new_rows
        existing = {r.parliament_id: r for r in Ratification.objects.filter(instrument=instrument)}
        listed = set()
        for record in (r for r in listing.records if r.instrument == code):
            iso2 = record.iso2
            if not iso2 and record.by_name:
                iso2 = index.get(sort_key(record.country), "")
            parliament = by_iso2.get(iso2)
            if parliament is None:
                outcome.not_members.append(record.country or iso2)
                continue
            listed.add(parliament.pk)
            values = {
                "status": record.status,
                "date": record.date,
                "date_kind": record.date_kind,
                "date_precision": record.precision,
                "source": record.source or listing.source,
                "as_of": listing.as_of,
                "quality": record.quality or listing.quality,
                "note": record.note,
            }
            _put(outcome, existing.get(parliament.pk), parliament, instrument, values, actor)
        if listing.complete:
            for parliament in parliaments:
                if parliament.pk in listed:
                    continue
                values = {
                    "status": Status.NOT_PARTY,
                    "date": None,
                    "date_kind": "",
                    "date_precision": Ratification.Precision.DAY,
                    "source": listing.source,
                    "as_of": listing.as_of,
                    "quality": listing.quality,
                    "note": "",
                }
                _put(outcome, existing.get(parliament.pk), parliament, instrument, values, actor)
        outcomes.append(outcome)
    # New rows in one statement, each with its first history record; the changes feed
    # carries every status written.
    bulk_create_with_history(new_rows, Ratification, default_user=actor)
    written = new_rows + [row for outcome in outcomes for row in outcome.written]
    record_changes(written)
    if dry_run:
        transaction.set_rollback(True)
    elif written:
        pagecache.changed(pagecache.REFERENCE)  # the bulk insert sent no signal
    return outcomes


def _put(outcome, current, parliament, instrument, values, actor):
    label = f"{parliament.iso2} {instrument.code}"
    if current is None:
        row = Ratification(parliament=parliament, instrument=instrument, **values)
        row.recorded_by = actor
        outcome.new_rows.append(row)
        outcome.created += 1
        outcome.changes.append(f"{label}: {_describe(values)} (new)")
        return
    if _newer_than(current, values):
        outcome.kept_newer += 1
        return
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        outcome.unchanged += 1
        return
    before = _describe({name: getattr(current, name) for name in FIELDS})
    for name, value in changed.items():
        setattr(current, name, value)
    current.recorded_by = actor
    current.verified_by = current.verified_at = None
    current._history_user = actor
    current.save()
    outcome.written.append(current)
    outcome.updated += 1
    outcome.changes.append(f"{label}: {before} → {_describe(values)}")


def _newer_than(current, values):
    """Whether what is recorded comes from a newer source than `values` (or from a better
    one of the same date): then it is kept."""
    if current.as_of and values["as_of"]:
        if current.as_of != values["as_of"]:
            return current.as_of > values["as_of"]
        return QUALITY_RANK[current.quality] > QUALITY_RANK[values["quality"]]
    return bool(current.as_of) and not values["as_of"]


def _describe(values):
    text = values["status"]
    if values["date"]:
        date = values["date"].year if values["date_precision"] == "year" else values["date"]
        text += f" ({values['date_kind'] or 'dated'} {date})"
    return text


def reference_listings():
    """The reference lists in parliaments/data/ratifications (copied from the project's
    shared reference folder), with what sources.toml says of each: the date it was
    current and whether it is complete."""
    sources = tomllib.loads((REFERENCE_DIR / "sources.toml").read_text(encoding="utf-8"))
    for name, about in sorted(sources["list"].items()):
        text = (REFERENCE_DIR / f"{name}.csv").read_text(encoding="utf-8")
        listing = formats.read_csv(text, as_of=about["as_of"], complete=about["complete"])
        yield listing


def ratifications_reference_load():
    """Load every reference list (load_reference_data): [Outcome]."""
    outcomes = []
    for listing in reference_listings():
        outcomes += apply_listing(listing)
    return outcomes
