from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.OrganizationSettingsView.as_view(), name="settings"),
    path("members/", views.MemberListView.as_view(), name="members"),
    path("members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("invitations/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("tokens/", views.ApiTokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
    path("audit-log/", views.AuditLogView.as_view(), name="audit_log"),
]
