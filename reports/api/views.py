"""Read-only API for cycle reports, with the same visibility as the report pages."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from reports import selectors
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
