from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.IntegrationsHomeView.as_view(), name="home"),
    path("health/", views.SyncHealthView.as_view(), name="health"),
    path("accounts/<int:pk>/sync/", views.SyncNowView.as_view(), name="sync_now"),
    path("accounts/<int:pk>/disconnect/", views.DisconnectView.as_view(), name="disconnect"),
    path("connect/demo/", views.DemoConnectView.as_view(), name="connect_demo"),
    path("connect/telegram/", views.TelegramConnectView.as_view(), name="connect_telegram"),
    path("connect/<str:provider>/", views.OAuthStartView.as_view(), name="oauth_start"),
]
