from django import forms
from django.utils.translation import gettext_lazy as _

from core.events import Event


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("An https:// address of your server that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/hooks/smm", "autocomplete": "url"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
