from django.urls import path

from . import views

app_name = "abtests"

urlpatterns = [
    path("", views.ABTestListView.as_view(), name="list"),
    path("plan/", views.ABTestPlanView.as_view(), name="plan"),
    path("<int:pk>/", views.ABTestDetailView.as_view(), name="detail"),
]
