"""Forms of the calendar: the filters (GET), moving a post, the organization's dates, the CSV import."""

import datetime as dt
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.vocabulary import SocialPlatform
from integrations.models import SocialAccount
from strategy.models import ContentPillar, Goal
from tenancy.models import Organization

from .calendar import VIEWS, PlanFilters
from .models import Post, PostObjective
from .plan_models import DateKind

VIEW_LABELS = {"month": _("Month"), "week": _("Week"), "list": _("List")}
VIEW_CHOICES = [(v, VIEW_LABELS[v]) for v in VIEWS]


class PlanFilterForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), choices=VIEW_CHOICES, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    platform = forms.ChoiceField(label=_("Platform"), choices=[("", _("All")), *SocialPlatform.choices], required=False)
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=SocialAccount.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Post.Status.choices], required=False)
    objective = forms.ChoiceField(
        label=_("Objective"), choices=[("", _("All")), *PostObjective.choices], required=False
    )
    pillar = forms.ModelChoiceField(
        label=_("Pillar"), queryset=ContentPillar.objects.none(), required=False, empty_label=_("All")
    )
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False, empty_label=_("All"))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        scoped: dict[str, QuerySet] = {
            "account": SocialAccount.objects.for_organization(organization).order_by("platform", "display_name"),
            "pillar": ContentPillar.objects.for_organization(organization).select_related("strategy"),
            "goal": Goal.objects.for_organization(organization).select_related("strategy"),
        }
        for name, queryset in scoped.items():
            cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset

    def plan_filters(self) -> PlanFilters:
        data = self.cleaned_data if self.is_valid() else {}
        filters = PlanFilters()
        for name in ("platform", "status", "objective"):
            if data.get(name):
                filters[name] = data[name]  # type: ignore[literal-required]
        for name in ("account", "pillar", "goal"):
            if data.get(name) is not None:
                filters[name] = data[name].pk  # type: ignore[literal-required]
        return filters

    def view_and_date(self, today: dt.date) -> tuple[str, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("view") or "month", data.get("date") or today


class MoveForm(forms.Form):
    """The new time (the form without JavaScript), or only the day (a drop keeps the time of day)."""

    planned_at = forms.DateTimeField(
        label=_("New time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("planned_at") and not data.get("day"):
            raise forms.ValidationError(_("Choose the new date and time."))
        return data


class CalendarDateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DateKind.choices, initial=DateKind.NEWS_HOOK)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
