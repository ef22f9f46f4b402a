from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.AnalyticsHomeView.as_view(), name="home"),
    path("kpis/results/", views.AnalyticsHomePartView.as_view(part="results"), name="home_results"),
    path("kpis/community/", views.AnalyticsHomePartView.as_view(part="community"), name="home_community"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("posts/", views.PostsView.as_view(), name="posts"),
    path("posts/<int:pk>/", views.PostDetailView.as_view(), name="post"),
    path("performs/", views.PerformsView.as_view(), name="performs"),
    path("audience/", views.AudienceView.as_view(), name="audience"),
    # Reports have their own section (the reports app); old links keep working.
    path("reports/", views.ReportsRedirectView.as_view(), name="reports"),
]
