from django.urls import path

from . import views

app_name = "links"

urlpatterns = [
    path("", views.LinkListView.as_view(), name="list"),
    path("new/", views.LinkCreateView.as_view(), name="new"),
    path("<int:pk>/edit/", views.LinkEditView.as_view(), name="edit"),
]
