from django import forms
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign

from .models import OptimizationRule


class RuleForm(forms.ModelForm):
    """The rule editor; the service validates what the condition and the action need."""

    campaign = forms.ModelChoiceField(
        queryset=AdCampaign.objects.none(), required=False, empty_label=_("Every running campaign"), label=_("Campaign")
    )

    class Meta:
        model = OptimizationRule
        fields = [
            "name",
            "campaign",
            "condition",
            "window_days",
            "factor",
            "min_spend",
            "ctr_below",
            "min_impressions",
            "romi_above",
            "streak_days",
            "action",
            "percent",
            "budget_min",
            "budget_max",
            "mode",
            "enabled",
        ]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = AdCampaign.objects.for_organization(organization).order_by("name", "id")
        self.fields["window_days"].max_value = 90

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        campaign = data.pop("campaign", None)
        data["campaign"] = campaign.pk if campaign else None
        return data
