from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Platform


class VkConnectForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("What to connect"),
        choices=[(Platform.VK, _("VK community")), (Platform.VK_ADS, _("VK Ads account"))],
    )
    external_id = forms.CharField(
        label=_("Community or ad account id"),
        max_length=100,
        help_text=_("For a community: its id or short name from the link, e.g. 218450731 or zerno_coffee_kzn."),
    )


class MetaConnectForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("What to connect"),
        choices=[
            (Platform.INSTAGRAM, _("Instagram professional account")),
            (Platform.FACEBOOK, _("Facebook Page")),
            (Platform.META_ADS, _("Meta ad account")),
        ],
    )
    external_id = forms.CharField(
        label=_("Account id"),
        max_length=100,
        help_text=_("Instagram user id, Facebook Page id, or ad account id (act_…)."),
    )


class TelegramConnectForm(forms.Form):
    bot_token = forms.CharField(
        label=_("Bot token"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("From @BotFather. Add the bot to the channel as an administrator first."),
    )
    chat = forms.CharField(label=_("Channel"), max_length=100, help_text=_("@username or numeric id of the channel."))
