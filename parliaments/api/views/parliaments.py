"""The IPU member parliaments (read only)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from parliaments.api.serializers import ParliamentSerializer
from parliaments.api.views.common import CachedListMixin
from parliaments.filters import ParliamentFilterSet
from parliaments.models import Parliament


@extend_schema_view(
    list=extend_schema(
        summary="IPU member parliaments",
        description="Filter by region or search by name or ISO code.",
        examples=[
            OpenApiExample(
                "Morocco",
                value={"iso2": "MA", "iso3": "MAR", "name": "Morocco", "region": "africa"},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One parliament, by ISO 3166 alpha-2 code (any case), e.g. MA"),
)
class ParliamentViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Parliament.objects.order_by("name")
    serializer_class = ParliamentSerializer
    filterset_class = ParliamentFilterSet
    lookup_field = "iso2"
    lookup_value_regex = "[A-Za-z]{2}|[Xx][0-9]{4}"  # ISO alpha-2, or a synthetic X0001
    ordering_fields = ["name", "iso2", "region"]

    def get_object(self):
        self.kwargs["iso2"] = self.kwargs["iso2"].upper()
        return super().get_object()
