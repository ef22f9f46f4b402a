import datetime as dt
import json
from decimal import Decimal

import plotly.graph_objects as go
from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from adrules.figures import (
    LABELS,
    ORDER,
    campaign_daily_series,
    campaign_scorecards,
    scorecard_rows,
    target_warnings,
    unit_scorecards,
)
from core.dates import EARLIEST_DATE, LATEST_DATE
from core.errors import DomainError, NotFound, PermissionDenied
from core.kpis import kpi_window
from core.types import StrOrPromise
from integrations.models import SocialAccount
from strategy.models import Goal
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import csv_import, services
from .models import AdCampaign, AdCreative, AdSet, BudgetChange
from .selectors import campaign_pacing, month_bounds, organization_pacing

MAX_PERIOD_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                self.add_error(name, _("Choose a date between 2000 and 2099."))
        if start and end and (end < start or (end - start).days >= MAX_PERIOD_DAYS):
            self.add_error("end", _("The period is one day to one year, the end after the start."))
        return data


class PeriodMixin:
    """The chosen period (``?start=&end=``), by default the trailing KPI window; a bad period is
    shown with its errors and the default is used."""

    def period(self, organization) -> tuple[dt.date, dt.date, PeriodForm]:
        end = organization.today()
        start = kpi_window(end)[0]
        form = PeriodForm(self.request.GET or None)  # type: ignore[attr-defined]
        if form.is_bound and form.is_valid():
            start = form.cleaned_data.get("start") or start
            end = form.cleaned_data.get("end") or end
            if end < start or (end - start).days >= MAX_PERIOD_DAYS:
                start = end - dt.timedelta(days=29)
        return start, end, form


class AdsHomeView(PeriodMixin, OrganizationViewMixin, ListView):
    """Campaigns with their CRM-judged figures for the chosen period (only that window's stat rows
    are read), target warnings and this month's pacing."""

    template_name = "ads/home.html"
    paginate_by = 50
    model = AdCampaign

    def safely_get_queryset(self, queryset):
        self.start, self.end, self.period_form = self.period(self.organization)
        # Tracked links (links app) by their reverse relation: shown and edited under each campaign.
        return (
            queryset.select_related("account", "plan")
            .prefetch_related("tracked_links")
            .order_by("status", "name", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = list(context["object_list"])
        currency = self.organization.currency
        cards = campaign_scorecards(
            organization=self.organization, start=self.start, end=self.end, campaign_ids=[c.pk for c in campaigns]
        )
        today = self.organization.today()
        pacing = campaign_pacing(organization=self.organization, today=today, campaigns=campaigns)
        rows = []
        for campaign in campaigns:
            plan = getattr(campaign, "plan", None)
            rows.append(
                {
                    "campaign": campaign,
                    "figures": {r["key"]: r["value"] for r in scorecard_rows(cards[campaign.pk], currency)},
                    "warnings": target_warnings(cards[campaign.pk], plan, currency),
                    "pacing": pacing.get(campaign.pk),
                }
            )
        month = month_bounds(today)[0]
        return context | {
            "rows": rows,
            "start": self.start,
            "end": self.end,
            "period_form": self.period_form,
            "org_pacing": organization_pacing(organization=self.organization, today=today),
            "month": month,
            "can_write": self.access.can(Perm.WRITE),
        }


class CampaignDetailView(PeriodMixin, OrganizationViewMixin, DetailView):
    template_name = "ads/campaign_detail.html"
    model = AdCampaign
    context_object_name = "campaign"

    def safely_get_queryset(self, queryset):
        return queryset.select_related("account", "plan", "plan__goal")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        start, end, form = self.period(self.organization)
        currency = self.organization.currency
        card = campaign_scorecards(organization=self.organization, start=start, end=end, campaign_ids=[campaign.pk])[
            campaign.pk
        ]
        plan = getattr(campaign, "plan", None)
        series = campaign_daily_series(organization=self.organization, campaign_id=campaign.pk, start=start, end=end)
        today = self.organization.today()
        return context | {
            "start": start,
            "end": end,
            "period_form": form,
            "figures": scorecard_rows(card, currency),
            "warnings": target_warnings(card, plan, currency),
            "plan": plan,
            "pacing": campaign_pacing(organization=self.organization, today=today, campaigns=[campaign]).get(
                campaign.pk
            ),
            "chart_json": daily_chart_json(series),
            "chart_has_data": any(day["spend"] is not None or day["leads"] for day in series),
            "goals": Goal.objects.for_organization(self.organization).order_by("pk")[:100],
            **self.units(campaign, start, end, currency),
            "budget_changes": BudgetChange.objects.for_organization(self.organization)
            .filter(campaign=campaign)
            .select_related("actor")[:20],
            "can_write": self.access.can(Perm.WRITE),
        }

    MAX_AD_SETS = 50

    def units(self, campaign: AdCampaign, start: dt.date, end: dt.date, currency: str) -> dict:
        """Ad sets with their creatives, each with its figures for the period: a constant number of
        queries whatever the number of ad sets and creatives (two lists, the KPI engine per level)."""
        creatives = AdCreative.objects.for_organization(self.organization).order_by("name", "id")
        ad_sets = list(
            AdSet.objects.for_organization(self.organization)
            .filter(campaign=campaign)
            .prefetch_related(Prefetch("creatives", queryset=creatives))[: self.MAX_AD_SETS]
        )
        all_creatives = [c for s in ad_sets for c in s.creatives.all()]
        figures = {"organization": self.organization, "start": start, "end": end, "campaign_id": campaign.pk}
        set_cards = unit_scorecards(**figures, level="ad_set", unit_ids=[s.pk for s in ad_sets]) if ad_sets else {}
        creative_cards = (
            unit_scorecards(**figures, level="creative", unit_ids=[c.pk for c in all_creatives])
            if all_creatives
            else {}
        )
        for ad_set in ad_sets:
            ad_set.figures = scorecard_rows(set_cards[ad_set.pk], currency)  # type: ignore[attr-defined]
            for creative in ad_set.creatives.all():
                creative.figures = scorecard_rows(creative_cards[creative.pk], currency)  # type: ignore[attr-defined]
        return {"ad_sets": ad_sets, "unit_columns": [{"key": key, "label": LABELS[key]} for key in ORDER]}


def daily_chart_json(series: list[dict]) -> str:
    days = [day["day"].isoformat() for day in series]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=days, y=[float(d["spend"]) if d["spend"] is not None else None for d in series], name=_t("Spend"))
    )
    fig.add_trace(
        go.Scatter(x=days, y=[d["leads"] for d in series], name=_t("CRM leads"), yaxis="y2", mode="lines+markers")
    )
    fig.add_trace(
        go.Scatter(x=days, y=[d["platform_leads"] for d in series], name=_t("Cabinet leads"), yaxis="y2", mode="lines")
    )
    fig.update_layout(
        margin={"l": 40, "r": 40, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h"},
        hovermode="x unified",
        xaxis={"tickformat": "%d.%m"},
        yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return json.dumps(fig.to_plotly_json(), default=str)


class _CampaignActionView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE
    success_message: StrOrPromise = ""

    def act(self, pk: int):
        raise NotImplementedError

    def post(self, request, org_slug, pk):
        try:
            campaign = self.act(pk)
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            for errors in exc.fields.values() or [[str(exc.message)]]:
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, self.success_message % {"name": campaign.name})
        target = request.POST.get("next", "")
        if target == "detail":
            return redirect("ads:campaign_detail", org_slug=org_slug, pk=pk)
        return redirect("ads:home", org_slug=org_slug)


class CampaignLaunchView(_CampaignActionView):
    success_message = _("Campaign «%(name)s» launched.")

    def act(self, pk):
        return services.ad_campaign_launch(access=self.access, campaign_id=pk)


class CampaignPauseView(_CampaignActionView):
    success_message = _("Campaign «%(name)s» paused.")

    def act(self, pk):
        return services.ad_campaign_pause(access=self.access, campaign_id=pk)


class CampaignBudgetView(_CampaignActionView):
    success_message = _("The daily budget of «%(name)s» is changed on the platform.")

    def act(self, pk):
        return services.ad_campaign_budget_set(
            access=self.access, campaign_id=pk, daily_budget=self.request.POST.get("daily_budget", "")
        )


class PlanForm(forms.Form):
    goal = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    target_cpl = forms.DecimalField(required=False, max_digits=14, decimal_places=2, min_value=0)
    target_romi = forms.DecimalField(required=False, max_digits=9, decimal_places=2)
    monthly_budget = forms.DecimalField(required=False, max_digits=14, decimal_places=2, min_value=0)


class CampaignPlanView(_CampaignActionView):
    success_message = _("The plan of «%(name)s» is saved.")

    def act(self, pk):
        form = PlanForm(self.request.POST)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise DomainError(errors[0], field=field)
        services.campaign_plan_set(access=self.access, campaign_id=pk, data=form.cleaned_data)
        return services.ad_campaign_get(organization=self.organization, campaign_id=pk)


class AdBudgetView(OrganizationViewMixin, View):
    """The organization's monthly ad budget (this month)."""

    required_permission = Perm.WRITE

    def post(self, request, org_slug):
        field = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
        try:
            amount = field.clean(request.POST.get("amount", ""))
            services.ad_budget_set(access=self.access, month=self.organization.today(), amount=amount)
        except forms.ValidationError as exc:
            messages.error(request, _t("Monthly budget: %(error)s") % {"error": " ".join(exc.messages)})
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _t("The monthly ad budget is saved."))
        return redirect(reverse("ads:home", kwargs={"org_slug": org_slug}))


class StatsImportView(OrganizationViewMixin, TemplateView):
    """CSV import of campaign statistics: upload → preview with every row's errors → confirm."""

    template_name = "ads/import.html"
    required_permission = Perm.WRITE

    def get_context_data(self, **kwargs):
        accounts = SocialAccount.objects.for_organization(self.organization).order_by("platform", "pk")[:100]
        return super().get_context_data(**kwargs) | {"accounts": accounts, "columns": csv_import.COLUMNS}

    def post(self, request, org_slug):
        account_id = request.POST.get("account", "")
        context: dict = {"account_id": account_id}
        try:
            if "confirm" in request.POST:
                count = csv_import.import_rows(
                    access=self.access, account_id=account_id, text=request.POST.get("text", "")
                )
                messages.success(request, _t("Imported %(n)d rows.") % {"n": count})
                return redirect("ads:home", org_slug=org_slug)
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_t("Choose a CSV file."), field="file")
            text = csv_import.decode(upload.read(csv_import.MAX_BYTES + 1))
            context |= {
                "preview": csv_import.preview(access=self.access, account_id=account_id, text=text),
                "text": text,
            }
        except (NotFound, PermissionDenied) as exc:
            if isinstance(exc, NotFound) and "account" not in str(exc.message).lower():
                raise
            context["error"] = str(exc.message)
        except DomainError as exc:
            context["error"] = str(exc.message)
            context["row_errors"] = {k: v for k, v in exc.fields.items() if k.startswith("line ")}
        return self.render_to_response(self.get_context_data(**context))
