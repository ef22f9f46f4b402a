"""The webhooks settings pages: endpoints (create with the secret shown once, pause, rotate, test,
delete) and each endpoint's deliveries with their attempts (re-send)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from core.errors import DomainError
from core.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import selectors, services
from .forms import EndpointForm
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .safety import allow_loopback

NEW_SECRET_KEY = "new_webhook_secret"  # noqa: S105 - a session key name


class EndpointListView(OrganizationViewMixin, FormView):
    template_name = "webhooks/endpoints.html"
    form_class = EndpointForm
    required_permission = Perm.MANAGE_TOKENS

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "endpoints": list(selectors.endpoint_list(organization=self.organization)[: services.MAX_ENDPOINTS]),
            "new_secret": self.request.session.pop(NEW_SECRET_KEY, None),
            "loopback_allowed": allow_loopback(),
        }

    def form_valid(self, form):
        try:
            created = services.endpoint_create(access=self.access, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        # Shown once on the next page render, then gone (like a new API token).
        self.request.session[NEW_SECRET_KEY] = {"endpoint": created.endpoint.pk, "secret": created.secret}
        return redirect("webhooks:endpoint", org_slug=self.organization.slug, pk=created.endpoint.pk)


class EndpointDetailView(OrganizationViewMixin, ListView):
    """One endpoint, its actions, and its deliveries newest first (50 a page, attempts included)."""

    template_name = "webhooks/endpoint.html"
    required_permission = Perm.MANAGE_TOKENS
    model = WebhookDelivery
    paginate_by = 50

    def safely_get_queryset(self, queryset):
        self.endpoint = selectors.access_endpoint(organization=self.organization, endpoint_id=self.kwargs["pk"])
        attempts = WebhookAttempt.objects.for_organization(self.organization).order_by("attempted_at", "id")
        return selectors.delivery_list(organization=self.organization, endpoint=self.endpoint).prefetch_related(
            Prefetch("attempts", queryset=attempts)
        )

    def get_context_data(self, **kwargs):
        new = self.request.session.pop(NEW_SECRET_KEY, None)
        secret = new["secret"] if new and new.get("endpoint") == self.endpoint.pk else None
        return super().get_context_data(**kwargs) | {"endpoint": self.endpoint, "new_secret": secret}


class _EndpointAction(OrganizationViewMixin, View):
    required_permission = Perm.MANAGE_TOKENS

    def endpoint(self) -> WebhookEndpoint:
        return selectors.access_endpoint(organization=self.organization, endpoint_id=self.kwargs["pk"])

    def back(self):
        return redirect("webhooks:endpoint", org_slug=self.organization.slug, pk=self.kwargs["pk"])


class EndpointToggleView(_EndpointAction):
    def post(self, request, org_slug, pk):
        endpoint = self.endpoint()
        services.endpoint_update(access=self.access, endpoint=endpoint, is_active=not endpoint.is_active)
        messages.success(request, _("Sending resumed.") if not endpoint.is_active else _("Sending paused."))
        return self.back()


class EndpointRotateView(_EndpointAction):
    def post(self, request, org_slug, pk):
        secret = services.endpoint_rotate_secret(access=self.access, endpoint=self.endpoint())
        request.session[NEW_SECRET_KEY] = {"endpoint": int(pk), "secret": secret}
        messages.success(request, _("New secret made. The previous one keeps signing for 24 hours."))
        return self.back()


class EndpointPingView(_EndpointAction):
    def post(self, request, org_slug, pk):
        services.endpoint_ping(access=self.access, endpoint=self.endpoint())
        messages.success(request, _("Test message queued. Its result appears below."))
        return self.back()


class EndpointDeleteView(_EndpointAction):
    def post(self, request, org_slug, pk):
        services.endpoint_delete(access=self.access, endpoint=self.endpoint())
        messages.success(request, _("Endpoint deleted."))
        return redirect("webhooks:endpoints", org_slug=org_slug)


class DeliveryResendView(OrganizationViewMixin, View):
    required_permission = Perm.MANAGE_TOKENS

    def post(self, request, org_slug, pk):
        delivery = selectors.access_delivery(organization=self.organization, delivery_id=pk)
        services.delivery_resend(access=self.access, delivery=delivery)
        messages.success(request, _("Message queued to be sent again."))
        return redirect("webhooks:endpoint", org_slug=org_slug, pk=delivery.endpoint_id)
