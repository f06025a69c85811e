"""The dashboards' filters: region and cycle, validated by a django-filter FilterSet."""

import django_filters
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

    class Meta:
        model = Parliament
        fields = []

    def filter_cycle(self, queryset, name, value):
        return queryset  # the cycle narrows the actions counted, see reports.selectors.Scope

    def scope_kwargs(self):
        """region and cycle for a Scope, or {} when the filter values are invalid."""
        if not self.form.is_valid():
            return {}
        data = self.form.cleaned_data
        return {"region": data.get("region") or None, "cycle": data.get("cycle")}
