import logging

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.generic import FormView, ListView, UpdateView

from core.errors import DomainError
from core.forms import apply_domain_error
from core.net import client_ip
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import services
from .clicks import record_click
from .forms import LinkCreateForm, LinkEditForm
from .models import TrackedLink
from .selectors import link_by_code, link_list
from .throttling import LinkRedirectThrottle
from .utm import is_safe_target

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the short link


@csrf_exempt
@require_safe
def follow(request, code: str):
    """`/l/<code>`: 302 to the tagged target URL, counting the click (docs/links.md). Public: no
    sign-in, no CSRF (a GET that changes only a counter). HEAD is answered but never counted."""
    throttle = LinkRedirectThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse(_("Too many requests. Try again in a minute."), status=429, content_type="text/plain")
        wait = throttle.wait()
        if wait:
            response["Retry-After"] = str(max(1, int(wait)))
        return response
    link = link_by_code(code)
    if link is None:
        raise Http404(_("No such link."))
    url = link.tagged_url
    # Checked again at redirect time: the target may predate a stricter rule or have been written
    # around the services; never send a visitor to javascript:, data:, //host or another scheme.
    if not is_safe_target(url):
        logger.warning("tracked link with an unsafe target refused", extra={"link_id": link.pk})
        raise Http404(_("No such link."))
    if request.method == "GET":
        record_click(link=link, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    response = HttpResponseRedirect(url)
    # Every click must reach us to be counted; the address itself is not for search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --------------------------------------------------------------------------- pages


class LinkListView(OrganizationViewMixin, ListView):
    """The organization's tracked links with their clicks."""

    template_name = "links/list.html"
    paginate_by = 50
    model = TrackedLink

    def safely_get_queryset(self, queryset):
        return link_list(organization=self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_write": self.access.can(Perm.WRITE)}


class LinkCreateView(OrganizationViewMixin, FormView):
    """A new tracked link, for a post (`?post=<id>`), an ad campaign (`?campaign=<id>`) or neither."""

    template_name = "links/new.html"
    required_permission = Perm.WRITE
    form_class = LinkCreateForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"organization": self.organization}

    def get_initial(self):
        # Preselects the post or campaign the page came from; the form's scoped choices ignore others.
        return {name: self.request.GET[name] for name in ("post", "campaign") if self.request.GET.get(name)}

    def form_valid(self, form):
        try:
            link, created = services.link_create(access=self.access, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if created:
            messages.success(self.request, _("Tracked link /l/%(code)s created.") % {"code": link.code})
        else:
            messages.info(self.request, _("This link already exists: /l/%(code)s.") % {"code": link.code})
        return redirect("links:edit", org_slug=self.organization.slug, pk=link.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LinkEditView(OrganizationViewMixin, UpdateView):
    """The target address and UTM tags of one link."""

    template_name = "links/edit.html"
    required_permission = Perm.WRITE
    model = TrackedLink
    form_class = LinkEditForm
    context_object_name = "link"

    def safely_get_queryset(self, queryset):
        return queryset.select_related("post", "campaign")

    def form_valid(self, form):
        try:
            services.link_update(access=self.access, link=self.object, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Link /l/%(code)s saved.") % {"code": self.object.code})
        return redirect("links:edit", org_slug=self.organization.slug, pk=self.object.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
