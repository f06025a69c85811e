"""The dashboards' filters: region and cycle, validated by a django-filter FilterSet."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Cycle
from parliaments.models import Parliament, Region


class DashboardFilterSet(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        choices=Region.choices, label=_("Region"), empty_label=_("All regions")
    )
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.order_by("due_date"),
        to_field_name="code",
        method="filter_cycle",
        label=_("Reported in cycle"),
        empty_label=_("All cycles"),
    )

    date_from = django_filters.DateFilter(
        method="filter_dates",
        label=_("Progress from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        method="filter_dates",
        label=_("Progress until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Parliament
        fields = []

    def filter_cycle(self, queryset, name, value):
        return queryset  # the cycle narrows the actions counted, see reports.selectors.Scope

    def filter_dates(self, queryset, name, value):
        return queryset  # the dates narrow the progress counted, see reports.selectors.Scope

    def scope_kwargs(self):
        """Scope arguments from the valid filters; invalid values are ignored (and shown
        as form errors)."""
        if not self.form.is_valid():
            return {}
        data = self.form.cleaned_data
        return {
            "region": data.get("region") or None,
            "cycle": data.get("cycle"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
