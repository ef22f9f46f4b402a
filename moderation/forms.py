from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InboxTag


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=2000, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), required=False)


class TagForm(forms.Form):
    tags = forms.MultipleChoiceField(label=_("Tags"), choices=InboxTag.choices, required=False)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("tag", _("Tag")),
        ("resolve", _("Resolve")),
        ("wait", _("Waiting for the customer")),
    ]
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = forms.IntegerField(label=_("Assignee"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), choices=[("", "—"), *InboxTag.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are checked against the organization by the service; here only their shape.
        self.fields["items"].choices = [(v, v) for v in self.data.getlist("items") if str(v).isdigit()]


class KeywordForm(forms.Form):
    phrase = forms.CharField(label=_("Phrase to search for"), max_length=100)
    exclusions = forms.CharField(
        label=_("Skip posts containing (comma or line separated)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
