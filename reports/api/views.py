"""Read-only API for cycle reports, with the same visibility as the report pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from reports import content, selectors
from reports.api.serializers import ReportSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Cycle reports",
        description="Finished public reports for everyone; a parliament's staff also see its "
        "internal reports; the secretariat sees all, queued and failed ones included. "
        "`files` links to each format; downloads check the same permissions.",
        examples=[
            OpenApiExample(
                "A report",
                value={
                    "cycle": "2021-progress",
                    "scope": "global",
                    "status": "succeeded",
                    "files": {"pdf": "https://…/reports/1/pdf/"},
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One cycle report, by id"),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    ordering_fields = ["created_at", "version"]
    ordering = ["-created_at"]
    filterset_fields = ["scope", "language", "status"]

    def get_queryset(self):
        return selectors.report_visible_to(self.request.user)

    @extend_schema(
        operation_id="reports_json_schema",
        summary="The JSON Schema of a report's JSON file",
        description="A JSON Schema (draft 2020-12) that every report's `json` file "
        "validates against. `schema_version` in a report names the version it follows; "
        "it changes when a field is removed or changes meaning, not when one is added.",
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        url_path="schema.json",
        permission_classes=[AllowAny],
        filter_backends=[],
        pagination_class=None,
    )
    def json_schema(self, request, **kwargs):
        return Response(
            {"$id": request.build_absolute_uri(), **content.JSON_SCHEMA},
            headers={"Cache-Control": "public, max-age=3600"},
        )
