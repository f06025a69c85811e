from rest_framework.routers import SimpleRouter

from commitments.api import views

router = SimpleRouter()
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("instruments", views.InstrumentViewSet, basename="instrument")
urlpatterns = router.urls
