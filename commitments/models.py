"""What was promised: frameworks, their commitments, the GCM objectives and principles,
the international instruments, and the reporting cycles.

All of it is reference data: loaded from `commitments/data/` by `load_reference_data`,
then owned by the secretariat, who may edit it in the admin.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from compact_tracker.refdata import ReferenceDataModel


def reading_language():
    """The interface language, without a region ("fr", "es", "ar", "en")."""
    return (get_language() or "en").split("-")[0]


class TranslationStatus(models.TextChoices):
    """How far a translated title in the reference data can be trusted."""

    VERIFIED = "V", _("verified word for word")
    SECONDARY = "V2", _("seen in a secondary source only")
    UNVERIFIED = "U", _("unverified")
    PROJECT = "P", _("the project's own translation, not an official text")


class Localized:
    """Reference data in the reader's language: `<field>_<language>` when the data gives
    one (`title_fr`, `title_es`, `name_fr`), else the English `<field>`. `<field>_language`
    says which language the value shown is in, so a page can mark English shown to a
    French reader (lang="en" and a note) instead of passing it off as a translation."""

    def _localized(self, field):
        language = reading_language()
        if language != "en":
            value = getattr(self, f"{field}_{language}", "")
            if value:
                return value, language
        return getattr(self, field), "en"


class LocalizedTitle(Localized):
    """`localized_title` and `title_language`, for models with `title` and `title_<lang>`."""

    @property
    def localized_title(self):
        return self._localized("title")[0]

    @property
    def title_language(self):
        return self._localized("title")[1]


class Framework(LocalizedTitle, ReferenceDataModel):
    """A text that holds commitments, e.g. the Rabat outcome document (2018)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("French title"), max_length=200, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_at = models.CharField(_("adopted at"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["adopted_on", "code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self):
        return self.localized_title


class Objective(LocalizedTitle, ReferenceDataModel):
    """One of the 23 objectives of the Global Compact (A/RES/73/195, paras. 17–39)."""

    REFERENCE_KEY = "number"

    FrenchStatus = TranslationStatus

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(23)]
    )
    gcm_paragraph = models.PositiveSmallIntegerField(_("GCM paragraph"))
    title = models.CharField(_("official title"), max_length=300)
    title_fr = models.CharField(_("official French title"), max_length=300, blank=True)
    title_fr_status = models.CharField(
        _("French title status"), max_length=2, choices=TranslationStatus.choices, blank=True
    )
    title_es = models.CharField(
        _("official Spanish title"),
        max_length=300,
        blank=True,
        help_text=_("Only a verified title: without one, Spanish readers see the English title."),
    )
    title_es_status = models.CharField(
        _("Spanish title status"), max_length=2, choices=TranslationStatus.choices, blank=True
    )
    short_label = models.CharField(_("short label"), max_length=80)

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=23), name="objective_number_1_to_23"
            )
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("commitments:objective_detail", args=[self.number])


class GuidingPrinciple(ReferenceDataModel):
    """One of the ten cross-cutting guiding principles of the GCM (para. 15 (a)–(j))."""

    REFERENCE_KEY = "letter"

    letter = models.CharField(_("letter"), max_length=1, unique=True)
    name = models.CharField(_("name"), max_length=100)
    gist = models.TextField(_("gist"), blank=True)

    class Meta:
        ordering = ["letter"]
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")

    def __str__(self):
        return f"15({self.letter}) {self.name}"


class Instrument(Localized, ReferenceDataModel):
    """An international treaty or ILO convention a parliament can ratify (Rabat §7(a))."""

    class Category(models.TextChoices):
        UN_HUMAN_RIGHTS = "un-human-rights", _("UN human rights treaty")
        ILO = "ilo", _("ILO convention")
        ORGANISED_CRIME = "organised-crime", _("Transnational organised crime")
        REFUGEES_STATELESSNESS = "refugees-statelessness", _("Refugees and statelessness")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("official name"), max_length=400)
    name_fr = models.CharField(_("official French name"), max_length=400, blank=True)
    name_fr_status = models.CharField(
        _("French name status"),
        max_length=2,
        choices=TranslationStatus.choices,
        blank=True,
        help_text=_("U: not translated yet; French readers see the English name."),
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force since"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    objectives = models.ManyToManyField(
        Objective, related_name="instruments", blank=True, verbose_name=_("GCM objectives")
    )

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self):
        return f"{self.code}: {self.localized_name}"

    @property
    def localized_name(self):
        return self._localized("name")[0]

    @property
    def name_language(self):
        return self._localized("name")[1]


class Commitment(LocalizedTitle, ReferenceDataModel):
    """One distinct promise of a framework, e.g. R8.1 "design a plan of action by 2019"."""

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("framework")
    )
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][0-9]+[a-z]?(\.[0-9]+)?$", _("Use a code like R8.1 or R7a.1."))
        ],
    )
    paragraph = models.CharField(_("paragraph"), max_length=12)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("short title"), max_length=200)
    title_fr = models.CharField(_("French short title"), max_length=200, blank=True)
    title_fr_status = models.CharField(
        _("French title status"),
        max_length=2,
        choices=TranslationStatus.choices,
        blank=True,
        help_text=_(
            "The outcome document's official French text is not in the reference data: "
            "our French titles are the project's own translation."
        ),
    )
    text = models.TextField(_("quoted text"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    objectives = models.ManyToManyField(
        Objective, related_name="commitments", verbose_name=_("GCM objectives")
    )
    instruments = models.ManyToManyField(
        Instrument,
        related_name="commitments",
        blank=True,
        verbose_name=_("instruments"),
        help_text=_("Treaties and conventions whose ratification fulfils this commitment."),
    )

    class Meta:
        ordering = ["framework", "position", "code"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return f"{self.code} {self.localized_title}"

    def get_absolute_url(self):
        return reverse("commitments:commitment_detail", args=[self.code])


class Cycle(LocalizedTitle, ReferenceDataModel):
    """A reporting cycle with its due date. Cycles are data: the secretariat opens the next
    on the site (Reporting cycles), or adds it to commitments/data/cycles.toml.

    `reporters`: every IPU member parliament reports, or only the parliaments listed for
    the cycle (parliaments.CycleParliament). `source`: whether the outcome document sets
    the cycle (Rabat §8) or the secretariat chose it (e.g. the 2030 IMRF)."""

    class Reporters(models.TextChoices):
        ALL = "all", _("All IPU member parliaments")
        LISTED = "listed", _("The parliaments listed")

    class Source(models.TextChoices):
        OUTCOME_DOCUMENT = "outcome", _("Set by the Rabat outcome document")
        SECRETARIAT = "secretariat", _("Chosen by the IPU secretariat")

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan of action")
        PROGRESS = "progress", _("Progress report to the IPU")
        IMRF = "imrf", _("International Migration Review Forum")

    class Precision(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("French title"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    due_date_precision = models.CharField(
        _("due date precision"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("“month” when the source gives only the month; the date is its first day."),
    )
    description = models.TextField(_("description"), blank=True)
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("commitment it reports on"),
    )
    reporters = models.CharField(
        _("who reports"), max_length=10, choices=Reporters.choices, default=Reporters.ALL
    )
    source = models.CharField(
        _("source"),
        max_length=12,
        choices=Source.choices,
        default=Source.SECRETARIAT,
        help_text=_("Whether the outcome document sets this cycle or the secretariat chose it."),
    )

    class Meta:
        ordering = ["due_date", "code"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")

    def __str__(self):
        return self.localized_title

    @property
    def days_left(self):
        """Days from today (UTC) to the due date; negative once it has passed."""
        return (self.due_date - timezone.localdate()).days

    @property
    def days_overdue(self):
        return -self.days_left


class SdgTarget(LocalizedTitle, ReferenceDataModel):
    """A target of the 2030 Agenda's Sustainable Development Goals (the ones the
    reference data holds), with its title in the four languages."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{1,2}\.[0-9a-z]{1,2}$")],
    )
    goal = models.PositiveSmallIntegerField(_("goal"))
    title = models.TextField(_("title"))
    title_fr = models.TextField(_("French title"), blank=True)
    title_es = models.TextField(_("Spanish title"), blank=True)
    title_ar = models.TextField(_("Arabic title"), blank=True)
    title_status = models.CharField(
        _("English, French and Spanish titles' status"),
        max_length=2,
        choices=TranslationStatus.choices,
        blank=True,
    )
    title_ar_status = models.CharField(
        _("Arabic title status"), max_length=2, choices=TranslationStatus.choices, blank=True
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    objectives = models.ManyToManyField(
        Objective,
        through="ObjectiveSdgTarget",
        related_name="sdg_targets",
        verbose_name=_("GCM objectives"),
    )

    class Meta:
        ordering = ["goal", "code"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self):
        return f"{self.code} {self.localized_title}"


class ObjectiveSdgTarget(models.Model):
    """A GCM objective linked to an SDG target: by the Global Compact's own text, or by
    the secretariat (editorial, and shown as such)."""

    class Basis(models.TextChoices):
        GCM = "gcm", _("in the Global Compact's text")
        EDITORIAL = "editorial", _("editorial: linked by the IPU secretariat")

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="sdg_links", verbose_name=_("objective")
    )
    target = models.ForeignKey(
        SdgTarget,
        on_delete=models.CASCADE,
        related_name="objective_links",
        verbose_name=_("SDG target"),
    )
    basis = models.CharField(
        _("basis"), max_length=10, choices=Basis.choices, default=Basis.EDITORIAL
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["objective", "target"]
        verbose_name = _("objective's SDG target")
        verbose_name_plural = _("objectives' SDG targets")
        constraints = [
            models.UniqueConstraint(fields=["objective", "target"], name="one_link_per_target")
        ]

    def __str__(self):
        return f"{self.objective.number} → {self.target.code}"
