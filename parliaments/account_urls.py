from django.urls import include, path

from parliaments import views
from parliaments.following.views import (
    FollowingView,
    FollowView,
    NotificationListView,
    UnsubscribeView,
)
from parliaments.webhooks.views import WebhookDetailView, WebhookListView

urlpatterns = [
    path("start/", views.StartView.as_view(), name="start"),
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("tokens/", views.TokenListView.as_view(), name="api_tokens"),
    path("webhooks/", WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<uuid:uid>/", WebhookDetailView.as_view(), name="webhook_detail"),
    path("following/", FollowingView.as_view(), name="following"),
    path("following/change/", FollowView.as_view(), name="follow"),
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("digest/unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="digest_unsubscribe"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
