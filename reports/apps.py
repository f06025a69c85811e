from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        connect_figures()
        register_in_the_changes_feed()

        from parliaments.models import OutboxMessage
        from parliaments.services.outbox import on_sent
        from reports.services import reminder_record_sent

        # A reminder counts as sent once the mail server accepted it, not when queued.
        for kind in (OutboxMessage.Kind.REMINDER, OutboxMessage.Kind.SUMMARY):
            on_sent(kind, reminder_record_sent)


def connect_figures():
    """The per-parliament figures follow every write (reports/figures.py)."""
    from reports import figures

    figures.connect()


def register_in_the_changes_feed():
    """A public report, once built, is an entry of the changes feed (type `report`, as
    /api/v1/reports/ gives it to anyone), so partners' webhooks hear of it."""
    from django.contrib.auth.models import AnonymousUser

    from parliaments.api.views.changes import register_change_kind
    from parliaments.following.services import register_describer
    from parliaments.models import PublicationChange
    from reports.api.serializers import ReportSerializer
    from reports.selectors import report_visible_to

    register_change_kind(
        PublicationChange.Kind.REPORT,
        lambda: report_visible_to(AnonymousUser()),
        ReportSerializer,
    )
    register_describer(PublicationChange.Kind.REPORT, _describe_reports)


def _describe_reports(uids):
    """A report as a notification names it: its title and what it covers, in English (a
    notification keeps the words it was made with)."""
    from django.urls import reverse
    from django.utils import translation

    from reports.models import Report

    rows = Report.objects.filter(uid__in=uids).select_related("cycle", "parliament")
    with translation.override("en"):
        return {
            row.uid: (
                f"{row.title} · {row.scope_label}",
                reverse("reports:report_detail", args=[row.pk]),
            )
            for row in rows
        }
