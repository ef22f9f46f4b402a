from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AttributionModel, CrmKind

KIND_CHOICES = [("leads", _("Leads")), ("sales", _("Sales"))]


class CsvUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Windows-1251, comma or semicolon separated, a header row first; at most 1000 rows and 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class CsvConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.HiddenInput)
    # The previewed file travels back with the confirmation and is validated again.
    text = forms.CharField(widget=forms.HiddenInput, strip=False)


class WebhookRegenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=CrmKind.choices)


class AttributionModelForm(forms.Form):
    attribution_model = forms.ChoiceField(label=_("Attribution model"), choices=AttributionModel.choices)
