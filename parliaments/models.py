"""Who acts and what they did: parliaments, people and their roles, plans of action,
actions, progress updates with evidence, and submissions with their review."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from translated_fields import TranslatedField

from commitments.models import Commitment, Cycle, Instrument, Objective, reading_language
from compact_tracker.refdata import ReferenceDataModel


class Region(models.TextChoices):
    """UN M49 regions, as in the IPU member list. Values are stable URL slugs."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


# ISO 3166 codes, or "X" and four digits for a synthetic parliament (scale tests and
# training copies): ISO leaves codes starting with X to users, so none is a real country.
ISO2_PATTERN = r"^([A-Z]{2}|X[0-9]{4})$"
ISO3_PATTERN = r"^([A-Z]{3}|X[0-9]{4})$"


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
        max_length=5,
        unique=True,
        validators=[RegexValidator(ISO2_PATTERN, _("Two capital letters, e.g. MA."))],
    )
    iso3 = models.CharField(
        _("ISO 3166 alpha-3"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(ISO3_PATTERN, _("Three capital letters, e.g. MAR."))],
    )
    iso_numeric = models.CharField(
        _("ISO 3166 numeric"), max_length=3, blank=True, help_text=_("Used to draw maps.")
    )
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, db_index=True)
    subregion = models.CharField(_("sub-region"), max_length=60, blank=True)
    structure = models.CharField(
        _("structure"), max_length=10, choices=Structure.choices, blank=True
    )
    is_ipu_member = models.BooleanField(_("IPU member"), default=True)
    membership_evidence = models.CharField(
        _("membership evidence"), max_length=1, choices=Evidence.choices, blank=True
    )
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("From the Unicode CLDR (Babel), filled when reference data loads."),
    )
    sort_names = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Per language, the name as it is alphabetised (accents and case ignored).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("parliament")
        verbose_name_plural = _("parliaments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=ISO2_PATTERN), name="parliament_iso2_format"
            ),
            models.CheckConstraint(
                condition=models.Q(iso3__regex=ISO3_PATTERN), name="parliament_iso3_format"
            ),
        ]

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self):
        """The country's name in the reader's language; the IPU's English name otherwise."""
        return localized_country_name(self.names, self.name)

    @staticmethod
    def by_name(prefix=""):
        """An ordering by the country's name as the reader's language alphabetises it
        ("Émirats arabes unis" among the E in French). `prefix`: e.g. "parliament__"."""
        return Parliament.name_key(prefix).asc()

    @staticmethod
    def name_key(prefix=""):
        """The key `by_name` sorts on, to combine with other orderings or reverse it."""
        return KeyTextTransform(reading_language(), f"{prefix}sort_names")


def country_name_sql(prefix=""):
    """The country's name in the reader's language as an SQL expression, for values() rows:
    `.annotate(shown=country_name_sql("parliament__")).values("shown")`."""
    language = reading_language()
    if language == "en":
        return F(f"{prefix}name")
    return Coalesce(
        KeyTextTransform(language, f"{prefix}names"),
        F(f"{prefix}name"),
        output_field=models.CharField(),
    )


def localized_country_name(names, name):
    """`name` (the IPU's English name) in the reader's language, from a parliament's
    `names`; for values() rows: localized_country_name(row["names"], row["name"])."""
    return (names or {}).get(reading_language()) or name


class CycleParliament(models.Model):
    """A parliament that reports in a cycle open to listed parliaments only
    (Cycle.reporters "listed"); a cycle for all parliaments lists none."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="listed_parliaments", verbose_name=_("cycle")
    )
    parliament = models.ForeignKey(
        Parliament,
        on_delete=models.CASCADE,
        related_name="listed_cycles",
        verbose_name=_("parliament"),
    )

    class Meta:
        verbose_name = _("parliament listed for a cycle")
        verbose_name_plural = _("parliaments listed for cycles")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "parliament"], name="one_listing_per_cycle")
        ]

    def __str__(self):
        return f"{self.cycle_id}: {self.parliament_id}"


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    FOCAL_POINT = "focal_point", _("Focal point")
    SECRETARIAT = "secretariat", _("IPU secretariat")
    PARTNER = "partner", _("Partner")


PARLIAMENT_ROLES = (Role.EDITOR, Role.FOCAL_POINT)


class Profile(models.Model):
    """A person's role. Editors and focal points belong to exactly one parliament; the
    secretariat and partners belong to none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    parliament = models.ForeignKey(
        Parliament,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("parliament"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=PARLIAMENT_ROLES, parliament__isnull=False)
                    | (~models.Q(role__in=PARLIAMENT_ROLES) & models.Q(parliament__isnull=True))
                ),
                name="profile_parliament_matches_role",
                violation_error_message=_(
                    "Editors and focal points need a parliament; the secretariat and "
                    "partners have none."
                ),
            )
        ]

    def __str__(self):
        where = f" ({self.parliament.iso2})" if self.parliament_id else ""
        return f"{self.user.get_username()}: {self.get_role_display()}{where}"


# Rabat §8: "a parliamentary plan of action on migration by the end of 2019".
PLAN_DEADLINE = datetime.date(2019, 12, 31)
HISTORY_EXCLUDED = ["published_at", "published_version"]


def written_in():
    """The language a parliament's own text (a plan's summary, an action's title and
    description, a progress narrative) is written in. Readers in another language see it
    as it is, marked with its language (lang and a note), never passed off as theirs."""
    return models.CharField(
        _("written in"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the text you enter: readers are told when it is not theirs."),
    )


def translations(field):
    """The same text in the other languages, one column per language (`title_in_fr`, …),
    through django-translated-fields: optional, and none in the language the original is
    written in. Reading `title_in` gives the text in the reader's language when the
    parliament gave it, else the original (`Publishable.shown`).

    Why this library: django-modeltranslation has the same columns but makes `title` mean
    "the current language's" in every query, form, export and history record, and falls
    back by a global order, not to the language each record is written in; django-parler
    keeps translations in a joined table that the published copies (copied field by field)
    and django-simple-history do not follow. Here `title` stays the text as written."""
    return TranslatedField(field, attrgetter=_shown_getter)


def _shown_getter(name, field):
    original = name.removesuffix("_in")
    return lambda record: record.shown(original)


def shown_text_sql(field, prefix=""):
    """`Publishable.shown` in SQL, for values() rows: `field` in the reader's language
    when the parliament translated it, else as written."""
    text = models.TextField()
    translated = NullIf(F(f"{prefix}{field}_in_{reading_language()}"), Value(""), output_field=text)
    return Coalesce(translated, F(f"{prefix}{field}"), output_field=text)


def shown_language_sql(field, prefix=""):
    """The language `shown_text_sql(field)` is in."""
    language = reading_language()
    return Case(
        When(**{f"{prefix}{field}_in_{language}__gt": ""}, then=Value(language)),
        default=F(f"{prefix}language"),
        output_field=models.CharField(),
    )


class PublishableQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(is_published_copy=False)

    def published(self):
        return self.filter(is_published_copy=True)


class Publishable(models.Model):
    """Working rows ("drafts") that parliaments edit, and their published copies.

    Accepting a submission copies the drafts it covers into read-only rows with
    is_published_copy=True and the same uid (services.submission_accept). Partners and the
    public only ever read those copies, so an edit made after acceptance stays private
    until the next accepted submission. `version` is the optimistic-concurrency counter.
    """

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, editable=False, db_index=True)
    is_published_copy = models.BooleanField(default=False, editable=False, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["uid", "is_published_copy"], name="%(app_label)s_%(class)s_one_copy"
            )
        ]

    @property
    def has_unpublished_changes(self):
        return not self.is_published_copy and self.published_version != self.version

    # The text a reader sees first (its language is the record's "shown" language), and
    # the texts that may be translated.
    MAIN_TEXT = "title"
    TRANSLATED_TEXTS = ()

    def language_shown(self, field=None):
        """The language `field` (by default the main text) is shown in: the reader's when
        the parliament gave a translation into it, else the one it was written in."""
        reader = reading_language()
        original = getattr(self, "language", None) or reader
        if reader != original and getattr(self, f"{field or self.MAIN_TEXT}_in_{reader}", ""):
            return reader
        return original

    def shown(self, field):
        """`field`'s text in the reader's language when given, else as written."""
        language = self.language_shown(field)
        if language == getattr(self, "language", None) or not hasattr(self, f"{field}_in_en"):
            return getattr(self, field)
        return getattr(self, f"{field}_in_{language}")

    def translation_languages(self):
        """The languages the main text was translated into, in the interface's order."""
        return [
            code
            for code, _name in settings.LANGUAGES
            if code != self.language and getattr(self, f"{self.MAIN_TEXT}_in_{code}", "")
        ]

    @classmethod
    def check_translations(cls, values, written):
        """{column: message} for what a record's translations may not be: a translation
        into the language the text is written in, or a description (a summary) without
        its title in that language. `values`: {column: text}, e.g. {"title_in_fr": …}.
        The one rule the model, the forms (through the model) and the API apply."""
        errors = {}
        for column, text in values.items():
            if not text:
                continue
            original, language = column.rsplit("_in_", 1)
            if language == written:
                errors[column] = _(
                    "The text is written in this language: translate it into another."
                )
            elif original != cls.MAIN_TEXT and not values.get(f"{cls.MAIN_TEXT}_in_{language}"):
                errors[f"{cls.MAIN_TEXT}_in_{language}"] = _("Give the title in this language too.")
        return errors

    @classmethod
    def translation_columns(cls):
        return [
            column for name in cls.TRANSLATED_TEXTS for column in getattr(cls, f"{name}_in").fields
        ]

    def translation_errors(self):
        """check_translations for this record (for `clean`)."""
        values = {column: getattr(self, column) for column in self.translation_columns()}
        return self.check_translations(values, getattr(self, "language", None))

    @property
    def in_other_language(self):
        """The language the main text is shown in when it is not the reader's, else None."""
        language = self.language_shown()
        return language if language != reading_language() else None


def _stored_name(folder, content_type):
    """`<folder>/<year>/<month>/<random hex>.<extension of the detected type>`: never the
    name the user gave, which is kept beside the file for display."""
    from parliaments.validators import extension_for

    now = timezone.now()
    return f"{folder}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension_for(content_type)}"


def evidence_upload_to(instance, filename):
    return _stored_name("evidence", instance.content_type)


def plan_document_upload_to(instance, filename):
    return _stored_name("plans", instance.document_content_type)


class PlanOfAction(Publishable):
    """A parliament's plan of action on migration (Rabat §8). A parliament may have
    successive plans; exactly one of its drafts is current."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        DRAFTING = "drafting", _("Drafting")
        ADOPTED = "adopted", _("Adopted")
        UNDER_REVISION = "under_revision", _("Under revision")

    class AdoptingBody(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        COMMITTEE = "committee", _("Committee")
        BUREAU = "bureau", _("Bureau")
        SPEAKER = "speaker", _("Speaker or presiding officer")
        OTHER = "other", _("Other body")

    parliament = models.ForeignKey(
        Parliament, on_delete=models.PROTECT, related_name="plans", verbose_name=_("parliament")
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    language = written_in()
    title_in = translations(models.CharField(_("title"), max_length=300, blank=True, default=""))
    summary_in = translations(models.TextField(_("summary"), blank=True, default=""))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING
    )
    adopted_on = models.DateField(_("adoption date"), null=True, blank=True)
    adopting_body = models.CharField(
        _("adopting body"), max_length=20, choices=AdoptingBody.choices, blank=True
    )
    period_start = models.DateField(_("period covered from"), null=True, blank=True)
    period_end = models.DateField(_("period covered until"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to=plan_document_upload_to, blank=True)
    document_name = models.CharField(
        _("document's file name"), max_length=255, blank=True, editable=False
    )
    document_content_type = models.CharField(max_length=100, blank=True, editable=False)
    document_url = models.URLField(_("document link"), max_length=500, blank=True)
    is_current = models.BooleanField(_("current plan"), default=True)
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta(Publishable.Meta):
        ordering = ["-is_current", "-created_at"]
        verbose_name = _("plan of action")
        verbose_name_plural = _("plans of action")
        constraints = [
            *Publishable.Meta.constraints,
            models.UniqueConstraint(
                fields=["parliament", "is_published_copy"],
                condition=models.Q(is_current=True),
                name="one_current_plan_per_parliament",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="plan_period_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    TRANSLATED_TEXTS = ("title", "summary")

    def clean(self):
        errors = self.translation_errors()
        if self.status == self.Status.ADOPTED and not self.adopted_on:
            errors["adopted_on"] = _("An adopted plan needs its adoption date.")
        if self.adopted_on and self.adopted_on > timezone.localdate():
            errors["adopted_on"] = _("The adoption date cannot be in the future.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def adopted_on_time(self):
        """Adopted by 31 December 2019, the Rabat §8 deadline."""
        return bool(self.adopted_on) and self.adopted_on <= PLAN_DEADLINE


class ActionType(models.TextChoices):
    LEGISLATION = "legislation", _("Legislation (bill)")
    RATIFICATION = "ratification", _("Ratification of an instrument")
    OVERSIGHT = "oversight", _("Oversight (question, hearing, inquiry)")
    BUDGET = "budget", _("Budget")
    OUTREACH = "outreach", _("Outreach to citizens and migrants")
    COOPERATION = "cooperation", _("Inter-parliamentary cooperation")
    CAPACITY = "capacity", _("Capacity building")
    OTHER = "other", _("Other")


class Completion(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", _("Limited")
    SUBSTANTIAL = "substantial", _("Substantial")
    COMPLETE = "complete", _("Complete")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Rank of each completion level, for "best level reached" (withdrawn ranks lowest).
COMPLETION_RANK = {
    Completion.WITHDRAWN: 0,
    Completion.NOT_STARTED: 1,
    Completion.LIMITED: 2,
    Completion.SUBSTANTIAL: 3,
    Completion.COMPLETE: 4,
}


class Action(Publishable):
    """One item of a plan of action: a bill, a ratification, an inquiry, a budget line …"""

    parliament = models.ForeignKey(
        Parliament, on_delete=models.PROTECT, related_name="actions", verbose_name=_("parliament")
    )
    plan = models.ForeignKey(
        PlanOfAction,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("plan of action"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = written_in()
    title_in = translations(models.CharField(_("title"), max_length=300, blank=True, default=""))
    description_in = translations(models.TextField(_("description"), blank=True, default=""))
    action_type = models.CharField(_("type of action"), max_length=20, choices=ActionType.choices)
    commitments = models.ManyToManyField(
        Commitment, related_name="actions", verbose_name=_("Rabat commitments")
    )
    objectives = models.ManyToManyField(
        Objective, related_name="actions", verbose_name=_("GCM objectives")
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("instrument to ratify"),
    )
    responsible_body = models.CharField(
        _("responsible committee or body"), max_length=200, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    completion = models.CharField(
        _("completion"), max_length=20, choices=Completion.choices, default=Completion.NOT_STARTED
    )
    is_good_practice = models.BooleanField(_("good practice"), default=False)
    history = HistoricalRecords(
        excluded_fields=HISTORY_EXCLUDED, m2m_fields=[commitments, objectives]
    )

    class Meta(Publishable.Meta):
        ordering = ["plan", "created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            # Dashboards and lists: drafts or published copies of one parliament.
            models.Index(fields=["is_published_copy", "parliament"], name="action_copy_parliament"),
            # An objective's or commitment's page lists its good practices (a few percent).
            models.Index(
                fields=["is_published_copy", "parliament"],
                condition=models.Q(is_good_practice=True),
                name="action_good_practice",
            ),
        ]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(target_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(target_date__gte=models.F("start_date")),
                name="action_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    TRANSLATED_TEXTS = ("title", "description")

    def clean(self):
        errors = self.translation_errors()
        if self.action_type == ActionType.RATIFICATION and not self.instrument_id:
            errors["instrument"] = _("Choose the instrument this ratification is about.")
        if self.action_type != ActionType.RATIFICATION and self.instrument_id:
            errors["instrument"] = _("An instrument only goes with a ratification action.")
        if self.start_date and self.target_date and self.target_date < self.start_date:
            errors["target_date"] = _("The target date must come after the start date.")
        if errors:
            raise ValidationError(errors)


class ProgressUpdate(Publishable):
    """What happened on an action, reported for a cycle, with evidence."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="progress_updates", verbose_name=_("action")
    )
    parliament = models.ForeignKey(
        Parliament, on_delete=models.PROTECT, related_name="progress_updates"
    )
    date = models.DateField(_("date"))
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="progress_updates", verbose_name=_("cycle")
    )
    completion = models.CharField(_("completion"), max_length=20, choices=Completion.choices)
    narrative = models.TextField(_("what happened"))
    language = written_in()
    narrative_in = translations(models.TextField(_("what happened"), blank=True, default=""))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    MAIN_TEXT = "narrative"
    TRANSLATED_TEXTS = ("narrative",)

    class Meta(Publishable.Meta):
        ordering = ["-date", "-created_at"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            models.Index(fields=["is_published_copy", "parliament"], name="update_copy_parliament"),
            models.Index(fields=["cycle", "action"], name="update_cycle_action"),
        ]

    def __str__(self):
        return f"{self.action} — {self.date:%Y-%m-%d}"

    def clean(self):
        errors = self.translation_errors()
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A progress update cannot be dated in the future.")
        if errors:
            raise ValidationError(errors)


class Evidence(Publishable):
    """A file or a link that backs a progress update. Files are served only to people
    allowed to see the update (views.evidence_download), never from a public URL. Once
    published, the public sees a file's title; the file itself only when its parliament
    marked it public when uploading (`is_public`). Links are public once published."""

    progress_update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    is_public = models.BooleanField(
        _("public file"),
        default=False,
        help_text=_(
            "Anyone may open the file once it is published. Otherwise the public sees its "
            "title only; staff of the parliament and the secretariat can open it."
        ),
    )
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta(Publishable.Meta):
        ordering = ["created_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="evidence_file_or_link"
            ),
        ]

    def __str__(self):
        return self.title or self.original_name or self.url


class Submission(models.Model):
    """A parliament's report for one reporting cycle, and its review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        ACCEPTED = "accepted", _("Accepted")

    parliament = models.ForeignKey(
        Parliament,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("parliament"),
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("cycle")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Names the submission in the changes feed and the webhooks ("submission accepted").
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("comments from the secretariat"), blank=True)
    # The reviewer who took it from the queue (issue 14): two reviewers do not review the
    # same submission. Cleared by a decision.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    assigned_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    summary = models.JSONField(_("what was sent"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle__due_date", "parliament__name"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["parliament", "cycle"], name="one_submission_per_cycle")
        ]

    def __str__(self):
        return f"{self.parliament} — {self.cycle}"

    @property
    def is_late(self):
        """Late when first submitted after the cycle's due date (None until submitted)."""
        if not self.first_submitted_at:
            return None
        return timezone.localdate(self.first_submitted_at) > self.cycle.due_date


class SubmissionEvent(models.Model):
    """One step of a submission's life, with its own actor, time and text: the focal
    point's cover note when submitting, the secretariat's comment when reviewing. The
    submission's history is this log, so nobody is credited with someone else's words."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        RETURNED = "returned", _("Returned with comments")
        ACCEPTED = "accepted", _("Accepted")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("round"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    text = models.TextField(_("note or comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self):
        return f"{self.submission} · {self.get_kind_display()} · {self.at:%Y-%m-%d}"

    @property
    def actor_name(self):
        if self.actor is None:
            return ""
        return self.actor.get_full_name() or self.actor.get_username()


class SubmissionComment(models.Model):
    """A reviewer's comment on one item of a returned submission."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    round = models.PositiveSmallIntegerField()
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="review_comments"
    )
    plan = models.ForeignKey(
        PlanOfAction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self):
        return self.body[:80]


class ApiToken(models.Model):
    """A personal API token. Only a hash of the key is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class PublicationChange(models.Model):
    """One entry of the changes feed: a published record created, updated or withdrawn.
    `id` is the cursor partners resume from; it only grows."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("plan of action")
        ACTION = "action", _("action")
        PROGRESS_UPDATE = "progress_update", _("progress update")
        RATIFICATION = "ratification", _("ratification status")
        SUBMISSION = "submission", _("accepted submission")
        REPORT = "report", _("public report")

    class Operation(models.TextChoices):
        UPSERT = "upsert", _("created or updated")
        DELETE = "delete", _("withdrawn")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    uid = models.UUIDField()
    # None for a global or regional report; a regional report names its region instead.
    parliament = models.ForeignKey(
        Parliament, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    region = models.CharField(max_length=20, choices=Region.choices, blank=True, default="")
    operation = models.CharField(max_length=10, choices=Operation.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("publication change")
        verbose_name_plural = _("publication changes")

    def __str__(self):
        return f"{self.id} {self.operation} {self.kind} {self.uid}"


class OutboxMessage(models.Model):
    """Work that must reach Redis or a mail server, written in the same transaction as
    the event that causes it, so that the event never depends on them: one email to one
    recipient (its content fixed when the event happened), or one Celery task to send.
    After the commit the app tries to hand it over at once; the beat job `sweep_outbox`
    hands over whatever is still due (Redis or the mail server was down), with backoff.
    A row is sent once the broker took the task or the mail server accepted the email."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submission received")
        RETURNED = "returned", _("submission returned")
        ACCEPTED = "accepted", _("submission accepted")
        REMINDER = "reminder", _("reminder")
        SUMMARY = "summary", _("weekly summary")
        INVITATION = "invitation", _("invitation")
        RATIFICATION = "ratification", _("ratification status proposal")
        WEBHOOK = "webhook", _("webhook endpoint disabled")
        DIGEST = "digest", _("digest of what someone follows")
        TASK = "task", _("task")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to = models.EmailField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    task = models.CharField(_("task"), max_length=200, blank=True)
    args = models.JSONField(_("task arguments"), default=list, blank=True)
    # What the row stands for, e.g. {"reminder": "KE:2030-imrf:60d", "parliament": 12}.
    context = models.JSONField(default=dict, blank=True)
    # Extra email headers (a digest's List-Unsubscribe).
    headers = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_due",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.to or self.task} {'sent' if self.sent_at else 'pending'}"


# Rabat §7(a) statuses live in their own module; imported here so Django registers them.
from parliaments.following.models import (  # noqa: E402, F401
    DigestSettings,
    Follow,
    FollowCursor,
    Notification,
)
from parliaments.ratifications.models import Ratification, RatificationProposal  # noqa: E402, F401
from parliaments.webhooks.models import (  # noqa: E402, F401
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)
