from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from commitments.models import Cycle
from parliaments.models import Parliament, Region
from reports.models import Report

FORMAT_CHOICES = [
    ("pdf", "PDF"),
    ("xlsx", "XLSX"),
    ("csv", _("CSV (zip)")),
    ("json", "JSON"),
    ("html", "HTML"),
]


class ReportRequestForm(forms.Form):
    cycle = forms.ModelChoiceField(
        Cycle.objects.order_by("due_date"), label=_("Cycle"), to_field_name="code"
    )
    scope = forms.ChoiceField(choices=Report.Scope.choices, label=_("Scope"))
    region = forms.ChoiceField(
        choices=[("", "—"), *Region.choices], required=False, label=_("Region")
    )
    parliament = forms.ModelChoiceField(
        Parliament.objects.order_by("name"),
        required=False,
        label=_("Parliament"),
        to_field_name="iso2",
    )
    internal = forms.BooleanField(
        required=False, label=_("Internal report of a parliament, drafts included")
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))
    formats = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label=_("Formats"),
        initial=["pdf", "xlsx"],
    )

    def __init__(self, *args, own_parliament=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parliament"].queryset = Parliament.objects.order_by(Parliament.by_name())
        self.own_parliament = own_parliament
        if own_parliament is not None:  # a parliament's staff: their own internal report only
            for name in ("scope", "region", "parliament", "internal"):
                self.fields.pop(name)

    def clean(self):
        data = super().clean()
        if self.own_parliament is not None:
            data.update(
                scope="parliament", region="", parliament=self.own_parliament, internal=True
            )
            return data
        scope = data.get("scope")
        if scope == "region" and not data.get("region"):
            self.add_error("region", _("Choose the region."))
        if scope == "parliament" and not data.get("parliament"):
            self.add_error("parliament", _("Choose the parliament."))
        if scope != "region":
            data["region"] = ""
        if scope != "parliament":
            data["parliament"] = None
        return data
