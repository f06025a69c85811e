"""A partner's webhook endpoint, and each delivery made (or to make) to it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

EVENTS = (
    ("plan.published", _("A plan of action is published")),
    ("plan.changed", _("A published plan of action changes")),
    ("plan.withdrawn", _("A plan of action is withdrawn")),
    ("action.published", _("An action is published")),
    ("action.changed", _("A published action changes")),
    ("action.withdrawn", _("An action is withdrawn")),
    ("progress_update.published", _("A progress update is published")),
    ("progress_update.changed", _("A published progress update changes")),
    ("progress_update.withdrawn", _("A progress update is withdrawn")),
    ("ratification.changed", _("A state's treaty status changes")),
    ("submission.accepted", _("A parliament’s report is accepted by the secretariat")),
    ("report.built", _("A public report is built")),
)
EVENT_NAMES = tuple(name for name, _label in EVENTS)


class WebhookEndpoint(models.Model):
    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("owner"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Optional filters: empty means every parliament, region or objective.
    parliaments = models.JSONField(_("parliaments (ISO codes)"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    objectives = models.JSONField(_("objectives (numbers)"), default=list, blank=True)
    # Kept to sign each delivery; shown to its owner once, when the endpoint is created.
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One POST to make to an endpoint: the changes-feed entries it carries, kept in order
    per endpoint. Written in the database before anything is sent."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("gave up")

    uid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    events = models.JSONField(_("events"), default=list)  # [[change id, event name], …]
    is_test = models.BooleanField(_("test event"), default=False)
    body = models.BinaryField(_("body"), null=True, blank=True)  # fixed at the first attempt
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("time taken (ms)"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(state="pending"),
                name="webhook_pending_in_order",
            )
        ]

    def __str__(self):
        return f"{self.uid} → {self.endpoint_id} ({self.state})"


class WebhookCursor(models.Model):
    """How far the changes feed has been fanned out to the endpoints (one row)."""

    last_change_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook cursor")

    def __str__(self):
        return f"fanned out to change {self.last_change_id}"
