from django.urls import path
from rest_framework.routers import SimpleRouter

from parliaments.api import views

router = SimpleRouter()
router.register("parliaments", views.ParliamentViewSet, basename="parliament")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("actions", views.ActionViewSet, basename="action")
router.register("progress-updates", views.ProgressUpdateViewSet, basename="progress-update")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("ratifications", views.RatificationViewSet, basename="ratification")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("changes/", views.ChangesView.as_view(), name="changes"),
    *router.urls,
]
