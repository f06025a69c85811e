"""Who is party to which Rabat §7(a) instrument (read-only, public): one row per state
and instrument a list says something about; a pair with no row is unknown."""

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commitments.models import Instrument
from parliaments.api.views.common import CachedListMixin
from parliaments.models import Parliament, Ratification, Region


class RatificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(
        source="uid", read_only=True, help_text="Stable identifier (the changes feed's id)."
    )
    parliament = serializers.SlugRelatedField(slug_field="iso2", read_only=True)
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    verified = serializers.SerializerMethodField(
        help_text="Whether the secretariat verified this status (a parliament's report)."
    )
    date_kind = serializers.ChoiceField(
        choices=Ratification.DateKind.choices,
        allow_blank=True,
        read_only=True,
        help_text="What the date is; empty without a date.",
    )
    source = serializers.CharField(
        read_only=True, help_text="Where the status comes from (a URL), or empty."
    )
    joined_since_rabat = serializers.BooleanField(
        read_only=True, help_text="Party by an act dated after 7 December 2018."
    )
    credited_action = serializers.UUIDField(
        source="credited_action.uid",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The parliament's ratification action the change is credited to (its id "
        "in /api/v1/actions/ once published), or null.",
    )

    class Meta:
        model = Ratification
        fields = [
            "id",
            "parliament",
            "instrument",
            "status",
            "date",
            "date_kind",
            "date_precision",
            "source",
            "as_of",
            "quality",
            "verified",
            "joined_since_rabat",
            "credited_action",
            "updated_at",
        ]
        read_only_fields = fields

    def get_verified(self, row) -> bool:
        return row.verified_at is not None


class RatificationFilterSet(filters.FilterSet):
    country = filters.CharFilter(
        method="filter_country", help_text="ISO 3166 alpha-2 or alpha-3 code, e.g. MA or MAR."
    )
    region = filters.ChoiceFilter(
        field_name="parliament__region", choices=Region.choices, help_text="e.g. africa."
    )
    instrument = filters.ModelChoiceFilter(
        queryset=Instrument.objects.all(),
        to_field_name="code",
        help_text="The instrument's code, e.g. ICRMW or C189.",
    )
    group = filters.ChoiceFilter(
        field_name="instrument__category",
        choices=Instrument.Category.choices,
        help_text="The instrument's group, e.g. ilo.",
    )
    status = filters.ChoiceFilter(choices=Ratification.Status.choices, help_text="e.g. party.")
    since = filters.DateFilter(
        field_name="date",
        lookup_expr="gt",
        help_text="Dated after this day, e.g. 2018-12-07 for the states that joined since Rabat.",
    )

    class Meta:
        model = Ratification
        fields = ["country", "region", "instrument", "group", "status", "since"]

    def filter_country(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(parliament__iso2__iexact=value) | Q(parliament__iso3__iexact=value)
        )


@extend_schema_view(
    list=extend_schema(
        summary="Who is party to which Rabat §7(a) instrument",
        description="One row per state and instrument a list says something about, with the "
        "date and what it is, the source, the date the source was current (`as_of`) and its "
        "quality (V: the UN Treaty Collection or NORMLEX; V2: a secondary copy; P: the "
        "parliament's own report). A state and instrument with no row is unknown: a state "
        "missing from a partial list is never reported as not party. Also as CSV "
        "(`?format=csv`).",
        examples=[
            OpenApiExample(
                "Morocco, ICRMW",
                value={
                    "parliament": "MA",
                    "instrument": "ICRMW",
                    "status": "party",
                    "date": "1993-06-21",
                    "date_kind": "ratification",
                    "quality": "V",
                },
                response_only=True,
            )
        ],
    ),
)
class RatificationViewSet(CachedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Ratification.objects.select_related(
        "parliament", "instrument", "credited_action"
    ).order_by(Parliament.by_name("parliament__"), "instrument__code")
    serializer_class = RatificationSerializer
    filterset_class = RatificationFilterSet
    ordering_fields = ["date", "as_of", "updated_at"]
