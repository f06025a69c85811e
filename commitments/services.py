"""Writes to what was promised: loading the reference data from `commitments/data/`."""

import tomllib
from pathlib import Path

from django.db import transaction

from commitments.models import Commitment, Cycle, Framework, GuidingPrinciple, Instrument, Objective
from compact_tracker.refdata import sync_reference_rows

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
    return results
