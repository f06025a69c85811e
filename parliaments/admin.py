from django.contrib import admin

from parliaments.models import Parliament


@admin.register(Parliament)
class ParliamentAdmin(admin.ModelAdmin):
    list_display = ["name", "iso2", "iso3", "region", "subregion", "structure", "is_ipu_member"]
    list_filter = ["region", "structure", "is_ipu_member", "membership_evidence"]
    search_fields = ["name", "=iso2", "=iso3", "subregion"]
    ordering = ["name"]
