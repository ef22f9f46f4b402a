from django import forms
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign

from .models import ABTest
from .planning import MAX_VARIANTS
from .services import ABTEST_FIELDS

PLAN_FORM_FIELDS = [f for f in ABTEST_FIELDS if f != "end_date"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ABTestPlanForm(forms.ModelForm):
    """The test's design and its variants (the first is the control); each variant may name the
    ad campaign it runs as."""

    class Meta:
        model = ABTest
        fields = PLAN_FORM_FIELDS
        widgets = {"start_date": DATE, "hypothesis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = AdCampaign.objects.for_organization(organization).order_by("name", "id")
        for i in range(1, MAX_VARIANTS + 1):
            required = i <= 2
            label = _("Control") if i == 1 else _("Variant %(n)d") % {"n": i}
            self.fields[f"variant_{i}_name"] = forms.CharField(
                label=label, max_length=120, required=required, initial=("A" if i == 1 else "B" if i == 2 else "")
            )
            self.fields[f"variant_{i}_campaign"] = forms.ModelChoiceField(
                label=_("%(label)s: ad campaign") % {"label": label},
                queryset=campaigns,
                required=False,
                help_text=_("Leave empty to enter the counts by hand."),
            )

    def variants(self) -> list[dict]:
        rows = []
        for i in range(1, MAX_VARIANTS + 1):
            name = (self.cleaned_data.get(f"variant_{i}_name") or "").strip()
            if name:
                rows.append({"name": name, "campaign": self.cleaned_data.get(f"variant_{i}_campaign")})
        return rows

    def test_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PLAN_FORM_FIELDS}


class CountsForm(forms.Form):
    """Counts by hand of one variant."""

    units = forms.IntegerField(label=_("Impressions or clicks"), min_value=0, max_value=10**12)
    conversions = forms.IntegerField(label=_("Clicks or leads"), min_value=0, max_value=10**12)
    spend = forms.DecimalField(label=_("Spend"), min_value=0, max_digits=14, decimal_places=2, required=False)


class ConcludeForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ABTest.Decision.choices)
    decision_notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
