"""API endpoints for parliaments and what they did. Querysets come from the same
visibility selectors as the pages, filters from the same FilterSets, writes from the same
services; permissions from parliaments.permissions."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from compact_tracker import pagecache
from compact_tracker.api import Conflict, JSONWritesMixin
from parliaments import permissions, selectors, services
from parliaments.api.serializers import (
    ActionSerializer,
    DueCyclesSerializer,
    ParliamentSerializer,
    PlanSerializer,
    ProgressUpdateSerializer,
    ReviewSerializer,
    SubmissionOpenSerializer,
    SubmissionSerializer,
    SubmitSerializer,
)
from parliaments.filters import (
    ActionFilterSet,
    ParliamentFilterSet,
    PlanFilterSet,
    ProgressUpdateFilterSet,
    SubmissionFilterSet,
)
from parliaments.models import (
    Action,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    PublicationChange,
    SubmissionEvent,
)

VERSION_PARAMETER = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="The version you read; a newer version on the server answers 409.",
    examples=[OpenApiExample("Version 3", value=3)],
)


class StaffWritesOwnParliament(drf_permissions.BasePermission):
    """Reads follow the visibility selectors; writes are for a parliament's own staff."""

    message = "Only a parliament's editors and focal point write its data."

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return permissions.is_parliament_staff(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return not obj.is_published_copy and permissions.can_edit_parliament(
            request.user, obj.parliament
        )


def _stale(error):
    """409: what others changed since the version sent (`changes`) and, of the fields the
    caller sent, those someone else also changed to another value (`conflicts`). The
    caller reads the record again and sends only its own fields with `current_version`."""
    conflict = Conflict(
        "This record changed since the version you sent. Read it again, reapply only the "
        "fields you changed, and send them with the new version."
    )
    conflict.extra = {
        "current_version": error.obj.version,
        "changes": [
            {"field": c.field, "was": _plain(c.then), "now": _plain(c.now)} for c in error.changes
        ],
        "conflicts": [
            {
                "field": c.field,
                "was": _plain(c.base),
                "yours": _plain(c.yours),
                "theirs": _plain(c.theirs),
            }
            for c in error.conflicts
        ],
    }
    return conflict


def _plain(value):
    return value if isinstance(value, (int, float, bool, type(None))) else str(value)


class CachedListMixin:
    """A list page is serialised once per data version and kept in the cache
    (compact_tracker.pagecache): any change to the data makes every cached page stale. The
    key holds the caller (visibility differs by person), the host (the paging links are
    absolute), the path and every query parameter."""

    def list(self, request, *args, **kwargs):
        caller = request.user.pk if request.user.is_authenticated else "anonymous"
        key = "api:" + pagecache.section_key(
            request, f"{self.basename}:{caller}:{request.get_host()}"
        )
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        cache.set(key, response.data, pagecache.TIMEOUT)
        return response


class WritableMixin(JSONWritesMixin):
    """Unsafe methods act on drafts only: another parliament's rows and published copies
    are not found. They answer JSON."""

    def get_queryset(self):
        queryset = self.visible_queryset()
        if self.request.method not in drf_permissions.SAFE_METHODS:
            queryset = queryset.filter(is_published_copy=False)
        return queryset

    def expected_version(self, serializer):
        version = serializer.validated_data.pop("version", None)
        if version is None:
            version = self.request.query_params.get("version")
        if version in (None, ""):
            raise serializers.ValidationError({"version": ["Send the version you read."]})
        try:
            return int(version)
        except (TypeError, ValueError):
            raise serializers.ValidationError({"version": ["A whole number."]}) from None


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


@extend_schema_view(
    list=extend_schema(
        summary="Plans of action",
        description="Published plans; a parliament's staff also see their own drafts, the "
        "secretariat sees every draft.",
        examples=[
            OpenApiExample(
                "Adopted by 2019",
                value={
                    "parliament": "MA",
                    "status": "adopted",
                    "adopted_on": "2019-11-20",
                    "adopted_on_time": True,
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One plan of action, by id"),
    create=extend_schema(
        summary="Create your parliament's plan (staff)",
        description="The new plan becomes the current one.",
        examples=[
            OpenApiExample(
                "New plan",
                value={"title": "Plan 2024–2027", "status": "drafting"},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change your parliament's plan (staff)",
        description="Send `version`; a stale version answers 409 with what changed "
        "(`changes`) and which of your fields someone else also changed (`conflicts`): read "
        "the record again and send only your fields with the new version.",
        examples=[
            OpenApiExample(
                "Adopt",
                value={"version": 2, "status": "adopted", "adopted_on": "2020-02-01"},
                request_only=True,
            )
        ],
    ),
    update=extend_schema(summary="Replace your parliament's plan (staff)"),
)
class PlanViewSet(
    CachedListMixin,
    WritableMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly, StaffWritesOwnParliament]
    lookup_field = "uid"
    ordering_fields = ["adopted_on", "updated_at", "title"]
    ordering = ["-updated_at"]

    def visible_queryset(self):
        return selectors.plan_visible_to(self.request.user).select_related("parliament")

    def perform_create(self, serializer):
        serializer.validated_data.pop("version", None)
        serializer.instance = services.plan_create(
            actor=self.request.user,
            parliament=permissions.parliament_of(self.request.user),
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        version = self.expected_version(serializer)
        try:
            serializer.instance = services.plan_update(
                actor=self.request.user,
                plan=serializer.instance,
                expected_version=version,
                **serializer.validated_data,
            )
        except services.StaleEdit as error:
            raise _stale(error) from None


ACTION_EXAMPLE = {
    "title": "Ratification of the Migrant Workers Convention (ICRMW)",
    "action_type": "ratification",
    "commitments": ["R7a.1"],
    "objectives": [6, 7],
    "instrument": "ICRMW",
    "completion": "limited",
}


@extend_schema_view(
    list=extend_schema(
        summary="Actions",
        description="Items of the plans of action. Published actions for everyone; own drafts "
        "for a parliament's staff; every draft for the secretariat. `?format=csv` for CSV.",
        examples=[OpenApiExample("A ratification", value=ACTION_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(summary="One action, by id"),
    create=extend_schema(
        summary="Add an action to your plan (staff)",
        examples=[OpenApiExample("Ratify the ICRMW", value=ACTION_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(
        summary="Change an action (staff)",
        description="Send `version`; a stale version answers 409 with what changed "
        "(`changes`) and which of your fields someone else also changed (`conflicts`): read "
        "the record again and send only your fields with the new version.",
        examples=[
            OpenApiExample(
                "Progress", value={"version": 3, "completion": "substantial"}, request_only=True
            )
        ],
    ),
    update=extend_schema(summary="Replace an action (staff)"),
    destroy=extend_schema(summary="Delete an action (staff)", parameters=[VERSION_PARAMETER]),
)
class ActionViewSet(CachedListMixin, WritableMixin, viewsets.ModelViewSet):
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly, StaffWritesOwnParliament]
    lookup_field = "uid"
    ordering_fields = ["updated_at", "title", "target_date", "completion"]
    ordering = ["-updated_at"]

    def visible_queryset(self):
        return selectors.action_list(self.request.user).select_related("plan", "instrument")

    def perform_create(self, serializer):
        data = serializer.validated_data
        data.pop("version", None)
        parliament = permissions.parliament_of(self.request.user)
        plan = data.pop("plan", None) or selectors.current_plan(parliament)
        if plan is None:
            raise serializers.ValidationError({"plan": ["Create the plan of action first."]})
        serializer.instance = services.action_create(
            actor=self.request.user,
            plan=plan,
            commitments=data.pop("commitments"),
            objectives=data.pop("objectives"),
            **data,
        )

    def perform_update(self, serializer):
        version = self.expected_version(serializer)
        data = serializer.validated_data
        if "plan" in data and data.pop("plan").pk != serializer.instance.plan_id:
            raise serializers.ValidationError({"plan": ["An action cannot move to another plan."]})
        try:
            serializer.instance = services.action_update(
                actor=self.request.user,
                action=serializer.instance,
                expected_version=version,
                commitments=data.pop("commitments", None),
                objectives=data.pop("objectives", None),
                **data,
            )
        except services.StaleEdit as error:
            raise _stale(error) from None

    def perform_destroy(self, instance):
        version = self.request.query_params.get("version")
        if not version or not version.isdigit():
            raise serializers.ValidationError(
                {"version": ["Send ?version= with the version you read."]}
            )
        try:
            services.action_delete(
                actor=self.request.user, action=instance, expected_version=int(version)
            )
        except services.StaleEdit as error:
            raise _stale(error) from None


@extend_schema_view(
    list=extend_schema(
        summary="Progress updates",
        description="What happened on each action, per cycle, with evidence.",
        examples=[
            OpenApiExample(
                "An update",
                value={
                    "date": "2021-06-01",
                    "cycle": "2021-progress",
                    "completion": "substantial",
                    "narrative": "Adopted in committee.",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One progress update, by id"),
    create=extend_schema(
        summary="Record progress on an action (staff)",
        description="Evidence links in `links`; files are uploaded on the web form.",
        examples=[
            OpenApiExample(
                "Progress with a link",
                value={
                    "action": "3f2c…",
                    "date": "2021-06-01",
                    "cycle": "2021-progress",
                    "completion": "complete",
                    "narrative": "Law promulgated.",
                    "links": [{"title": "Official gazette", "url": "https://example.org/gazette"}],
                },
                request_only=True,
            )
        ],
    ),
)
class ProgressUpdateViewSet(
    CachedListMixin, WritableMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilterSet
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly, StaffWritesOwnParliament]
    lookup_field = "uid"
    ordering_fields = ["date", "updated_at"]
    ordering = ["-date"]

    def visible_queryset(self):
        return (
            selectors.progress_update_visible_to(self.request.user)
            .select_related("parliament", "action", "cycle")
            .prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("created_at"))
            )
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        data.pop("version", None)
        action = data.pop("action")  # one of the caller's own drafts (OwnDraftField)
        links = [(link["title"], link["url"]) for link in data.pop("links", [])]
        serializer.instance = services.progress_update_create(
            actor=self.request.user, action=action, links=links, **data
        )


@extend_schema_view(
    list=extend_schema(
        summary="Submissions (reports per cycle)",
        description="Accepted submissions for everyone; all of its own for a parliament's "
        "staff; all for the secretariat.",
    ),
    retrieve=extend_schema(summary="One submission, by id"),
)
class SubmissionViewSet(CachedListMixin, JSONWritesMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    ordering_fields = ["submitted_at", "updated_at"]
    ordering = ["-updated_at"]

    @extend_schema(
        summary="Open the report for a cycle (staff)",
        description="Opens your parliament's submission for the cycle, as the workspace's "
        "report page does: 201 with the new draft, or 200 with the one already open. Then "
        "the focal point sends it with `submit`.",
        request=SubmissionOpenSerializer,
        responses={201: SubmissionSerializer, 200: SubmissionSerializer},
    )
    def create(self, request, *args, **kwargs):
        parliament = permissions.parliament_of(request.user)
        if parliament is None:
            raise PermissionDenied("Only a parliament's editors and focal point open its reports.")
        body = SubmissionOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        submission, created = services.submission_open(
            parliament=parliament, cycle=body.validated_data["cycle"]
        )
        submission = self.get_queryset().get(pk=submission.pk)
        return Response(self.get_serializer(submission).data, status=201 if created else 200)

    @extend_schema(
        summary="Your parliament's cycles: due dates and report status (staff, secretariat)",
        description="Every reporting cycle, soonest due first, with the parliament's "
        "submission and its status, as the workspace shows them. Staff read their own "
        "parliament; the secretariat names one with `parliament` (ISO alpha-2).",
        parameters=[
            OpenApiParameter(
                "parliament",
                OpenApiTypes.STR,
                description="ISO 3166 alpha-2 code (the secretariat only).",
                examples=[OpenApiExample("Morocco", value="MA")],
            )
        ],
        responses=DueCyclesSerializer,
    )
    @route(detail=False, methods=["get"], url_path="due", filter_backends=[], pagination_class=None)
    def due(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            raise NotAuthenticated()
        parliament = permissions.parliament_of(user)
        if parliament is None:
            if not permissions.is_secretariat(user):
                raise PermissionDenied("For a parliament's staff and the IPU secretariat.")
            code = str(request.query_params.get("parliament", "")).strip().upper()
            parliament = Parliament.objects.filter(iso2=code).first() if code else None
            if parliament is None:
                raise serializers.ValidationError(
                    {"parliament": ["Name the parliament by its ISO alpha-2 code, e.g. MA."]}
                )
        today = timezone.localdate()
        data = {
            "parliament": parliament.iso2,
            "today": today,
            "results": selectors.due_cycles(parliament, today),
        }
        return Response(DueCyclesSerializer(data).data)

    def get_queryset(self):
        return (
            selectors.submission_visible_to(self.request.user)
            .select_related("parliament", "cycle")
            .prefetch_related(
                Prefetch("events", queryset=SubmissionEvent.objects.select_related("actor"))
            )
        )

    def _transition(self, request, step):
        submission = self.get_object()
        try:
            step(submission)
        except services.InvalidTransition as error:
            raise Conflict(str(error)) from None
        submission.refresh_from_db()
        return Response(self.get_serializer(submission).data)

    @extend_schema(
        summary="Submit the report (focal point)",
        description="Sends the plan, actions and progress the workspace lists for the cycle. "
        "A returned or accepted report can be sent again (a resubmission); `note` is an "
        "optional cover note, shown in the submission's `events` as the focal point's.",
        request=SubmitSerializer,
    )
    @route(detail=True, methods=["post"])
    def submit(self, request, pk=None, **kwargs):
        submission = self.get_object()
        if not permissions.can_submit_for(request.user, submission.parliament):
            raise PermissionDenied("Only the parliament's focal point submits.")
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            return self._transition(
                request,
                lambda s: services.submission_submit(
                    actor=request.user, submission=s, note=body.validated_data["note"]
                ),
            )
        except ValidationError as error:
            raise serializers.ValidationError(_validation_detail(error)) from None

    @extend_schema(summary="Accept and publish (secretariat)", request=ReviewSerializer)
    @route(detail=True, methods=["post"])
    def accept(self, request, pk=None, **kwargs):
        if not permissions.can_review(request.user):
            raise PermissionDenied("Only the IPU secretariat reviews.")
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        return self._transition(
            request,
            lambda s: services.submission_accept(
                actor=request.user, submission=s, comment=review.validated_data["comment"]
            ),
        )

    @extend_schema(summary="Return with comments (secretariat)", request=ReviewSerializer)
    @route(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None, **kwargs):
        if not permissions.can_review(request.user):
            raise PermissionDenied("Only the IPU secretariat reviews.")
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        try:
            return self._transition(
                request,
                lambda s: services.submission_return(
                    actor=request.user, submission=s, comment=review.validated_data["comment"]
                ),
            )
        except ValidationError as error:
            raise serializers.ValidationError(_validation_detail(error)) from None


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
}


class ChangesView(APIView):
    """The published records created, updated or withdrawn since a cursor, oldest first."""

    permission_classes = [drf_permissions.AllowAny]
    MAX_LIMIT = 500

    @extend_schema(
        summary="Changes feed for incremental sync",
        description="Start with `since=0`; keep `next_cursor` and pass it as `since` next time. "
        "`operation` is `upsert` (with the record as published) or `delete` (a tombstone: "
        "the record was withdrawn from publication).",
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
        records = {}
        for kind, (model, serializer_class, related, prefetch) in CHANGE_SERIALIZERS.items():
            uids = {
                entry.uid for entry in entries if entry.kind == kind and entry.operation == "upsert"
            }
            if not uids:
                continue
            rows = (
                model.objects.filter(is_published_copy=True, uid__in=uids)
                .select_related(*related)
                .prefetch_related(*prefetch)
            )
            for row in rows:
                records[(kind, row.uid)] = serializer_class(row, context={"request": request}).data
        results = [
            {
                "cursor": entry.id,
                "type": entry.kind,
                "id": entry.uid,
                "parliament": entry.parliament.iso2,
                "operation": entry.operation,
                "at": entry.at,
                "record": records.get((entry.kind, entry.uid))
                if entry.operation == "upsert"
                else None,
            }
            for entry in entries
        ]
        return Response(
            {
                "results": results,
                "next_cursor": entries[-1].id if entries else since,
                "has_more": has_more,
            }
        )


def _validation_detail(error):
    """A Django ValidationError as DRF field errors (non-field ones under `detail`)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"detail": error.messages}


def _non_negative(value, name):
    if not str(value).isdigit() or len(str(value)) > 18:
        raise serializers.ValidationError({name: ["A whole number, 0 or more."]})
    return int(value)
