"""One status per state (its IPU member parliament) and instrument, with its date, its
source and how far the source can be trusted. "Unknown" is a value of its own: a state
missing from a partial list is unknown, never "not party"."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import Instrument

# The Rabat outcome document was adopted on 7 December 2018: a state that became party
# after it did so "since Rabat".
RABAT = datetime.date(2018, 12, 7)


def joined_after_rabat(status, date):
    """The one rule of "joined since Rabat": party by an act dated after 7 December 2018."""
    return status == "party" and date is not None and date > RABAT


class RatificationQuerySet(models.QuerySet):
    def joined_since_rabat(self):
        """The statuses `joined_after_rabat` holds for, in SQL."""
        return self.filter(status="party", date__gt=RABAT)


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
    # The identifier partners sync by (the changes feed, kind "ratification").
    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
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
    # The parliament action the change is credited to (set when the secretariat verifies
    # a parliament's proposal that names it): the working copy; its published copy shares
    # its uid.
    credited_action = models.ForeignKey(
        "parliaments.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credited_ratifications",
        verbose_name=_("credited action"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords()
    objects = RatificationQuerySet.as_manager()

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
        return joined_after_rabat(self.status, self.date)


class RatificationProposal(models.Model):
    """A parliament's word that its state's status changed ("our state deposited its
    instrument of accession to C190 on …"), with a source link. It changes nothing until
    the secretariat verifies it; then the status is updated from it, and the parliament's
    ratification action it names is credited with the change."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")

    # What a parliament can report: a status it reached, with what its date is.
    PARTY_KINDS = (
        Ratification.DateKind.RATIFICATION,
        Ratification.DateKind.ACCESSION,
        Ratification.DateKind.SUCCESSION,
        Ratification.DateKind.ACCEPTANCE,
        Ratification.DateKind.DEPOSIT,
        Ratification.DateKind.ENTRY_INTO_FORCE,
    )

    parliament = models.ForeignKey(
        "parliaments.Parliament",
        on_delete=models.CASCADE,
        related_name="ratification_proposals",
        verbose_name=_("parliament"),
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="ratification_proposals",
        verbose_name=_("instrument"),
    )
    status = models.CharField(
        _("new status"),
        max_length=10,
        choices=[
            (Ratification.Status.PARTY, Ratification.Status.PARTY.label),
            (Ratification.Status.SIGNATORY, Ratification.Status.SIGNATORY.label),
            (Ratification.Status.NOT_PARTY, _("Not party (denounced or withdrawn)")),
        ],
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_kind = models.CharField(
        _("what the date is"), max_length=20, choices=Ratification.DateKind.choices, blank=True
    )
    source = models.URLField(
        _("source"),
        max_length=500,
        help_text=_(
            "A link where the secretariat can check it: the UN Treaty Collection, NORMLEX, "
            "the depositary notification or your official journal."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    action = models.ForeignKey(
        "parliaments.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratification_proposals",
        verbose_name=_("your ratification action"),
        help_text=_("The action of your plan that led to it, credited once it is verified."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it could not be verified, for the parliament.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("ratification status proposal")
        verbose_name_plural = _("ratification status proposals")
        constraints = [
            # One proposal at a time per state and instrument: a second would race the first.
            models.UniqueConstraint(
                fields=["parliament", "instrument"],
                condition=models.Q(state="pending"),
                name="one_pending_proposal_per_state_instrument",
                violation_error_message=_(
                    "A report on this instrument is already waiting for verification."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.parliament.iso2} · {self.instrument.code}: {self.get_status_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        Status, Kind = Ratification.Status, Ratification.DateKind
        if self.status in (Status.PARTY, Status.SIGNATORY) and not self.date:
            errors["date"] = _("Give the date: the secretariat checks it against the source.")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("The date cannot be in the future.")
        if self.date and not self.date_kind:
            errors["date_kind"] = _("Say what the date is.")
        kind = self.date_kind
        if self.status == Status.PARTY and kind and kind not in self.PARTY_KINDS:
            errors["date_kind"] = _(
                "A state becomes party by ratification, accession, succession, acceptance or "
                "approval."
            )
        if self.status == Status.SIGNATORY and kind and kind != Kind.SIGNATURE:
            errors["date_kind"] = _("A signatory's date is the date of signature.")
        if self.action_id and self.action is not None:
            action = self.action
            if (
                action.parliament_id != self.parliament_id
                or action.action_type != "ratification"
                or action.instrument_id != self.instrument_id
                or action.is_published_copy
            ):
                errors["action"] = _("Choose one of your ratification actions for this instrument.")
        if errors:
            raise ValidationError(errors)

    @property
    def joined_since_rabat(self):
        return joined_after_rabat(self.status, self.date)
