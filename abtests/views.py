from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.views_base import OrganizationViewMixin

from . import selectors, services
from .explain import explain, metric_value, pct, signed_pct
from .forms import ABTestPlanForm, ConcludeForm, CountsForm
from .models import ABTest, Metric
from .planning import plan_sample


class ABTestListView(OrganizationViewMixin, ListView):
    template_name = "abtests/list.html"
    paginate_by = 25
    model = ABTest

    def safely_get_queryset(self, queryset):
        return selectors.abtest_list(organization=self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_write": self.access.can(Perm.WRITE)}


class ABTestPlanView(OrganizationViewMixin, View):
    """The planner: the design, the variants and the calculator (sample and duration)."""

    required_permission = Perm.WRITE
    template_name = "abtests/plan.html"

    def get(self, request, org_slug):
        return self.render_page(ABTestPlanForm(organization=self.organization), None)

    def post(self, request, org_slug):
        form = ABTestPlanForm(request.POST, organization=self.organization)
        plan = None
        if form.is_valid():
            try:
                if request.POST.get("action") == "save":
                    test = services.abtest_create(access=self.access, variants=form.variants(), **form.test_data())
                    messages.success(request, _("A/B test planned. Start it when the variants go live."))
                    return redirect("abtests:detail", org_slug=org_slug, pk=test.pk)
                plan = self.calculate(form)
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
        return self.render_page(form, plan)

    def calculate(self, form: ABTestPlanForm):
        data = form.test_data()
        variants = form.variants()
        baseline, traffic = data.get("baseline_percent"), data.get("daily_traffic")
        source = None
        control = variants[0]["campaign"] if variants else None
        if control is not None and (baseline is None or traffic is None):
            current = selectors.current_traffic(
                organization=self.organization,
                campaign_id=control.pk,
                metric=data["metric"],
                end=self.organization.today(),
            )
            baseline = baseline if baseline is not None else current.baseline_percent
            traffic = traffic if traffic is not None else current.daily_traffic
            source = current
        plan = plan_sample(
            metric=data["metric"],
            mde_percent=data.get("mde_percent"),
            alpha=data.get("alpha"),
            power=data.get("power"),
            baseline_percent=baseline,
            daily_traffic=traffic,
            variants=len(variants),
        )
        return {"plan": plan, "baseline": baseline, "traffic": traffic, "source": source, "metric": data["metric"]}

    def render_page(self, form, calc):
        return render(
            self.request,
            self.template_name,
            {
                "organization": self.organization,
                "access": self.access,
                "form": form,
                "calc": calc,
                "metric_cpl": Metric.CPL,
            },
        )


class ABTestDetailView(OrganizationViewMixin, View):
    """Results: the variants, the lift and its interval, the probability to be best, the verdict;
    the actions of the test's life (start, counts, refresh, conclude)."""

    template_name = "abtests/detail.html"
    model = ABTest  # what <pk> names (read through the scoped selector below)

    def _get(self, pk) -> ABTest:
        return get_for_organization(
            selectors.abtest_with_variants(organization=self.organization), self.organization, pk
        )

    def get(self, request, org_slug, pk):
        return self.render_page(self._get(pk), ConcludeForm())

    def post(self, request, org_slug, pk):
        self.access.require(Perm.WRITE)
        test = self._get(pk)
        action = request.POST.get("action")
        conclude_form = ConcludeForm()
        try:
            if action == "start":
                services.abtest_start(access=self.access, test=test)
                messages.success(request, _("Test started. Its metric, effect and sample are now fixed."))
            elif action == "refresh":
                services.abtest_refresh(access=self.access, test=test)
                messages.success(request, _("Counts updated from the linked campaigns and posts."))
            elif action == "counts":
                counts = {}
                for variant in test.variants.all():
                    if variant.linked:
                        continue
                    form = CountsForm(request.POST, prefix=f"v{variant.pk}")
                    if not form.is_valid():
                        messages.error(
                            request, _("«%(name)s»: enter whole numbers of zero or more.") % {"name": variant.name}
                        )
                        return redirect("abtests:detail", org_slug=org_slug, pk=pk)
                    data = {k: v for k, v in form.cleaned_data.items() if v is not None}
                    counts[variant.pk] = data
                services.abtest_counts_set(access=self.access, test=test, counts=counts)
                messages.success(request, _("Counts saved."))
            elif action == "conclude":
                conclude_form = ConcludeForm(request.POST)
                if not conclude_form.is_valid():
                    return self.render_page(test, conclude_form)
                services.abtest_conclude(access=self.access, test=test, **conclude_form.cleaned_data)
                messages.success(request, _("Test concluded. It will appear in the report of this period."))
            else:
                raise Http404
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            if action == "conclude":
                apply_domain_error(conclude_form, exc)
                return self.render_page(self._get(pk), conclude_form)
            messages.error(request, str(exc.message))
        return redirect("abtests:detail", org_slug=org_slug, pk=pk)

    def render_page(self, test, conclude_form):
        variants = list(test.variants.all())
        evaluation = selectors.abtest_evaluation(test, variants)
        rows = []
        if evaluation is not None:
            for i, variant in enumerate(variants):
                cmp = evaluation.comparisons[i]
                rows.append(
                    {
                        "variant": variant,
                        "value": metric_value(evaluation.metric, evaluation.estimates[i], test.currency),
                        "lift": signed_pct(cmp.lift) if cmp else "",
                        "ci": f"{signed_pct(cmp.lift_low)} … {signed_pct(cmp.lift_high)}"
                        if cmp and cmp.lift_low is not None
                        else "—",
                        "p": number_format(round(cmp.p_value, 4), 4) if cmp and cmp.p_value is not None else "—",
                        "prob_best": pct(evaluation.prob_best[i], 0),
                        "counts_form": CountsForm(
                            prefix=f"v{variant.pk}",
                            initial={
                                "units": variant.units,
                                "conversions": variant.conversions,
                                "spend": variant.spend,
                            },
                        ),
                    }
                )
        names = [v.name for v in variants]
        return render(
            self.request,
            self.template_name,
            {
                "organization": self.organization,
                "access": self.access,
                "test": test,
                "rows": rows,
                "evaluation": evaluation,
                "explanation": explain(evaluation, names, test.currency) if evaluation else [],
                "conclude_form": conclude_form,
                "can_write": self.access.can(Perm.WRITE),
                "has_manual": any(not v.linked for v in variants),
                "has_linked": any(v.linked for v in variants),
            },
        )
