"""API endpoints for parliaments and what they did. Querysets come from the same
visibility selectors as the pages, filters from the same FilterSets, writes from the same
services; permissions from parliaments.permissions.

One module per resource family: parliaments, records (plans, actions, progress updates),
submissions, ratifications (Rabat §7(a) statuses), changes (the feed), webhooks (a
partner's endpoints); common holds what they share. The URL conf imports the views from here."""

from parliaments.api.views.changes import ChangesView
from parliaments.api.views.parliaments import ParliamentViewSet
from parliaments.api.views.ratifications import RatificationViewSet
from parliaments.api.views.records import ActionViewSet, PlanViewSet, ProgressUpdateViewSet
from parliaments.api.views.submissions import SubmissionViewSet
from parliaments.api.views.webhooks import WebhookDeliveryViewSet, WebhookViewSet

__all__ = [
    "ActionViewSet",
    "ChangesView",
    "ParliamentViewSet",
    "PlanViewSet",
    "ProgressUpdateViewSet",
    "RatificationViewSet",
    "SubmissionViewSet",
    "WebhookDeliveryViewSet",
    "WebhookViewSet",
]
