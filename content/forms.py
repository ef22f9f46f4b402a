from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.vocabulary import PostFormat, SocialPlatform
from integrations.models import AccountStatus, SocialAccount
from strategy.models import ContentPillar, Goal

from .models import CallToAction, FunnelStage, PostObjective

_PLATFORMS = [p for p, _label in SocialPlatform.choices]


class PlatformTextsWidget(forms.MultiWidget):
    def __init__(self) -> None:
        # One label for the group, so each box names its platform itself (screen readers).
        super().__init__(
            [forms.Textarea(attrs={"rows": 3, "aria-label": label}) for _p, label in SocialPlatform.choices]
        )

    def decompress(self, value: Any) -> list[str]:
        value = value or {}
        return [value.get(p, "") for p in _PLATFORMS]


class PlatformTextsField(forms.MultiValueField):
    """One text per platform (blank: the common text); cleaned to {platform: text}."""

    widget = PlatformTextsWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [forms.CharField(required=False, label=label) for _p, label in SocialPlatform.choices]
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[str]) -> dict[str, str]:
        return {p: t for p, t in zip(_PLATFORMS, data_list or [], strict=False) if t and t.strip()}


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    platform = forms.ChoiceField(label=_("Platform"), choices=SocialPlatform.choices)
    objective = forms.ChoiceField(label=_("Objective"), choices=PostObjective.choices)
    funnel_stage = forms.ChoiceField(label=_("Funnel stage"), choices=[("", "—"), *FunnelStage.choices], required=False)
    format = forms.ChoiceField(label=_("Format"), choices=PostFormat.choices, initial=PostFormat.TEXT)
    goal = forms.ModelChoiceField(label=_("Goal it serves"), queryset=Goal.objects.none(), required=False)
    pillar = forms.ModelChoiceField(label=_("Content pillar"), queryset=ContentPillar.objects.none(), required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea, required=False, help_text=_("Copy with a clear call to action.")
    )
    texts = PlatformTextsField(
        label=_("Text per platform"), help_text=_("VK, Telegram, Instagram, Facebook; blank: the text above.")
    )
    target_accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=SocialAccount.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every connected account of the platform."),
    )
    cta_type = forms.ChoiceField(label=_("Call to action"), choices=[("", "—"), *CallToAction.choices], required=False)
    cta_url = forms.URLField(
        label=_("Call to action link"),
        required=False,
        assume_scheme="https",
        help_text=_("Published as a tracked short link with UTM tags."),
    )
    contest_rules = forms.CharField(label=_("Contest rules"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, strategy: Any = None, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only goals and pillars of the strategy the plan follows (already scoped to the organization).
        if strategy is not None:
            self.fields["goal"].queryset = Goal.objects.filter(  # type: ignore[attr-defined]
                organization_id=strategy.organization_id, strategy=strategy
            )
            self.fields["pillar"].queryset = ContentPillar.objects.filter(  # type: ignore[attr-defined]
                organization_id=strategy.organization_id, strategy=strategy
            )
        if organization is not None:
            self.fields["target_accounts"].queryset = connected_accounts(organization)  # type: ignore[attr-defined]

    def clean_target_accounts(self) -> list[int]:
        return [account.pk for account in self.cleaned_data.get("target_accounts") or []]


def connected_accounts(organization: Any) -> Any:
    """The organization's connected (active) accounts: the ones a post can be published to."""
    return (
        SocialAccount.objects.for_organization(organization)
        .filter(status=AccountStatus.ACTIVE)
        .order_by("platform", "display_name", "pk")
    )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class PostScheduleForm(ScheduleForm):
    """The post page's schedule form: the time and the accounts, among the connected ones (none
    chosen: the post's own choice, else every connected account of its platforms)."""

    accounts = forms.ModelMultipleChoiceField(
        label=_("Publish to"),
        queryset=SocialAccount.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each gets its own publication. None chosen: the post's accounts, else all connected ones."),
    )

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.fields["accounts"].queryset = connected_accounts(organization)  # type: ignore[attr-defined]

    def clean_accounts(self) -> list[int] | None:
        chosen = [account.pk for account in self.cleaned_data.get("accounts") or []]
        return chosen or None


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MediaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or video"),
        help_text=_("JPEG, PNG, GIF or WebP photos; MP4 or MOV videos. Checked against each platform's limits."),
    )
