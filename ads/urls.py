from django.urls import path

from . import views

app_name = "ads"

urlpatterns = [
    path("", views.AdsHomeView.as_view(), name="home"),
    path("budget/", views.AdBudgetView.as_view(), name="budget"),
    path("import/", views.StatsImportView.as_view(), name="import"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/launch/", views.CampaignLaunchView.as_view(), name="campaign_launch"),
    path("campaigns/<int:pk>/pause/", views.CampaignPauseView.as_view(), name="campaign_pause"),
    path("campaigns/<int:pk>/budget/", views.CampaignBudgetView.as_view(), name="campaign_budget"),
    path("campaigns/<int:pk>/plan/", views.CampaignPlanView.as_view(), name="campaign_plan"),
]
