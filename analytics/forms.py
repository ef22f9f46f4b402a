"""The filters of the analytics pages: the period (7/30/90/365 days or custom dates) and a
platform or an account. Invalid input is shown on the form and the page falls back to the last
30 days; it is never an error page."""

import datetime as dt
from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import EARLIEST_DATE, is_in_range, range_message
from integrations.models import SocialAccount
from integrations.selectors import analytics_platform_choices
from tenancy.models import Organization

from .explore import DEFAULT_DAYS, MAX_PERIOD_DAYS, PERIOD_DAYS, Scope

CUSTOM = "custom"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, organization: Organization, **kwargs):
        if data is not None and not data.get("period"):
            data = data.copy()  # a page link without a period shows (and uses) the default one
            data["period"] = str(DEFAULT_DAYS)
        super().__init__(data, **kwargs)
        self.organization = organization
        self.fields["period"].initial = str(DEFAULT_DAYS)
        self._choice("period").choices = [
            *((str(d), gettext("Last %(days)s days") % {"days": d}) for d in PERIOD_DAYS),
            (CUSTOM, gettext("Custom dates")),
        ]
        self._choice("platform").choices = [
            ("", gettext("All platforms")),
            *analytics_platform_choices(organization=organization),
        ]
        self.accounts = {
            a.pk: a
            for a in SocialAccount.objects.for_organization(organization).order_by("platform", "display_name", "pk")
        }
        self._choice("account").choices = [("", gettext("All accounts"))] + [
            (pk, f"{a.display_name} ({a.get_platform_display()})") for pk, a in self.accounts.items()
        ]

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", gettext("Choose the first day of the period."))
            if end is None:
                self.add_error("end", gettext("Choose the last day of the period."))
            if start is None or end is None:
                return data
            for name, value in (("start", start), ("end", end)):
                if not is_in_range(value):
                    self.add_error(name, range_message())
                    return data
            if start > end:
                self.add_error("end", gettext("The last day cannot be before the first."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("end", gettext("Choose at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
            elif start - dt.timedelta(days=(end - start).days + 1) < EARLIEST_DATE:
                self.add_error("start", range_message())
        return data

    def scope(self) -> Scope:
        """The chosen scope; the last 30 days of everything when the input is invalid."""
        today = self.organization.today()
        default = Scope(self.organization, today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
        if not self.is_bound or not self.is_valid():
            return default
        data = self.cleaned_data
        if data.get("period") == CUSTOM:
            start, end = data["start"], data["end"]
        else:
            days = int(data.get("period") or DEFAULT_DAYS)
            start, end = today - dt.timedelta(days=days - 1), today
        account = self.accounts.get(data.get("account") or 0)
        return Scope(
            self.organization,
            start,
            end,
            platform=data.get("platform") or "",
            account_id=account.pk if account else None,
            account_platform=account.platform if account else "",
        )
