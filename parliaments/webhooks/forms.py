"""The form a partner registers a webhook endpoint with."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parliaments.webhooks import transport
from parliaments.webhooks.models import EVENTS


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where to POST the events: https, on a public address."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple
    )
    parliaments = forms.CharField(
        label=_("Only these parliaments"),
        required=False,
        max_length=2000,
        help_text=_("ISO codes separated by commas, e.g. MA, SN; empty for all."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Only these regions"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    objectives = forms.TypedMultipleChoiceField(
        label=_("Only actions under these GCM objectives"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 24)],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several; none for all."),
    )

    def __init__(self, *args, **kwargs):
        from commitments.models import Objective
        from parliaments.models import Region

        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = Region.choices
        self.fields["objectives"].choices = [
            (objective.number, f"{objective.number}. {objective.localized_title}")
            for objective in Objective.objects.order_by("number")
        ]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            transport.check_url(url)
        except transport.Refused as refused:
            raise ValidationError(
                _("This address cannot receive webhooks: %(why)s.") % {"why": refused}
            ) from None
        return url

    def clean_parliaments(self):
        from parliaments.models import Parliament

        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["parliaments"].upper()) if c]
        known = set(Parliament.objects.filter(iso2__in=codes).values_list("iso2", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Not a parliament's ISO code: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return sorted(set(codes))
