"""Integrations pages: connected accounts, connect flows, "Sync now", sync health."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.errors import DomainError, NotFound
from core.forms import apply_domain_error
from integrations import conf, selectors, services
from integrations.forms import MetaConnectForm, TelegramConnectForm, VkConnectForm
from strategy.selectors import competitor_tracking_list
from tenancy import rls
from tenancy.access import access_for_user
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

RUNS_ON_HEALTH_PAGE = 50


class IntegrationsHomeView(OrganizationViewMixin, TemplateView):
    template_name = "integrations/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("vk_form", VkConnectForm(prefix="vk"))
        context.setdefault("meta_form", MetaConnectForm(prefix="meta"))
        context.setdefault("telegram_form", TelegramConnectForm(prefix="tg"))
        context["health"] = selectors.sync_health(organization=self.organization)
        context["can_write"] = self.access.can(Perm.WRITE)
        context["vk_configured"] = bool(conf.vk_client_id())
        context["meta_configured"] = bool(conf.meta_app_id() and conf.meta_app_secret())
        return context


class SyncHealthView(OrganizationViewMixin, TemplateView):
    template_name = "integrations/health.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["health"] = selectors.sync_health(organization=self.organization)
        context["runs"] = selectors.recent_sync_runs(organization=self.organization, limit=RUNS_ON_HEALTH_PAGE)
        context["competitors"] = competitor_tracking_list(organization=self.organization)
        return context


class _WriteView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def home(self):
        return redirect("integrations:home", org_slug=self.organization.slug)

    def render_home(self, **forms):
        view = IntegrationsHomeView()
        view.setup(self.request, org_slug=self.organization.slug)
        view.access = self.access
        return view.render_to_response(view.get_context_data(**forms), status=400)


class SyncNowView(_WriteView):
    def post(self, request, org_slug, pk):
        try:
            account = services.social_account_sync_request(access=self.access, account_id=pk)
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Sync of %(name)s started.") % {"name": account.display_name})
        return self.home()


class DisconnectView(_WriteView):
    def post(self, request, org_slug, pk):
        account = services.social_account_disconnect(access=self.access, account_id=pk)
        messages.success(request, _("%(name)s disconnected.") % {"name": account.display_name})
        return self.home()


class DemoConnectView(_WriteView):
    def post(self, request, org_slug):
        services.demo_account_connect(access=self.access)
        messages.success(request, _("Demo platform connected. Its data appears after the first sync."))
        return self.home()


class TelegramConnectView(_WriteView):
    def post(self, request, org_slug):
        form = TelegramConnectForm(request.POST, prefix="tg")
        if form.is_valid():
            try:
                account = services.telegram_account_connect(access=self.access, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Telegram channel %(name)s connected.") % {"name": account.display_name})
                return self.home()
        return self.render_home(telegram_form=form)


class OAuthStartView(_WriteView):
    FORMS = {"vk": (VkConnectForm, "vk", "vk_form"), "meta": (MetaConnectForm, "meta", "meta_form")}

    def post(self, request, org_slug, provider):
        if provider not in self.FORMS:
            return self.home()
        form_class, prefix, name = self.FORMS[provider]
        form = form_class(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                url = services.oauth_start(access=self.access, provider=provider, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return redirect(url)
        return self.render_home(**{name: form})


class OAuthCallbackView(LoginRequiredMixin, View):
    """The platform redirects the browser here (one URL for the whole site) with ``code`` and
    ``state``. The state, stored server-side at the start, names the organization; the caller must
    be a member with write access there, otherwise this is a 404 like any foreign object."""

    def get(self, request, provider):
        params = request.GET
        organization = services.dangerously_oauth_state_organization(state=params.get("state", ""))
        if organization is None:
            messages.error(request, _("This connection link has expired or was already used. Please start again."))
            return redirect("home")
        # A global URL: the state named the organization; the rest runs in its scope.
        with rls.organization_context(organization):
            return self._finish(request, provider, params, organization)

    def _finish(self, request, provider, params, organization):
        access = access_for_user(user=request.user, organization_slug=organization.slug)
        if not access.can(Perm.WRITE):
            raise PermissionDenied
        try:
            account = services.oauth_finish(
                access=access,
                provider=provider,
                state=params.get("state", ""),
                code=params.get("code", ""),
                device_id=params.get("device_id", ""),
                error=params.get("error", ""),
            )
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(name)s connected. The first sync is on its way.") % {"name": account})
        return redirect("integrations:home", org_slug=organization.slug)
