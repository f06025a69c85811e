"""Writes to what was promised: loading the reference data from `commitments/data/`."""

import csv
import tomllib
from pathlib import Path

from django.db import transaction

from commitments.models import (
    Commitment,
    Cycle,
    Framework,
    GuidingPrinciple,
    Instrument,
    Objective,
    ObjectiveSdgTarget,
    SdgTarget,
)
from compact_tracker.refdata import SyncResult, sync_reference_rows

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name):
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def commitments_reference_load():
    """Load objectives, principles, instruments, the Rabat framework and its commitments,
    and the reporting cycles. Idempotent; keeps fields the secretariat edited in the admin
    (see compact_tracker.refdata). Returns one SyncResult per model."""
    gcm = _read("gcm.toml")
    rabat = _read("rabat-2018.toml")
    results = [
        sync_reference_rows(Objective, key="number", rows=gcm["objective"]),
        sync_reference_rows(GuidingPrinciple, key="letter", rows=gcm["principle"]),
    ]
    objectives = {objective.number: objective for objective in Objective.objects.all()}
    results.append(
        sync_reference_rows(
            Instrument,
            key="code",
            rows=_read("instruments.toml")["instrument"],
            m2m={"objectives": objectives},
        )
    )
    instruments = Instrument.objects.in_bulk(field_name="code")
    results.append(sync_reference_rows(Framework, key="code", rows=[rabat["framework"]]))
    frameworks = Framework.objects.in_bulk(field_name="code")
    commitment_rows = [
        {
            "instruments": [],
            **row,
            "framework": rabat["framework"]["code"],
            "position": position,
        }
        for position, row in enumerate(rabat["commitment"], start=1)
    ]
    results.append(
        sync_reference_rows(
            Commitment,
            key="code",
            rows=commitment_rows,
            fk={"framework": frameworks},
            m2m={"objectives": objectives, "instruments": instruments},
        )
    )
    results.append(
        sync_reference_rows(
            Cycle,
            key="code",
            rows=_read("cycles.toml")["cycle"],
            fk={"commitment": Commitment.objects.in_bulk(field_name="code")},
        )
    )
    results += sdg_reference_load()
    return results


# Target 4.b's Arabic title says 2030 where the official English, French and Spanish say
# 2020 (shared/reference/README.md): not shown until checked; the English is shown instead.
ARABIC_IN_DOUBT = {"4.b"}


def _status(text):
    """ "V2 (imported by script …)" → "V2"."""
    return (text or "").split(" ", 1)[0]


def sdg_reference_load():
    """The SDG targets in four languages (sdg-targets.csv) and the objective links the
    sources make (sdg-links.toml). Links the secretariat added (editorial) are kept."""
    with open(DATA_DIR / "sdg-targets.csv", encoding="utf-8", newline="") as handle:
        rows = [
            {
                "code": row["target"],
                "goal": int(row["target"].split(".")[0]),
                "title": row["title_en"],
                "title_fr": row["title_fr"],
                "title_es": row["title_es"],
                "title_ar": "" if row["target"] in ARABIC_IN_DOUBT else row["title_ar"],
                "title_status": _status(row["status_en_fr_es"]),
                "title_ar_status": "U"
                if row["target"] in ARABIC_IN_DOUBT
                else _status(row["status_ar"]),
                "source": row["source"][:300],
            }
            for row in csv.DictReader(handle)
        ]
    results = [sync_reference_rows(SdgTarget, key="code", rows=rows)]
    targets = SdgTarget.objects.in_bulk(field_name="code")
    objectives = Objective.objects.in_bulk(field_name="number")
    links = SyncResult(model=str(ObjectiveSdgTarget._meta.verbose_name_plural))
    for link in _read("sdg-links.toml")["link"]:
        values = {"basis": link["basis"], "source": link["source"]}
        row, created = ObjectiveSdgTarget.objects.get_or_create(
            objective=objectives[link["objective"]], target=targets[link["target"]], defaults=values
        )
        if created:
            links.created += 1
        elif (row.basis, row.source) != (values["basis"], values["source"]):
            ObjectiveSdgTarget.objects.filter(pk=row.pk).update(**values)
            links.updated += 1
        else:
            links.unchanged += 1
    results.append(links)
    return results
