from django.urls import path

from . import views

app_name = "adrules"

urlpatterns = [
    path("", views.RuleListView.as_view(), name="list"),
    path("new/", views.RuleEditView.as_view(), name="new"),
    path("templates/", views.RuleTemplatesView.as_view(), name="templates"),
    path("<int:pk>/", views.RuleEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.RuleDeleteView.as_view(), name="delete"),
    path("actions/<int:pk>/approve/", views.ActionDecideView.as_view(approve=True), name="action_approve"),
    path("actions/<int:pk>/reject/", views.ActionDecideView.as_view(approve=False), name="action_reject"),
]
