"""Who acts: the IPU member parliaments. Plans of action, actions, progress updates and
submissions arrive here with the workspace."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compact_tracker.refdata import ReferenceDataModel


class Region(models.TextChoices):
    """UN M49 regions, as in the IPU member list. Values are stable URL slugs."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class Parliament(ReferenceDataModel):
    """A national parliament, addressed everywhere by its ISO 3166 alpha-2 code."""

    REFERENCE_KEY = "iso2"

    class Structure(models.TextChoices):
        UNICAMERAL = "unicameral", _("Unicameral")
        BICAMERAL = "bicameral", _("Bicameral")

    class Evidence(models.TextChoices):
        FACTBOOK = "A", _("A: listed as an IPU member by the CIA World Factbook")
        ADMISSION = "B", _("B: admission decision with a source")
        PARTIAL = "C", _("C: partial source")
        KNOWLEDGE = "D", _("D: from knowledge only, not verified")

    name = models.CharField(_("country"), max_length=100)
    iso2 = models.CharField(
        _("ISO 3166 alpha-2"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. MA."))],
    )
    iso3 = models.CharField(
        _("ISO 3166 alpha-3"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. MAR."))],
    )
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    subregion = models.CharField(_("sub-region"), max_length=60, blank=True)
    structure = models.CharField(
        _("structure"), max_length=10, choices=Structure.choices, blank=True
    )
    is_ipu_member = models.BooleanField(_("IPU member"), default=True)
    membership_evidence = models.CharField(
        _("membership evidence"), max_length=1, choices=Evidence.choices, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("parliament")
        verbose_name_plural = _("parliaments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="parliament_iso2_format"
            ),
            models.CheckConstraint(
                condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="parliament_iso3_format"
            ),
        ]

    def __str__(self):
        return self.name
