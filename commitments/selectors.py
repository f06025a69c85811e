"""Reads of what was promised. Views, the API and reports get their querysets here."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from commitments.models import Commitment, Cycle, Instrument, Objective, ObjectiveSdgTarget


def objective_list():
    """All GCM objectives, in number order."""
    return Objective.objects.order_by("number")


def objective_get(number):
    """One objective with its commitments (and their framework), instruments and SDG
    targets; 404 if none."""
    queryset = Objective.objects.prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.select_related("framework")),
        Prefetch("instruments", queryset=Instrument.objects.order_by("category", "code")),
        Prefetch("sdg_links", queryset=ObjectiveSdgTarget.objects.select_related("target")),
    )
    return get_object_or_404(queryset, number=number)


def commitment_list():
    """All commitments, in document order, with their framework and objectives."""
    return (
        Commitment.objects.select_related("framework")
        .prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("number")))
        .order_by("framework__adopted_on", "position", "code")
    )


def commitment_get(code):
    """One commitment with its objectives, the instruments whose ratification fulfils it,
    and the cycles that report on it; 404 if none."""
    queryset = commitment_list().prefetch_related(
        Prefetch("cycles", queryset=Cycle.objects.order_by("due_date")),
        Prefetch("instruments", queryset=Instrument.objects.order_by("category", "code")),
    )
    return get_object_or_404(queryset, code=code)


def instrument_list():
    return Instrument.objects.prefetch_related("objectives").order_by("category", "code")


def cycle_list():
    """All reporting cycles, soonest due first."""
    return Cycle.objects.select_related("commitment").order_by("due_date", "code")
