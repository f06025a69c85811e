"""django-tables2 tables: sorting, paging and CSV/XLSX export of the web lists."""

import datetime

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import OrderByTuple

from parliaments.models import Action, Parliament, PlanOfAction, reading_language
from parliaments.templatetags.content import lang_attr, written_in


def completion_badge(action):
    return format_html(
        '<span class="completion completion-{}">{}</span>',
        action.completion,
        action.get_completion_display(),
    )


class LocalDateColumn(tables.Column):
    """A date in the language's one date format ("18 Jul 2019", "18 juil. 2019"); a
    moment shows its UTC date. Exports carry the ISO date."""

    def render(self, value):
        return date_format(_as_date(value))

    def value(self, value):
        return _as_date(value).isoformat()


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


# Columns a phone leaves out (the action's page shows them all).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class ActionTable(tables.Table):
    title = tables.Column(verbose_name=_("Action"), linkify=False)
    parliament = tables.Column(
        verbose_name=_("Parliament"), order_by=("parliament__name",), accessor="parliament__name"
    )
    action_type = tables.Column(verbose_name=_("Type"), attrs=WIDE_ONLY)
    commitments = tables.Column(
        verbose_name=_("Commitments"), orderable=False, empty_values=(), attrs=WIDE_ONLY
    )
    objectives = tables.Column(
        verbose_name=_("Objectives"), orderable=False, empty_values=(), attrs=WIDE_ONLY
    )
    completion = tables.Column(verbose_name=_("Completion"))
    target_date = LocalDateColumn(verbose_name=_("Target"), attrs=WIDE_ONLY)
    updated_at = LocalDateColumn(verbose_name=_("Updated"), attrs=WIDE_ONLY)

    class Meta:
        model = Action
        fields = [
            "title",
            "parliament",
            "action_type",
            "commitments",
            "objectives",
            "completion",
            "target_date",
            "updated_at",
        ]
        order_by = ("-updated_at",)
        empty_text = _("No action matches. Change the filters, or add an action.")

    def __init__(self, *args, detail_url=None, **kwargs):
        self.detail_url = detail_url
        super().__init__(*args, **kwargs)

    def render_parliament(self, record):
        return record.parliament.localized_name

    def value_parliament(self, record):
        return record.parliament.localized_name

    def render_title(self, record, value):
        star = ""
        if record.is_good_practice:
            star = format_html(
                ' <span class="good-practice" title="{0}">★'
                '<span class="visually-hidden">{0}</span></span>',
                _("Good practice"),
            )
        return format_html(
            '<a href="{}"{}>{}</a>{}{}',
            self.detail_url(record),
            lang_attr(record),
            record.title_in,
            written_in(record),
            star,
        )

    def render_commitments(self, record):
        return format_html_join(
            " ", '<span class="code-chip">{}</span>', ((c.code,) for c in record.commitments.all())
        )

    def render_objectives(self, record):
        return format_html_join(
            " ", '<span class="code-chip">{}</span>', ((o.number,) for o in record.objectives.all())
        )

    def render_completion(self, record):
        return completion_badge(record)

    # Plain values in exports.
    def value_title(self, record, value):
        return value

    def value_commitments(self, record):
        return ", ".join(c.code for c in record.commitments.all())

    def value_objectives(self, record):
        return ", ".join(str(o.number) for o in record.objectives.all())

    def value_completion(self, record):
        return record.get_completion_display()


def workspace_action_url(record):
    return reverse("parliaments:action_detail", args=[record.pk])


def public_action_url(record):
    return reverse("parliaments:public_action", args=[record.parliament.iso2, record.uid])


class PublishedParliamentTable(tables.Table):
    name = tables.Column(verbose_name=_("Parliament"))
    region = tables.Column(verbose_name=_("Region"))
    plan_status = tables.Column(verbose_name=_("Plan of action"), empty_values=())
    plan_adopted_on = LocalDateColumn(verbose_name=_("Adopted"))
    published_actions = tables.Column(
        verbose_name=_("Published actions"),
        attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}},
    )

    class Meta:
        model = Parliament
        fields = ["name", "region", "plan_status", "plan_adopted_on", "published_actions"]
        order_by = ("name",)
        empty_text = _(
            "No parliament has published yet. Published plans appear here once the "
            "secretariat accepts them."
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Alphabetical in the reader's language ("Émirats arabes unis" among the E): the
        # table's own copy of the column sorts on that language's key, then sorts again.
        self.columns["name"].column.order_by = OrderByTuple((f"sort_names__{reading_language()}",))
        self.order_by = self.order_by

    def render_name(self, record, value):
        url = reverse("parliaments:public_parliament", args=[record.iso2])
        return format_html('<a href="{}">{}</a>', url, record.localized_name)

    def render_plan_status(self, record, value):
        if not value:
            return "—"
        return format_html(
            '<span class="plan-status plan-status-{}">{}</span>',
            value,
            PlanOfAction.Status(value).label,
        )

    def value_name(self, record, value):
        return record.localized_name

    def value_plan_status(self, record, value):
        return PlanOfAction.Status(value).label if value else ""
