from django.urls import include, path

from parliaments import views

urlpatterns = [
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("", include("django.contrib.auth.urls")),
]
