from django.views.generic import ListView

from tenancy.views_base import OrganizationViewMixin

from .models import InboxItem, InboxKind, InboxStatus
from .selectors import inbox_item_list


class ModerationHomeView(OrganizationViewMixin, ListView):
    """The inbox of synced comments, messages and mentions, filterable by kind and status."""

    template_name = "moderation/home.html"
    paginate_by = 50
    model = InboxItem

    def safely_get_queryset(self, queryset):
        self.kind = self.request.GET.get("kind", "")
        self.status = self.request.GET.get("status", "")
        return inbox_item_list(organization=self.organization, kind=self.kind, status=self.status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "kind": self.kind,
            "status": self.status,
            "kind_choices": InboxKind.choices,
            "status_choices": InboxStatus.choices,
        }
