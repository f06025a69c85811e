from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def reference_scopes(instance, **kwargs):
    """Reference data is on every page."""
    from compact_tracker import pagecache

    return {pagecache.REFERENCE}


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commitments"
    verbose_name = _("Commitments and reference data")

    def ready(self):
        from commitments.models import Commitment, Cycle, Framework, Instrument, Objective
        from compact_tracker import pagecache

        # What empties the cached pages (compact_tracker.pagecache).
        for model in (Framework, Commitment, Objective, Instrument, Cycle):
            pagecache.watch(model, reference_scopes)
