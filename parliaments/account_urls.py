from django.urls import include, path

from parliaments import views

urlpatterns = [
    path("start/", views.StartView.as_view(), name="start"),
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("tokens/", views.TokenListView.as_view(), name="api_tokens"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
