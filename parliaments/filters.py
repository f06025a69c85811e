"""FilterSets shared by the web lists and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Cycle, Objective
from parliaments.models import Action, ActionType, Completion, Parliament, Region


class ActionFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=_("Words in the title or description.")
    )
    country = django_filters.CharFilter(
        method="filter_country",
        label=_("Country code"),
        help_text=_("ISO 3166 alpha-2 or alpha-3, e.g. MA or MAR."),
    )
    region = django_filters.ChoiceFilter(
        field_name="parliament__region", choices=Region.choices, label=_("Region")
    )
    parliament = django_filters.ModelChoiceFilter(
        queryset=Parliament.objects.order_by("name"),
        field_name="parliament",
        to_field_name="iso2",
        label=_("Parliament"),
    )
    objective = django_filters.ModelChoiceFilter(
        queryset=Objective.objects.order_by("number"),
        field_name="objectives",
        to_field_name="number",
        label=_("GCM objective"),
    )
    commitment = django_filters.ModelChoiceFilter(
        queryset=Commitment.objects.order_by("position"),
        field_name="commitments",
        to_field_name="code",
        label=_("Rabat commitment"),
    )
    action_type = django_filters.ChoiceFilter(choices=ActionType.choices, label=_("Type"))
    completion = django_filters.ChoiceFilter(choices=Completion.choices, label=_("Completion"))
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.order_by("due_date"),
        method="filter_cycle",
        to_field_name="code",
        label=_("Reported in cycle"),
    )
    good_practice = django_filters.BooleanFilter(
        field_name="is_good_practice",
        label=_("Good practice"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Updated since"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = Action
        fields = []

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset

    def filter_country(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(Q(parliament__iso2=value) | Q(parliament__iso3=value))

    def filter_cycle(self, queryset, name, value):
        return queryset.filter(progress_updates__cycle=value).distinct()


class ParliamentFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Country"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))

    class Meta:
        model = Parliament
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(iso2__iexact=value) | Q(iso3__iexact=value)
        )
