"""Submissions: open the report for a cycle, the cycles due, and the submit, accept
and return steps."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response

from compact_tracker.api import Conflict, JSONWritesMixin
from parliaments import permissions, selectors, services
from parliaments.api.serializers import (
    DueCyclesSerializer,
    ReviewSerializer,
    SubmissionOpenSerializer,
    SubmissionSerializer,
    SubmitSerializer,
)
from parliaments.api.views.common import CachedListMixin
from parliaments.filters import SubmissionFilterSet
from parliaments.models import Parliament, SubmissionEvent


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
        if not selectors.reports_in(parliament, body.validated_data["cycle"]):
            raise serializers.ValidationError(
                {"cycle": ["Your parliament does not report in this cycle."]}
            )
        submission, created = services.submission_open(
            parliament=parliament, cycle=body.validated_data["cycle"]
        )
        submission = self.get_queryset().get(pk=submission.pk)
        return Response(self.get_serializer(submission).data, status=201 if created else 200)

    @extend_schema(
        summary="Your parliament's cycles: due dates and report status (staff, secretariat)",
        description="Every reporting cycle the parliament reports in, soonest due first, "
        "with the parliament's "
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
        # A rule the service refuses (ValidationError) answers 400 through the API's one
        # exception handler (compact_tracker.api), with its field errors.
        return self._transition(
            request,
            lambda s: services.submission_submit(
                actor=request.user, submission=s, note=body.validated_data["note"]
            ),
        )

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
        return self._transition(
            request,
            lambda s: services.submission_return(
                actor=request.user, submission=s, comment=review.validated_data["comment"]
            ),
        )
