"""Read-only endpoints for the reference data: objectives by number, commitments,
cycles and instruments by code."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from commitments import selectors
from commitments.api.serializers import (
    CommitmentSerializer,
    CycleSerializer,
    InstrumentSerializer,
    ObjectiveSerializer,
)
from commitments.models import Commitment, Instrument, ObjectiveSdgTarget


class CommitmentFilterSet(filters.FilterSet):
    objective = filters.NumberFilter(
        field_name="objectives__number",
        help_text="GCM objective number (1–23) the commitment serves, e.g. 17.",
    )
    paragraph = filters.CharFilter(help_text="Paragraph of the Rabat text, e.g. 7(a).")

    class Meta:
        model = Commitment
        fields = ["objective", "paragraph"]


class InstrumentFilterSet(filters.FilterSet):
    category = filters.ChoiceFilter(
        choices=Instrument.Category.choices, help_text="e.g. ilo or un-human-rights."
    )
    objective = filters.NumberFilter(
        field_name="objectives__number", help_text="GCM objective number, e.g. 10."
    )

    class Meta:
        model = Instrument
        fields = ["category", "objective"]


@extend_schema_view(
    list=extend_schema(
        summary="The 23 GCM objectives",
        description="Official English titles (A/RES/73/195) and French titles with their status.",
        examples=[
            OpenApiExample(
                "Objective 17",
                value={"number": 17, "short_label": "Eliminate discrimination"},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One GCM objective, by number (1–23)"),
)
class ObjectiveViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.objective_list().prefetch_related(
        Prefetch("sdg_links", queryset=ObjectiveSdgTarget.objects.select_related("target"))
    )
    serializer_class = ObjectiveSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["number"]


@extend_schema_view(
    list=extend_schema(
        summary="The Rabat commitments",
        description="One row per distinct promise of the Rabat outcome document (2018).",
        examples=[
            OpenApiExample(
                "Ratification", value={"code": "R7a.1", "objectives": [6, 7]}, response_only=True
            )
        ],
    ),
    retrieve=extend_schema(summary="One commitment, by code (e.g. R8.1)"),
)
class CommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.commitment_list().prefetch_related("instruments")
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9.]+"
    ordering_fields = ["code", "due_date"]


@extend_schema_view(
    list=extend_schema(
        summary="Reporting cycles",
        description="2019-plan, 2021-progress, the IMRFs and any the secretariat adds.",
    ),
    retrieve=extend_schema(summary="One cycle, by code (e.g. 2021-progress)"),
)
class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.cycle_list()
    serializer_class = CycleSerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]+"
    ordering_fields = ["due_date", "code"]


@extend_schema_view(
    list=extend_schema(
        summary="Instruments behind Rabat §7(a)",
        description="Treaties and ILO conventions parliaments may ratify.",
    ),
    retrieve=extend_schema(summary="One instrument, by code (e.g. ICRMW)"),
)
class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.instrument_list()
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]+"
    ordering_fields = ["code", "adopted_on"]
