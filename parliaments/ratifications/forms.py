"""The form a parliament's staff report a new status with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Instrument
from parliaments.ratifications.models import RatificationProposal
from parliaments.ratifications.proposals import ratification_actions

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, instrument):
        return f"{instrument.code} — {instrument.localized_name}"


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, action):
        return f"{action.instrument.code} — {action.title}"


class RatificationProposalForm(forms.ModelForm):
    instrument = InstrumentChoiceField(
        queryset=Instrument.objects.order_by("category", "code"), label=_("Instrument")
    )
    action = ActionChoiceField(
        queryset=None,
        required=False,
        label=_("Your ratification action"),
        empty_label=_("— none —"),
        help_text=_(
            "The action of your plan that led to it. It is credited on the dashboards once "
            "the secretariat has verified the change."
        ),
    )

    source = forms.URLField(
        label=_("Source"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://treaties.un.org/…"}),
        help_text=RatificationProposal._meta.get_field("source").help_text,
    )

    class Meta:
        model = RatificationProposal
        fields = ["instrument", "status", "date", "date_kind", "source", "action", "note"]
        widgets = {
            "date": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"status": _("The state is now")}
        help_texts = {
            "date": _("The date of the act, as the depositary records it."),
            "note": _("Anything the secretariat should know (optional)."),
        }

    def __init__(self, *args, parliament, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.parliament = parliament
        self.fields["action"].queryset = ratification_actions(parliament)
        self.fields["date_kind"].choices = [("", "---------")] + [
            (value, label.capitalize())
            for value, label in RatificationProposal._meta.get_field("date_kind").choices
        ]
        self.fields["status"].choices = self.fields["status"].choices[1:]  # no blank

    def clean(self):
        cleaned = super().clean()
        action, instrument = cleaned.get("action"), cleaned.get("instrument")
        if action and instrument and action.instrument_id != instrument.pk:
            self.add_error(
                "action",
                _("This action is about %(code)s; choose one about %(chosen)s, or none.")
                % {"code": action.instrument.code, "chosen": instrument.code},
            )
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it cannot be verified"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The parliament reads this and can send a corrected report."),
    )
