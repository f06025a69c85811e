from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from parliaments.models import Region
from reports.models import Report


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice the model leaves blank ("") when it does not apply, answered as null: the
    schema says `RegionEnum | null`, and "" is no region."""

    def to_representation(self, value):
        return super().to_representation(value) or None


class ReportSerializer(serializers.ModelSerializer):
    # A country profile covers every cycle: null.
    cycle = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # A global report has neither; a regional one has no parliament, a parliament's no region.
    region = BlankAsNullChoiceField(choices=Region.choices, read_only=True, allow_null=True)
    parliament = serializers.SlugRelatedField(slug_field="iso2", read_only=True, allow_null=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "uid",
            "kind",
            "cycle",
            "scope",
            "region",
            "parliament",
            "internal",
            "language",
            "formats",
            "status",
            "progress",
            "stage",
            "error",
            "version",
            "checksum",
            "created_at",
            "started_at",
            "finished_at",
            "files",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_files(self, report):
        request = self.context.get("request")
        urls = {}
        for file in report.files.all():
            url = reverse("reports:report_file", args=[report.pk, file.format])
            urls[file.format] = request.build_absolute_uri(url) if request else url
        return urls
