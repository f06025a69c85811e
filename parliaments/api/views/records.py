"""Plans of action, actions and progress updates: read by everyone as the visibility
selectors allow, written by a parliament's own staff through the services."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions

from parliaments import permissions, selectors, services
from parliaments.api.serializers import ActionSerializer, PlanSerializer, ProgressUpdateSerializer
from parliaments.api.views.common import (
    CachedListMixin,
    StaffWritesOwnParliament,
    WritableMixin,
    _stale,
)
from parliaments.filters import ActionFilterSet, PlanFilterSet, ProgressUpdateFilterSet
from parliaments.models import Evidence

VERSION_PARAMETER = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="The version you read; a newer version on the server answers 409.",
    examples=[OpenApiExample("Version 3", value=3)],
)


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


def _delete_at_version(request, delete, **row):
    """DELETE ?version=N through a service: 400 without a version, 409 when stale."""
    version = request.query_params.get("version")
    if not version or not version.isdigit():
        raise serializers.ValidationError(
            {"version": ["Send ?version= with the version you read."]}
        )
    try:
        delete(actor=request.user, expected_version=int(version), **row)
    except services.StaleEdit as error:
        raise _stale(error) from None


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
        _delete_at_version(self.request, services.action_delete, action=instance)


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
    partial_update=extend_schema(
        summary="Correct a draft progress update (staff)",
        description="Date, cycle, completion and narrative. Send `version`; a stale version "
        "answers 409 as for actions. The published copy changes at the next acceptance.",
        examples=[
            OpenApiExample(
                "A correction",
                value={"version": 2, "narrative": "Adopted in committee on 3 June."},
                request_only=True,
            )
        ],
    ),
    update=extend_schema(summary="Replace a draft progress update (staff)"),
    destroy=extend_schema(
        summary="Delete a draft progress update and its evidence (staff)",
        parameters=[VERSION_PARAMETER],
    ),
)
class ProgressUpdateViewSet(CachedListMixin, WritableMixin, viewsets.ModelViewSet):
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

    def perform_update(self, serializer):
        """Correct a draft: date, cycle, completion, narrative. Evidence is added with a
        new progress update; an update stays on its action."""
        version = self.expected_version(serializer)
        data = serializer.validated_data
        if "action" in data and data.pop("action").pk != serializer.instance.action_id:
            raise serializers.ValidationError(
                {"action": ["A progress update stays on its action."]}
            )
        if data.pop("links", None):
            raise serializers.ValidationError(
                {"links": ["Add evidence with a new progress update."]}
            )
        try:
            serializer.instance = services.progress_update_update(
                actor=self.request.user,
                update=serializer.instance,
                expected_version=version,
                **data,
            )
        except services.StaleEdit as error:
            raise _stale(error) from None

    def perform_destroy(self, instance):
        _delete_at_version(self.request, services.progress_update_delete, update=instance)
