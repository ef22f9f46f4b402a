from django.urls import path

from . import views

app_name = "strategy"

urlpatterns = [
    path("", views.StrategyHomeView.as_view(), name="home"),
    path("new/", views.StrategyCreateView.as_view(), name="create"),
    path("kpi-options/", views.KpiOptionsView.as_view(), name="kpi_options"),
    path("trends/", views.TrendListView.as_view(), name="trends"),
    path("competitors/", views.CompetitorComparisonView.as_view(), name="competitors"),
    path("experiments/", views.ExperimentListView.as_view(), name="experiments"),
    path("experiments/<int:pk>/", views.ExperimentDetailView.as_view(), name="experiment"),
    path("<int:pk>/", views.StrategyDetailView.as_view(), name="detail"),
    path("<int:pk>/copy/", views.StrategyCopyView.as_view(), name="copy"),
    path("<int:pk>/edit/<slug:step>/", views.StrategyEditorView.as_view(), name="edit"),
    path(
        "<int:pk>/edit/remove/<slug:kind>/<int:obj_id>/",
        views.StrategyChildDeleteView.as_view(),
        name="remove",
    ),
    path("<int:pk>/<slug:action>/", views.StrategyActionView.as_view(), name="action"),
]
