from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _t
from django.views import View
from django.views.generic import ListView, TemplateView

from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import services
from .forms import RuleForm
from .models import ActionStatus, OptimizationRule, RuleAction, RuleEvaluation
from .tasks import execute_action


class RuleListView(OrganizationViewMixin, ListView):
    """Rules, actions waiting for approval and the latest evaluations."""

    template_name = "adrules/list.html"
    model = OptimizationRule
    paginate_by = 50

    def safely_get_queryset(self, queryset):
        return queryset.select_related("campaign").order_by("name", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = RuleAction.objects.for_organization(self.organization).select_related("rule", "campaign")
        return context | {
            "pending": actions.filter(status=ActionStatus.PENDING)[:50],
            "recent_actions": actions.exclude(status=ActionStatus.PENDING)[:20],
            "evaluations": RuleEvaluation.objects.for_organization(self.organization).select_related(
                "rule", "campaign"
            )[:30],
            "can_write": self.access.can(Perm.WRITE),
        }


class RuleEditView(OrganizationViewMixin, TemplateView):
    """Create or edit a rule. "Preview" is a dry run on current data: nothing is saved or sent."""

    template_name = "adrules/edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            self.required_permission = Perm.WRITE
        return super().dispatch(request, *args, **kwargs)

    def _rule(self):
        pk = self.kwargs.get("pk")
        return services.rule_get(organization=self.organization, rule_id=pk) if pk else None

    def get(self, request, *args, **kwargs):
        rule = self._rule()
        form = RuleForm(instance=rule, organization=self.organization)
        return self.render_to_response(self.get_context_data(form=form, rule=rule, log=self._log(rule)))

    def _log(self, rule):
        if rule is None:
            return []
        return (
            RuleEvaluation.objects.for_organization(self.organization)
            .filter(rule=rule)
            .select_related("rule", "campaign")[:30]
        )

    def post(self, request, *args, **kwargs):
        rule = self._rule()
        form = RuleForm(request.POST, instance=rule, organization=self.organization)
        preview = None
        if form.is_valid():
            data = form.service_data()
            try:
                if "preview" in request.POST:
                    draft = services.rule_draft(organization=self.organization, rule=rule, data=data)
                    preview = services.rule_preview(organization=self.organization, rule=draft)
                elif rule is None:
                    rule = services.rule_create(access=self.access, data=data)
                    messages.success(request, _t("The rule is saved."))
                    return redirect("adrules:edit", org_slug=self.organization.slug, pk=rule.pk)
                else:
                    services.rule_update(access=self.access, rule_id=rule.pk, data=data)
                    messages.success(request, _t("The rule is saved."))
                    return redirect("adrules:edit", org_slug=self.organization.slug, pk=rule.pk)
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
        return self.render_to_response(
            self.get_context_data(form=form, rule=rule, preview=preview, log=self._log(rule))
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_write": self.access.can(Perm.WRITE)}


class RuleTemplatesView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug):
        created = services.rule_templates_install(access=self.access)
        messages.success(request, _t("Rule templates added: %(n)s (off until you enable them).") % {"n": len(created)})
        return redirect("adrules:list", org_slug=org_slug)


class RuleDeleteView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug, pk):
        services.rule_delete(access=self.access, rule_id=pk)
        messages.success(request, _t("The rule is deleted."))
        return redirect("adrules:list", org_slug=org_slug)


class ActionDecideView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE
    approve = True

    def post(self, request, org_slug, pk):
        try:
            action = services.action_decide(access=self.access, action_id=pk, approve=self.approve)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if self.approve:
                execute_action.delay(self.organization.pk, action.pk)
                messages.success(request, _t("Approved: the action is sent to the platform."))
            else:
                messages.success(request, _t("Rejected: nothing is sent."))
        return redirect("adrules:list", org_slug=org_slug)
