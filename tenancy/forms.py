from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Organization
from .roles import Role, Scope
from .services import ORGANIZATION_FIELDS


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Work email"))
    organization_name = forms.CharField(label=_("Company or brand"), max_length=200)


class SignUpConfirmForm(forms.Form):
    """Step 2, reached from the emailed link: the mailbox is proven, now the password."""

    organization_name = forms.CharField(label=_("Company or brand"), max_length=200)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Checked against the email too (UserAttributeSimilarityValidator).
        password_validation.validate_password(password, get_user_model()(username=self.email, email=self.email))
        return password


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_FIELDS


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MARKETER)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: amoCRM integration"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for a token that does not expire."),
    )
