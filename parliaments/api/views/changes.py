"""The changes feed partners replay to keep a copy of the published records in sync."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from parliaments.api.serializers import ActionSerializer, PlanSerializer, ProgressUpdateSerializer
from parliaments.api.views.ratifications import RatificationSerializer
from parliaments.models import Action, PlanOfAction, ProgressUpdate, PublicationChange, Ratification

CHANGE_SERIALIZERS = {
    PublicationChange.Kind.PLAN: (PlanOfAction, PlanSerializer, ("parliament",), ()),
    PublicationChange.Kind.ACTION: (
        Action,
        ActionSerializer,
        ("parliament", "plan", "instrument"),
        ("commitments", "objectives"),
    ),
    PublicationChange.Kind.PROGRESS_UPDATE: (
        ProgressUpdate,
        ProgressUpdateSerializer,
        ("parliament", "action", "cycle"),
        ("evidence",),
    ),
    # A state's status for an instrument (Rabat §7(a)): written by imports and by the
    # secretariat's verification of a parliament's report; never withdrawn.
    PublicationChange.Kind.RATIFICATION: (
        Ratification,
        RatificationSerializer,
        ("parliament", "instrument", "credited_action"),
        (),
    ),
}


def feed_entries(entries, request=None):
    """The changes feed's entries for these PublicationChange rows (with their parliament
    loaded), each with its record as published now: the feed and the webhooks send the
    same. One query per kind of record."""
    records = {}
    for kind, (model, serializer_class, related, prefetch) in CHANGE_SERIALIZERS.items():
        uids = {
            entry.uid for entry in entries if entry.kind == kind and entry.operation == "upsert"
        }
        if not uids:
            continue
        published = {} if model is Ratification else {"is_published_copy": True}
        rows = (
            model.objects.filter(uid__in=uids, **published)
            .select_related(*related)
            .prefetch_related(*prefetch)
        )
        for row in rows:
            records[(kind, row.uid)] = serializer_class(row, context={"request": request}).data
    return [
        {
            "cursor": entry.id,
            "type": entry.kind,
            "id": entry.uid,
            "parliament": entry.parliament.iso2,
            "operation": entry.operation,
            "at": entry.at,
            "record": records.get((entry.kind, entry.uid)) if entry.operation == "upsert" else None,
        }
        for entry in entries
    ]


class ChangesView(APIView):
    """The published records created, updated or withdrawn since a cursor, oldest first."""

    permission_classes = [drf_permissions.AllowAny]
    MAX_LIMIT = 500

    @extend_schema(
        summary="Changes feed for incremental sync",
        description="Start with `since=0`; keep `next_cursor` and pass it as `since` next time. "
        "`operation` is `upsert` (with the record as published) or `delete` (a tombstone: "
        "the record was withdrawn from publication). `type` `ratification` carries a state's "
        "status for an instrument, as in /api/v1/ratifications/.",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.INT,
                description="Cursor from the previous call (0 to start).",
                examples=[OpenApiExample("Start", value=0)],
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description="At most 500 (default 100).",
                examples=[OpenApiExample("100", value=100)],
            ),
        ],
        responses=inline_serializer(
            "ChangesPage",
            {
                "results": inline_serializer(
                    "ChangeEntry",
                    {
                        "cursor": serializers.IntegerField(),
                        "type": serializers.ChoiceField(choices=PublicationChange.Kind.choices),
                        "id": serializers.UUIDField(),
                        "parliament": serializers.CharField(),
                        "operation": serializers.ChoiceField(
                            choices=PublicationChange.Operation.choices
                        ),
                        "at": serializers.DateTimeField(),
                        "record": serializers.JSONField(allow_null=True),
                    },
                    many=True,
                ),
                "next_cursor": serializers.IntegerField(),
                "has_more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        since = _non_negative(request.query_params.get("since", "0"), "since")
        limit = min(
            _non_negative(request.query_params.get("limit", "100"), "limit") or 100, self.MAX_LIMIT
        )
        entries = list(
            PublicationChange.objects.filter(id__gt=since)
            .select_related("parliament")
            .order_by("id")[: limit + 1]
        )
        has_more = len(entries) > limit
        entries = entries[:limit]
        results = feed_entries(entries, request)
        return Response(
            {
                "results": results,
                "next_cursor": entries[-1].id if entries else since,
                "has_more": has_more,
            }
        )


def _non_negative(value, name):
    if not str(value).isdigit() or len(str(value)) > 18:
        raise serializers.ValidationError({name: ["A whole number, 0 or more."]})
    return int(value)
