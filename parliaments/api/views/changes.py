"""The changes feed partners replay to keep a copy of the published records in sync."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from parliaments import selectors
from parliaments.api.serializers import (
    ActionSerializer,
    PlanSerializer,
    ProgressUpdateSerializer,
    SubmissionSerializer,
)
from parliaments.api.views.ratifications import RatificationSerializer
from parliaments.models import Action, PlanOfAction, ProgressUpdate, PublicationChange, Ratification


@dataclass(frozen=True)
class ChangeKind:
    """How the feed gives one type of record: the records anyone may read (the public
    API's), with what the serializer needs loaded, and the serializer."""

    queryset: Callable[[], QuerySet]
    serializer_class: type


FEED_KINDS = {}


def register_change_kind(kind, queryset, serializer_class):
    """Add a type of record to the changes feed (and so to the webhooks). The reports app
    registers its reports this way: parliaments does not import reports."""
    FEED_KINDS[kind] = ChangeKind(queryset, serializer_class)


def _published(model, *related, prefetch=()):
    return lambda: (
        model.objects.filter(is_published_copy=True)
        .select_related(*related)
        .prefetch_related(*prefetch)
    )


register_change_kind(
    PublicationChange.Kind.PLAN, _published(PlanOfAction, "parliament"), PlanSerializer
)
register_change_kind(
    PublicationChange.Kind.ACTION,
    _published(Action, "parliament", "plan", "instrument", prefetch=("commitments", "objectives")),
    ActionSerializer,
)
register_change_kind(
    PublicationChange.Kind.PROGRESS_UPDATE,
    _published(ProgressUpdate, "parliament", "action", "cycle", prefetch=("evidence",)),
    ProgressUpdateSerializer,
)
# A state's status for an instrument (Rabat §7(a)): written by imports and by the
# secretariat's verification of a parliament's report; never withdrawn.
register_change_kind(
    PublicationChange.Kind.RATIFICATION,
    lambda: Ratification.objects.select_related("parliament", "instrument", "credited_action"),
    RatificationSerializer,
)
# A parliament's report accepted by the secretariat, as /api/v1/submissions/ shows it.
register_change_kind(
    PublicationChange.Kind.SUBMISSION,
    lambda: (
        selectors.submission_visible_to(AnonymousUser())
        .select_related("parliament", "cycle")
        .prefetch_related("events__actor")
    ),
    SubmissionSerializer,
)


def feed_entries(entries, request=None):
    """The changes feed's entries for these PublicationChange rows (with their parliament
    loaded), each with its record as published now: the feed and the webhooks send the
    same. One query per type of record (and its prefetches)."""
    records = {}
    for kind, change_kind in FEED_KINDS.items():
        uids = {
            entry.uid for entry in entries if entry.kind == kind and entry.operation == "upsert"
        }
        if not uids:
            continue
        for row in change_kind.queryset().filter(uid__in=uids):
            serializer = change_kind.serializer_class(row, context={"request": request})
            records[(kind, row.uid)] = serializer.data
    return [
        {
            "cursor": entry.id,
            "type": entry.kind,
            "id": entry.uid,
            # A global or regional report belongs to no parliament.
            "parliament": entry.parliament.iso2 if entry.parliament_id else None,
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
        "status for an instrument, as in /api/v1/ratifications/; `submission` a parliament's "
        "report accepted by the secretariat, as in /api/v1/submissions/; `report` a public "
        "report built, as in /api/v1/reports/ (`parliament` is null for a global or regional "
        "report).",
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
                        "parliament": serializers.CharField(allow_null=True),
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
