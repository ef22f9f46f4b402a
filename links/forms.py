from django import forms
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign
from content.models import Post

from .models import TrackedLink
from .utm import UTM_FIELDS

TARGET_HELP = _("The page visitors land on: an http:// or https:// address of your site.")
UTM_HELP = {
    "utm_source": _("Where the visitor comes from: the platform (vk, telegram, ...)."),
    "utm_medium": _("The kind of traffic: social for posts, paid_social for ads."),
    "utm_campaign": _("The goal of a post or the name of an ad campaign."),
    "utm_content": _("Which post or creative: the link's short code by default."),
    "utm_term": _("Optional: a keyword or audience."),
}


class LinkCreateForm(forms.Form):
    target_url = forms.URLField(
        label=_("Target address"), max_length=2000, assume_scheme="https", help_text=TARGET_HELP
    )
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    campaign = forms.ModelChoiceField(label=_("Ad campaign"), queryset=AdCampaign.objects.none(), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.for_organization(organization).order_by("-created_at", "-id")
        self.fields["campaign"].queryset = AdCampaign.objects.for_organization(organization).order_by("name", "id")
        self.fields["post"].empty_label = _("— no post —")
        self.fields["campaign"].empty_label = _("— no campaign —")

    def clean(self):
        data = super().clean()
        if data.get("post") and data.get("campaign"):
            self.add_error("campaign", _("A link belongs to a post or to an ad campaign, not both."))
        return data


class LinkEditForm(forms.ModelForm):
    class Meta:
        model = TrackedLink
        fields = ["target_url", *UTM_FIELDS]
        widgets = {"target_url": forms.URLInput()}
        help_texts = {"target_url": TARGET_HELP, **UTM_HELP}
