from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import is_in_range, range_message
from core.kpis import CATALOG

from .models import Frequency


class ReportSettingsForm(forms.Form):
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses, one a line or separated by commas."),
    )
    kpis = forms.MultipleChoiceField(
        label=_("Agreed KPIs"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Start as the approved strategy's goals' KPIs; the report lists them first."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpis"].choices = [(kpi.key, kpi.name) for kpi in CATALOG]

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data.get("recipients") or ""
        return [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not is_in_range(value):
            raise forms.ValidationError(range_message())
        return value

    def clean_start(self):
        return self._in_range("start")

    def clean_end(self):
        return self._in_range("end")
