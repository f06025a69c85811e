"""Reporting cycles opened and changed by the secretariat on the site (the reference files
still load theirs; an edit made here is kept, as an admin edit is)."""

from django.db import transaction

from commitments.models import Cycle
from compact_tracker import pagecache
from parliaments.models import CycleParliament

CYCLE_FIELDS = (
    "code",
    "title",
    "title_fr",
    "kind",
    "due_date",
    "due_date_precision",
    "commitment",
    "description",
    "reporters",
    "source",
)


def _list(cycle, parliaments):
    """The cycle's listed parliaments become `parliaments` (none when all report)."""
    wanted = set() if cycle.reporters == Cycle.Reporters.ALL else {p.pk for p in parliaments}
    listed = set(CycleParliament.objects.filter(cycle=cycle).values_list("parliament", flat=True))
    CycleParliament.objects.filter(cycle=cycle, parliament__in=listed - wanted).delete()
    CycleParliament.objects.bulk_create(
        [CycleParliament(cycle=cycle, parliament_id=pk) for pk in sorted(wanted - listed)]
    )
    if wanted - listed:
        pagecache.changed(pagecache.REFERENCE)  # a bulk insert sends no signal


@transaction.atomic
def cycle_open(*, actor, parliaments=(), **data):
    """Open a reporting cycle: validated like every row (a unique code, the choices), with
    the parliaments that report in it when it is not for all. Returns the cycle."""
    cycle = Cycle(**{name: data[name] for name in CYCLE_FIELDS if name in data})
    cycle.full_clean(exclude=["reference_values"])
    cycle.save()
    _list(cycle, parliaments)
    return cycle


@transaction.atomic
def cycle_update(*, actor, cycle, parliaments=(), **data):
    """Change a cycle's fields and who reports in it."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    for name in CYCLE_FIELDS:
        if name in data:
            setattr(cycle, name, data[name])
    cycle.full_clean(exclude=["reference_values"])
    cycle.save()
    _list(cycle, parliaments)
    return cycle
