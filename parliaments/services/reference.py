"""Reference data: the IPU member parliaments, loaded from the CSV files in parliaments/data."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation

from compact_tracker.countries import country_name, sort_key
from compact_tracker.refdata import sync_reference_rows
from parliaments.models import Parliament

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _names(iso2, name):
    """The country's name in the interface's other languages (CLDR, through Babel) and,
    per language, the key it is alphabetised by."""
    names = {}
    for language, _label in settings.LANGUAGES:
        if language != "en":
            with translation.override(language):
                localized = country_name(iso2, name)
            if localized != name:
                names[language] = localized
    sort_names = {
        language: sort_key(names.get(language, name)) for language, _label in settings.LANGUAGES
    }
    return {"names": names, "sort_names": sort_names}


def _parliament_rows():
    import pycountry

    with open(DATA_DIR / "ipu-members-evidence.csv", newline="", encoding="utf-8") as handle:
        evidence = {row["iso3166_alpha2"]: row for row in csv.DictReader(handle)}
    with open(DATA_DIR / "ipu-members.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            extra = evidence.get(row["iso3166_alpha2"], {})
            yield {
                "iso2": row["iso3166_alpha2"],
                "iso3": row["iso3166_alpha3"],
                "iso_numeric": getattr(
                    pycountry.countries.get(alpha_2=row["iso3166_alpha2"]), "numeric", ""
                ),
                "name": row["country_name"],
                **_names(row["iso3166_alpha2"], row["country_name"]),
                "region": row["region"].strip().lower(),
                "structure": row["structure"].strip().lower(),
                "subregion": extra.get("m49_subregion", ""),
                "membership_evidence": extra.get("evidence_level", ""),
                "is_ipu_member": True,
            }


@transaction.atomic
def parliaments_reference_load():
    """Load the 180 IPU member parliaments (reference/ipu-members.csv). Idempotent; keeps
    fields the secretariat edited in the admin. Returns one SyncResult."""
    return [sync_reference_rows(Parliament, key="iso2", rows=list(_parliament_rows()))]
