from django.urls import path

from . import views

app_name = "ads"

urlpatterns = [
    path("", views.AdsHomeView.as_view(), name="home"),
    path("campaigns/<int:pk>/launch/", views.CampaignLaunchView.as_view(), name="campaign_launch"),
    path("campaigns/<int:pk>/pause/", views.CampaignPauseView.as_view(), name="campaign_pause"),
]
