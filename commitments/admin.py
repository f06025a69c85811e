from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    Commitment,
    Cycle,
    Framework,
    GuidingPrinciple,
    Instrument,
    Objective,
    ObjectiveSdgTarget,
    SdgTarget,
)
from compact_tracker.admin import ModelAdmin


@admin.register(Framework)
class FrameworkAdmin(ModelAdmin):
    list_display = ["code", "title", "adopted_on", "commitment_count"]
    search_fields = ["code", "title", "description"]
    exclude = ["reference_values"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_commitments=Count("commitments"))

    @admin.display(description=_("commitments"), ordering="_commitments")
    def commitment_count(self, obj):
        return obj._commitments


class SdgLinkInline(admin.TabularInline):
    """The objective's SDG targets. A link added here is editorial (the basis defaults to
    it) and is shown as such on the objective's page, in the API and in reports."""

    model = ObjectiveSdgTarget
    extra = 0
    autocomplete_fields = ["target"]


@admin.register(Objective)
class ObjectiveAdmin(ModelAdmin):
    inlines = [SdgLinkInline]
    list_display = [
        "number",
        "short_label",
        "title",
        "title_fr_status",
        "title_es_status",
        "gcm_paragraph",
    ]
    list_display_links = ["number", "short_label"]
    list_filter = ["title_fr_status", "title_es_status"]
    search_fields = ["title", "title_fr", "title_es", "short_label"]
    ordering = ["number"]


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(ModelAdmin):
    list_display = ["letter", "name", "gist"]
    search_fields = ["name", "gist"]


@admin.register(Instrument)
class InstrumentAdmin(ModelAdmin):
    list_display = ["code", "name", "name_fr_status", "category", "adopted_on", "in_force_on"]
    list_filter = ["category", "name_fr_status", "objectives"]
    search_fields = ["code", "name", "name_fr", "note"]
    filter_horizontal = ["objectives"]
    date_hierarchy = "adopted_on"


@admin.register(Commitment)
class CommitmentAdmin(ModelAdmin):
    list_display = [
        "code",
        "title",
        "title_fr_status",
        "paragraph",
        "framework",
        "due_date",
        "objective_numbers",
    ]
    list_filter = ["framework", "paragraph", "title_fr_status", "objectives"]
    search_fields = ["code", "title", "title_fr", "text"]
    filter_horizontal = ["objectives", "instruments"]
    list_select_related = ["framework"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("objectives")

    @admin.display(description=_("GCM objectives"))
    def objective_numbers(self, obj):
        return ", ".join(str(objective.number) for objective in obj.objectives.all())


@admin.register(Cycle)
class CycleAdmin(ModelAdmin):
    list_display = [
        "code",
        "title",
        "kind",
        "due_date",
        "due_date_precision",
        "commitment",
        "source",
        "reporters",
    ]
    list_filter = ["kind", "source", "reporters"]
    search_fields = ["code", "title", "description"]
    list_select_related = ["commitment"]
    autocomplete_fields = ["commitment"]


@admin.register(SdgTarget)
class SdgTargetAdmin(ModelAdmin):
    list_display = ["code", "title", "title_status", "title_ar_status"]
    list_filter = ["goal", "title_status", "title_ar_status"]
    search_fields = ["code", "title", "title_fr", "title_es"]


@admin.register(ObjectiveSdgTarget)
class ObjectiveSdgTargetAdmin(ModelAdmin):
    """Every objective–target link, with its basis: the GCM's text or editorial."""

    list_display = ["objective", "target", "basis", "source"]
    list_filter = ["basis"]
    search_fields = ["target__code", "target__title", "source"]
    autocomplete_fields = ["target"]
