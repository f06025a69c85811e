"""Reports built by Celery: one row per version, with a file per format. A report is either
a cycle report (a cycle's figures and narratives, for the world, a region or one
parliament) or a parliament's country profile (its plan and every action's progress over
all cycles)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import Cycle
from parliaments.models import Parliament, Region


class Report(models.Model):
    class Kind(models.TextChoices):
        CYCLE = "cycle", _("Cycle report")
        PROFILE = "profile", _("Country profile")

    class Scope(models.TextChoices):
        GLOBAL = "global", _("Global")
        REGION = "region", _("Region")
        PARLIAMENT = "parliament", _("Parliament")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    FORMATS = ["html", "pdf", "xlsx", "csv", "json"]
    PROFILE_FORMATS = ["pdf", "html", "json"]

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CYCLE)
    # Names the report in the changes feed and the webhooks ("report built").
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    parliament = models.ForeignKey(
        Parliament, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    internal = models.BooleanField(
        _("internal (drafts included)"),
        default=False,
        help_text=_(
            "A parliament's own report with its drafts: only its staff and the "
            "secretariat can see it."
        ),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    formats = models.JSONField(_("formats"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    checksum = models.CharField(_("data checksum"), max_length=64, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The builder's sign of life, written at each stage and chunk; a running report whose
    # heartbeat is older than REPORTS_STALL_AFTER_SECONDS has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    stalled_at = models.DateTimeField(_("restarted after a stall at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scope="global", region="", parliament__isnull=True)
                    | (models.Q(scope="region", parliament__isnull=True) & ~models.Q(region=""))
                    | models.Q(scope="parliament", region="", parliament__isnull=False)
                ),
                name="report_scope_fields_match",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="cycle", cycle__isnull=False)
                | models.Q(kind="profile", cycle__isnull=True, scope="parliament"),
                name="report_kind_fields_match",
                violation_error_message=_(
                    "A cycle report names its cycle; a country profile covers one "
                    "parliament over every cycle."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(internal=False) | models.Q(scope="parliament"),
                name="report_internal_only_for_a_parliament",
                violation_error_message=_("Only a parliament's report can be internal."),
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.scope_label} · {self.language} · v{self.version}"

    def get_absolute_url(self):
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_profile(self):
        return self.kind == self.Kind.PROFILE

    @property
    def code(self):
        """A short name for file names and lists: the cycle's code, or "profile"."""
        return "profile" if self.is_profile else self.cycle.code

    @property
    def title(self):
        if self.is_profile:
            return _("Country profile")
        return self.cycle.localized_title

    @property
    def scope_label(self):
        if self.scope == self.Scope.REGION:
            return Region(self.region).label
        if self.scope == self.Scope.PARLIAMENT:
            return self.parliament.localized_name if self.parliament_id else ""
        return str(self.Scope.GLOBAL.label)

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def is_stalled(self):
        """Running, but the builder has given no sign of life for too long."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        limit = timezone.timedelta(seconds=settings.REPORTS_STALL_AFTER_SECONDS)
        return timezone.now() - self.heartbeat_at > limit

    @property
    def status_label(self):
        """The status as the report's page says it: a stall is named, not shown as a
        percentage that no longer moves."""
        if self.is_stalled:
            return _("Stalled: no sign of the build since %(time)s") % {
                "time": formats.time_format(timezone.localtime(self.heartbeat_at))
            }
        if self.stalled_at and not self.is_finished:
            return _("Stalled — restarted at %(time)s") % {
                "time": formats.time_format(timezone.localtime(self.stalled_at))
            }
        return self.get_status_display()


class ReportFile(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=5)
    file = models.FileField(upload_to="reports/%Y/%m/")
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["format"]
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="one_file_per_format")
        ]

    def __str__(self):
        return f"{self.report_id}.{self.format}"


class ReminderSent(models.Model):
    """One reminder email, recorded so that a second run of the beat job sends nothing.
    `key` names the occasion, unique: "MA:2021-progress:60d" (60, 30 or 7 days before the
    due date), "MA:2021-progress:overdue-2026-W48" (weekly while overdue) or
    "secretariat:overdue-2026-W48" (the weekly summary)."""

    parliament = models.ForeignKey(
        Parliament, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=80, unique=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return f"{self.parliament_id}/{self.cycle_id}/{self.key}"


class ParliamentFigure(models.Model):
    """One figure of one parliament's actions or progress, kept so that a dashboard adds up
    a few thousand of these rows instead of every action (reports/figures.py keeps them).

    Two sets per parliament: from its drafts (`published` False, the secretariat's
    dashboards) and from its published copies (True, the public summary). `count` is the
    number of actions (or progress updates, for quarters) with that key; `best_rank` the
    best completion reached among those actions (COMPLETION_RANK), for objectives and
    commitments. `level` splits an objective's or commitment's actions by completion."""

    class Dimension(models.TextChoices):
        COMPLETION = "completion", _("actions by completion")
        TYPE = "type", _("actions by type")
        OBJECTIVE = "objective", _("actions by GCM objective")
        COMMITMENT = "commitment", _("actions by Rabat commitment")
        OBJECTIVE_COMPLETION = "objective_completion", _("actions by objective and completion")
        COMMITMENT_COMPLETION = "commitment_completion", _("actions by commitment and completion")
        QUARTER = "quarter", _("progress updates by quarter")
        TOTAL = "total", _("actions")
        OBJECTIVE_GOOD_PRACTICE = "objective_good_practice", _("good practices by objective")
        COMMITMENT_GOOD_PRACTICE = "commitment_good_practice", _("good practices by commitment")
        # key: a commitment's code; level: "<instrument code>:<completion>".
        RATIFICATION = "ratification", _("ratification actions by commitment and instrument")
        # One per parliament (count 1). plan: key the current plan's status, level its
        # adoption date or "". report: key a cycle's id, level the first submission's date.
        PLAN = "plan", _("plan of action status")
        REPORT = "report", _("report status by cycle")

    parliament = models.ForeignKey(Parliament, on_delete=models.CASCADE, related_name="+")
    published = models.BooleanField()
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    key = models.CharField(max_length=40)
    level = models.CharField(max_length=20, blank=True, default="")
    count = models.PositiveIntegerField()
    best_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("parliament figure")
        verbose_name_plural = _("parliament figures")
        constraints = [
            models.UniqueConstraint(
                fields=["parliament", "published", "dimension", "key", "level"],
                name="one_figure_per_key",
            )
        ]
        indexes = [
            # A dashboard reads one dimension (and, on an objective's page, one key).
            models.Index(fields=["published", "dimension", "key"], name="figure_dimension_key"),
        ]

    def __str__(self):
        return f"{self.parliament_id} {self.dimension} {self.key} {self.level}: {self.count}"


class RegionFigure(models.Model):
    """The figures of a region's IPU member parliaments added up (reports/figures.py keeps
    them with the parliaments' own): the counts a dashboard of every parliament or of one
    region sums, a few hundred rows whatever the number of parliaments. Counts only: the
    best completion is a parliament's, read from its own figures."""

    region = models.CharField(max_length=20, choices=Region.choices)
    published = models.BooleanField()
    dimension = models.CharField(max_length=24, choices=ParliamentFigure.Dimension.choices)
    key = models.CharField(max_length=40)
    level = models.CharField(max_length=20, blank=True, default="")
    count = models.IntegerField()

    class Meta:
        verbose_name = _("region figure")
        verbose_name_plural = _("region figures")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "published", "dimension", "key", "level"],
                name="one_region_figure_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["published", "dimension", "key"], name="region_figure_dimension"),
        ]

    def __str__(self):
        return f"{self.region} {self.dimension} {self.key} {self.level}: {self.count}"


class StaleFigures(models.Model):
    """A parliament whose figures could not be rebuilt when its data changed (the error is
    logged); the beat job `repair_figures` rebuilds them."""

    parliament = models.OneToOneField(Parliament, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stale figures")
        verbose_name_plural = _("stale figures")

    def __str__(self):
        return f"{self.parliament_id} since {self.marked_at:%Y-%m-%d %H:%M}"
