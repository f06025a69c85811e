"""Following (issue 18): a signed-in person follows a parliament, a GCM objective or a Rabat
commitment; what is then published about it becomes their notifications, and their email
digest, daily or weekly."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """One thing a person follows: exactly one of a parliament, an objective, a commitment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    parliament = models.ForeignKey(
        "parliaments.Parliament", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    objective = models.ForeignKey(
        "commitments.Objective", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    commitment = models.ForeignKey(
        "commitments.Commitment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(parliament__isnull=False, objective=None, commitment=None)
                    | models.Q(parliament=None, objective__isnull=False, commitment=None)
                    | models.Q(parliament=None, objective=None, commitment__isnull=False)
                ),
                name="follow_exactly_one_thing",
            ),
            models.UniqueConstraint(fields=["user", "parliament"], name="follow_parliament_once"),
            models.UniqueConstraint(fields=["user", "objective"], name="follow_objective_once"),
            models.UniqueConstraint(fields=["user", "commitment"], name="follow_commitment_once"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.parliament or self.objective or self.commitment}"


class DigestSettings(models.Model):
    """How often a person is emailed what their follows published, in which language, and
    how far the last digest went (the last notification it carried)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        NEVER = "never", _("No email: notifications on the site only")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_settings"
    )
    frequency = models.CharField(
        _("email digest"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    last_notification_id = models.BigIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest settings")
        verbose_name_plural = _("digest settings")

    def __str__(self):
        return f"{self.user}: {self.frequency}"


class Notification(models.Model):
    """One published change about something a person follows. The title and link are
    written when it is made, so a withdrawn record is still named."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    change = models.ForeignKey(
        "parliaments.PublicationChange", on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=40)
    parliament = models.ForeignKey(
        "parliaments.Parliament", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "change"], name="one_notification_per_change")
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(read_at=None), name="notification_unread"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.event} {self.title}"


class FollowCursor(models.Model):
    """The last changes-feed entry turned into notifications (one row)."""

    last_change_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"notified up to change {self.last_change_id}"
