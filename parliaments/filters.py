"""FilterSets shared by the web lists and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from commitments.models import Commitment, Cycle, Objective
from parliaments.models import (
    Action,
    ActionType,
    Completion,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Region,
    Submission,
)


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before it reaches SQL: PostgreSQL refuses
    offsets beyond ±15:59 that Python accepts, which would otherwise be a 500."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                _("Enter a date-time between the years 1 and 9999.")
            ) from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


def _translations_of(model, path):
    """The translation columns of the text at `path` (`action__title` →
    `action__title_in_fr`, …), so that a search finds a text in any language it was
    given in; none for a text that has no translations."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    columns = getattr(getattr(model, f"{name}_in", None), "fields", ())
    prefix = "".join(f"{relation}__" for relation in relations)
    return [prefix + column for column in columns]


class ParliamentScopedFilterSet(django_filters.FilterSet):
    """Filters every parliament-owned list shares: where, when, and free text."""

    SEARCH_FIELDS = ("title", "description")

    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Words in the title or description, e.g. detention."),
    )
    country = django_filters.CharFilter(
        method="filter_country",
        label=_("Country"),
        help_text=_("A name or a code, e.g. Morocco, Maroc or MA."),
    )
    region = django_filters.ChoiceFilter(
        field_name="parliament__region",
        choices=Region.choices,
        label=_("Region"),
        help_text=_("In the API, the region's code, e.g. africa."),
    )
    parliament = django_filters.ModelChoiceFilter(
        queryset=lambda request: Parliament.objects.order_by(Parliament.by_name()),
        field_name="parliament",
        to_field_name="iso2",
        label=_("Parliament"),
        help_text=_("In the API, the parliament's two-letter code, e.g. MX."),
    )
    updated_since = UTCIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed since"),
        help_text=_("A date and time; in the API, e.g. 2021-12-31T00:00:00Z."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def filter_search(self, queryset, name, value):
        fields = [
            name
            for field in self.SEARCH_FIELDS
            for name in (field, *_translations_of(queryset.model, field))
        ]
        for word in value.split():
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    def filter_country(self, queryset, name, value):
        """A code (MA, MAR) or a country's name in English or French (Morocco, Maroc)."""
        from compact_tracker.countries import matching

        countries = Parliament.objects.values_list("iso2", "iso3", "name")
        return queryset.filter(parliament__iso2__in=matching(value, list(countries)))


class ActionFilterSet(ParliamentScopedFilterSet):
    objective = django_filters.ModelChoiceFilter(
        queryset=Objective.objects.order_by("number"),
        field_name="objectives",
        to_field_name="number",
        label=_("GCM objective"),
        help_text=_("GCM objective number, e.g. 17."),
    )
    commitment = django_filters.ModelChoiceFilter(
        queryset=Commitment.objects.order_by("position"),
        field_name="commitments",
        to_field_name="code",
        label=_("Rabat commitment"),
        help_text=_("Rabat commitment code, e.g. R7a.1."),
    )
    action_type = django_filters.ChoiceFilter(
        choices=ActionType.choices, label=_("Type"), help_text=_("e.g. ratification.")
    )
    completion = django_filters.ChoiceFilter(
        choices=Completion.choices, label=_("Completion"), help_text=_("e.g. complete.")
    )
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.order_by("due_date"),
        method="filter_cycle",
        to_field_name="code",
        label=_("Reported in cycle"),
        help_text=_("Actions with progress reported in this cycle, e.g. 2021-progress."),
    )
    good_practice = django_filters.BooleanFilter(
        field_name="is_good_practice",
        label=_("Good practice"),
        help_text=_("true for actions the secretariat starred."),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Action
        fields = []

    # The type hint tells the API schema what the value is (a cycle, sent as its code):
    # a filter with its own method has no model field to take the type from.
    def filter_cycle(self, queryset, name, value: Cycle):
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


class PlanFilterSet(ParliamentScopedFilterSet):
    SEARCH_FIELDS = ("title", "summary")

    status = django_filters.ChoiceFilter(
        choices=PlanOfAction.Status.choices, label=_("Status"), help_text=_("e.g. adopted.")
    )
    adopted_by = django_filters.DateFilter(
        field_name="adopted_on",
        lookup_expr="lte",
        label=_("Adopted by"),
        help_text=_("Adopted on or before this date, e.g. 2019-12-31."),
    )
    current = django_filters.BooleanFilter(
        field_name="is_current", label=_("Current plan"), help_text=_("true: current plans only.")
    )

    class Meta:
        model = PlanOfAction
        fields = []


class ProgressUpdateFilterSet(ParliamentScopedFilterSet):
    SEARCH_FIELDS = ("narrative", "action__title")

    objective = django_filters.ModelChoiceFilter(
        queryset=Objective.objects.all(),
        field_name="action__objectives",
        to_field_name="number",
        label=_("GCM objective"),
        help_text=_("GCM objective number of the action, e.g. 17."),
    )
    commitment = django_filters.ModelChoiceFilter(
        queryset=Commitment.objects.all(),
        field_name="action__commitments",
        to_field_name="code",
        label=_("Rabat commitment"),
        help_text=_("Rabat commitment code of the action, e.g. R8.1."),
    )
    action_type = django_filters.ChoiceFilter(
        field_name="action__action_type",
        choices=ActionType.choices,
        label=_("Type"),
        help_text=_("Type of the action, e.g. oversight."),
    )
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.all(),
        to_field_name="code",
        label=_("Cycle"),
        help_text=_("e.g. 2021-progress."),
    )
    completion = django_filters.ChoiceFilter(
        choices=Completion.choices, label=_("Completion"), help_text=_("e.g. substantial.")
    )

    class Meta:
        model = ProgressUpdate
        fields = []


class SubmissionFilterSet(ParliamentScopedFilterSet):
    SEARCH_FIELDS = ("review_comment",)

    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.all(),
        to_field_name="code",
        label=_("Cycle"),
        help_text=_("e.g. 2019-plan."),
    )
    status = django_filters.ChoiceFilter(
        choices=Submission.Status.choices, label=_("Status"), help_text=_("e.g. accepted.")
    )

    class Meta:
        model = Submission
        fields = []


class ReviewQueueFilterSet(django_filters.FilterSet):
    """The secretariat's review queue: by state (waiting by default), cycle and region,
    sorted by submission time (oldest first by default), parliament or cycle."""

    STATES = [
        ("waiting", _("Waiting for review")),
        ("mine", _("Taken by me")),
        ("unassigned", _("Not taken yet")),
        ("returned", _("Returned")),
        ("accepted", _("Accepted")),
        ("all", _("Every submitted report")),
    ]

    state = django_filters.ChoiceFilter(
        choices=STATES, method="filter_state", label=_("State"), empty_label=None
    )
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.order_by("due_date"),
        to_field_name="code",
        label=_("Cycle"),
        empty_label=_("Every cycle"),
    )
    region = django_filters.ChoiceFilter(
        field_name="parliament__region",
        choices=Region.choices,
        label=_("Region"),
        empty_label=_("Every region"),
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("submitted_at", "submitted"),
            ("parliament__name", "parliament"),
            ("cycle__due_date", "cycle"),
        ),
        field_labels={
            "submitted_at": _("Submission date"),
            "parliament__name": _("Parliament"),
            "cycle__due_date": _("Cycle"),
        },
        label=_("Sort by"),
        empty_label=None,
    )

    class Meta:
        model = Submission
        fields = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "waiting")
        data.setdefault("sort", "submitted")
        self.user = user
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        waiting = queryset.filter(status=Submission.Status.SUBMITTED)
        if value == "waiting":
            return waiting
        if value == "mine":
            return waiting.filter(assigned_to=self.user)
        if value == "unassigned":
            return waiting.filter(assigned_to__isnull=True)
        if value == "returned":
            return queryset.filter(status=Submission.Status.RETURNED)
        if value == "accepted":
            return queryset.filter(status=Submission.Status.ACCEPTED)
        return queryset.exclude(status=Submission.Status.DRAFT)
