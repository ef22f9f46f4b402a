from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("members", views.MembershipViewSet, basename="member")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("audit-log", views.AuditLogViewSet, basename="audit-log")

urlpatterns = [
    path("", views.OrganizationView.as_view({"get": "retrieve", "patch": "partial_update"}), name="organization"),
    *router.urls,
]
