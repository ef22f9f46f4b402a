"""Pages of the leads and sales: the list, the CSV import, the CRM webhook settings; and the
webhook endpoint the CRMs call (outside any organization URL)."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.errors import DomainError, NotFound
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import csv_import, services
from .attribution import attribution_model_of
from .forms import AttributionModelForm, CsvConfirmForm, CsvUploadForm, WebhookRegenerateForm
from .models import CrmKind, CrmWebhook, Lead


class LeadListView(OrganizationViewMixin, ListView):
    template_name = "crm/leads.html"
    model = Lead
    paginate_by = 50

    def safely_get_queryset(self, queryset):
        return queryset.select_related("post", "campaign", "goal").order_by("-created", "-id")

    def get_context_data(self, **kwargs):
        model = attribution_model_of(self.organization)
        return super().get_context_data(**kwargs) | {
            "can_write": self.access.can(Perm.WRITE),
            "can_manage": self.access.can(Perm.MANAGE_ORGANIZATION),
            "attribution_form": AttributionModelForm(initial={"attribution_model": model}),
        }


class AttributionModelView(OrganizationViewMixin, View):
    """Chooses the organization's attribution model (owners and admins); leads are attributed again."""

    required_permission = Perm.MANAGE_ORGANIZATION
    http_method_names = ["post"]

    def post(self, request, org_slug):
        form = AttributionModelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an attribution model."))
            return redirect("crm:leads", org_slug=self.organization.slug)
        services.attribution_model_set(access=self.access, model=form.cleaned_data["attribution_model"])
        messages.success(request, _("Attribution model saved; leads are being attributed again."))
        return redirect("crm:leads", org_slug=self.organization.slug)


class CsvImportView(OrganizationViewMixin, View):
    """Upload → preview (a dry run: per-row errors or what will change) → confirm (all or nothing)."""

    required_permission = Perm.WRITE
    template_name = "crm/import.html"

    def get(self, request, org_slug):
        return self._render(upload=CsvUploadForm())

    def post(self, request, org_slug):
        if "confirm" in request.POST:
            return self._confirm(request)
        upload = CsvUploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            return self._render(upload=upload, status=400)
        try:
            text = csv_import.decode(upload.cleaned_data["file"].read())
        except DomainError as exc:
            upload.add_error("file", str(exc.message))
            return self._render(upload=upload, status=400)
        kind = upload.cleaned_data["kind"]
        preview = csv_import.preview(access=self.access, kind=kind, text=text)
        confirm = CsvConfirmForm(initial={"kind": kind, "text": text}) if preview.ok else None
        return self._render(upload=CsvUploadForm(initial={"kind": kind}), preview=preview, confirm=confirm)

    def _confirm(self, request):
        form = CsvConfirmForm(request.POST)
        if not form.is_valid():
            return self._render(upload=CsvUploadForm(), status=400)
        kind, text = form.cleaned_data["kind"], form.cleaned_data["text"]
        try:
            result = csv_import.import_rows(access=self.access, kind=kind, text=text)
        except DomainError:
            # Changed since the preview (or tampered with): show the preview again, nothing written.
            preview = csv_import.preview(access=self.access, kind=kind, text=text)
            return self._render(upload=CsvUploadForm(initial={"kind": kind}), preview=preview, status=400)
        messages.success(
            request,
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        target = "crm:leads" if kind == "leads" else "crm:import"
        return redirect(target, org_slug=self.organization.slug)

    def _render(self, *, upload, preview=None, confirm=None, status=200):
        context = {
            "organization": self.organization,
            "access": self.access,
            "upload": upload,
            "preview": preview,
            "confirm": confirm,
            "lead_columns": csv_import.LEAD_COLUMNS,
            "sale_columns": csv_import.SALE_COLUMNS,
        }
        return render(self.request, self.template_name, context, status=status)


class WebhookSettingsView(OrganizationViewMixin, View):
    """The organization's webhook URL per CRM; a new secret is shown once, right after it is made."""

    required_permission = Perm.MANAGE_TOKENS
    template_name = "crm/webhooks.html"

    def get(self, request, org_slug):
        hooks = {h.kind: h for h in CrmWebhook.objects.for_organization(self.organization)}
        new = request.session.pop("new_crm_webhook", None)
        rows = []
        for kind, label in CrmKind.choices:
            url = None
            if new and new.get("kind") == kind:
                url = request.build_absolute_uri(reverse("crm_webhook", args=[kind, new["secret"]]))
            rows.append({"kind": kind, "label": label, "hook": hooks.get(kind), "new_url": url})
        context = {"organization": self.organization, "access": self.access, "rows": rows}
        return render(request, self.template_name, context)

    def post(self, request, org_slug):
        form = WebhookRegenerateForm(request.POST)
        if not form.is_valid():
            raise Http404
        kind = form.cleaned_data["kind"]
        secret = services.crm_webhook_regenerate(access=self.access, kind=kind)
        # Shown once on the next page render, then gone (like a new API token).
        request.session["new_crm_webhook"] = {"kind": kind, "secret": secret}
        return redirect("crm:webhooks", org_slug=self.organization.slug)


@csrf_exempt  # called by the CRM's servers: the secret in the URL is the credential
@require_POST
def crm_webhook(request, kind: str, secret: str):
    try:
        result = services.crm_webhook_receive(kind=kind, secret=secret, form_pairs=_pairs(request))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        body = {"error": {"code": exc.code, "message": str(exc.message), "fields": exc.fields}}
        return JsonResponse(body, status=400)
    return JsonResponse(result.as_dict())


def _pairs(request):
    return [(key, value) for key, values in request.POST.lists() for value in values]
