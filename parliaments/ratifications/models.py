"""One status per state (its IPU member parliament) and instrument, with its date, its
source and how far the source can be trusted. "Unknown" is a value of its own: a state
missing from a partial list is unknown, never "not party"."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import Instrument

# The Rabat outcome document was adopted on 7 December 2018: a state that became party
# after it did so "since Rabat".
RABAT = datetime.date(2018, 12, 7)


class Ratification(models.Model):
    class Status(models.TextChoices):
        PARTY = "party", _("Party")
        SIGNATORY = "signatory", _("Signatory only")
        NOT_PARTY = "not_party", _("Not party")
        UNKNOWN = "unknown", _("Unknown")

    class DateKind(models.TextChoices):
        RATIFICATION = "ratification", _("ratification")
        ACCESSION = "accession", _("accession")
        SUCCESSION = "succession", _("succession")
        ACCEPTANCE = "acceptance", _("acceptance or approval")
        DEPOSIT = "deposit", _("deposit of the instrument")
        ENTRY_INTO_FORCE = "entry_into_force", _("entry into force for the state")
        SIGNATURE = "signature", _("signature")

    class Precision(models.TextChoices):
        DAY = "day", _("day")
        YEAR = "year", _("year only")

    class Quality(models.TextChoices):
        VERIFIED = "V", _("verified (UN Treaty Collection or NORMLEX)")
        SECONDARY = "V2", _("secondary copy of an official list")
        REPORTED = "P", _("reported by the parliament, not yet verified")

    parliament = models.ForeignKey(
        "parliaments.Parliament",
        on_delete=models.CASCADE,
        related_name="ratifications",
        verbose_name=_("parliament"),
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="ratifications",
        verbose_name=_("instrument"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    date_kind = models.CharField(
        _("what the date is"), max_length=20, choices=DateKind.choices, blank=True
    )
    date_precision = models.CharField(
        _("date precision"), max_length=4, choices=Precision.choices, default=Precision.DAY
    )
    source = models.URLField(_("source"), max_length=500, blank=True)
    as_of = models.DateField(
        _("source current as of"),
        null=True,
        blank=True,
        help_text=_("The date the source was current: a newer source wins, an older never."),
    )
    quality = models.CharField(_("source quality"), max_length=2, choices=Quality.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "parliament"]
        verbose_name = _("ratification status")
        verbose_name_plural = _("ratification statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["parliament", "instrument"], name="one_status_per_state_instrument"
            ),
        ]

    def __str__(self):
        return f"{self.parliament.iso2} · {self.instrument.code}: {self.get_status_display()}"

    @property
    def joined_since_rabat(self):
        """Party by a ratification, accession or succession dated after 7 December 2018."""
        return self.status == self.Status.PARTY and self.date is not None and self.date > RABAT
