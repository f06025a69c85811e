from django.urls import path

from commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("objectives/<int:number>/", views.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("commitments/<str:code>/", views.CommitmentDetailView.as_view(), name="commitment_detail"),
]
