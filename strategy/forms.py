"""HTML forms for the strategy editor. They check shape only; services enforce the rules and
their DomainErrors are shown on the form (`apply_domain_error`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.kpis import OBJECTIVE_CHOICES, OBJECTIVE_LABELS, Objective, kpis_for_objective
from core.vocabulary import PostFormat, SocialPlatform

from .models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    ContentPillar,
    Experiment,
    FunnelStage,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)
from .services import (
    AUDIT_FIELDS,
    COMPETITOR_FIELDS,
    EXPERIMENT_PLAN_FIELDS,
    GOAL_FIELDS,
    PILLAR_FIELDS,
    PLATFORM_CHOICE_FIELDS,
    PROFILE_FIELDS,
    SEGMENT_FIELDS,
    STRATEGY_FIELDS,
    TREND_FIELDS,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL_TEXT = forms.Textarea(attrs={"rows": 3})


def kpi_choices(objective: str | None = None) -> list:
    """KPIs fitting the objective; without one, all KPIs grouped by objective (no-JS fallback)."""
    if objective:
        return [("", "---------"), *[(k.key, k.name) for k in kpis_for_objective(objective)]]
    groups = [(OBJECTIVE_LABELS[o], [(k.key, k.name) for k in kpis_for_objective(o)]) for o in Objective]
    return [("", "---------"), *groups]


class ServiceChecksUniqueness(forms.ModelForm):
    """A form whose model's unique keys start with the organization, which the form does not hold:
    the service checks them and reports a duplicate on the field."""

    def validate_unique(self) -> None:
        pass


class BusinessProfileForm(forms.ModelForm):
    class Meta:
        model = BusinessProfile
        fields = PROFILE_FIELDS
        widgets = {"product": SMALL_TEXT, "value_proposition": SMALL_TEXT, "sales_channels": SMALL_TEXT}


class AudienceSegmentForm(forms.ModelForm):
    platforms = forms.MultipleChoiceField(
        label=_("Where they spend time"),
        choices=SocialPlatform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = AudienceSegment
        fields = SEGMENT_FIELDS
        widgets = {f: SMALL_TEXT for f in ["demographics", "needs", "pains", "objections", "buying_triggers"]}


class CompetitorForm(forms.ModelForm):
    vk = forms.URLField(label=_("VK link"), required=False, assume_scheme="https")
    telegram = forms.URLField(label=_("Telegram link"), required=False, assume_scheme="https")
    instagram = forms.URLField(label=_("Instagram link"), required=False, assume_scheme="https")
    facebook = forms.URLField(label=_("Facebook link"), required=False, assume_scheme="https")

    class Meta:
        model = Competitor
        # `links` is edited as one URL field per platform (above) and put together in `service_data`.
        fields = [f for f in COMPETITOR_FIELDS if f != "links"]
        widgets = {f: SMALL_TEXT for f in ["positioning_notes", "strengths", "weaknesses"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # editing: the per-platform link fields come from the `links` dict
            for platform, url in (self.instance.links or {}).items():
                if platform in self.fields:
                    self.initial.setdefault(platform, url)

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["links"] = {p: self.cleaned_data[p] for p in SocialPlatform.values if self.cleaned_data.get(p)}
        return data


class PresenceAuditForm(ServiceChecksUniqueness):
    class Meta:
        model = PresenceAudit
        # The editor's audit row has no notes column; the API takes them.
        fields = [f for f in AUDIT_FIELDS if f != "notes"]
        widgets = {"date": DATE}


class StrategyCreateForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = ["title", "period_start", "period_end"]
        widgets = {"period_start": DATE, "period_end": DATE}


class PositioningForm(ServiceChecksUniqueness):
    competitors = forms.ModelMultipleChoiceField(
        label=_("Competitors we differ from"),
        queryset=Competitor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Shown right after the statement they are contrasted with.
    field_order = [*STRATEGY_FIELDS[: STRATEGY_FIELDS.index("positioning_statement") + 1], "competitors"]

    class Meta:
        model = Strategy
        fields = [*STRATEGY_FIELDS, "competitors"]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "positioning_statement": SMALL_TEXT,
            "differentiators": SMALL_TEXT,
            "tone_guidelines": SMALL_TEXT,
            "words_to_use": SMALL_TEXT,
            "words_to_avoid": SMALL_TEXT,
        }
        help_texts = {
            "positioning_statement": _(
                "For [audience] who [need], [brand] is the [category] that [benefit], unlike [competitors]."
            ),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitors"].queryset = Competitor.objects.filter(organization=organization)


class GoalForm(forms.ModelForm):
    objective = forms.ChoiceField(label=_("Business objective"), choices=[("", "---------"), *OBJECTIVE_CHOICES])
    kpi = forms.ChoiceField(label=_("KPI"), choices=kpi_choices())
    # Required at the form level too: "a goal without a numeric target or deadline is invalid".
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    class Meta:
        model = Goal
        fields = GOAL_FIELDS
        widgets = {"deadline": DATE}
        help_texts = {
            "baseline": _("Where you are now (see the presence audit). Flow KPIs are monthly figures."),
            "unit": _("Leave empty to use the KPI's unit."),
        }

    def __init__(self, *args, kpi_options_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        objective = self.data.get(self.add_prefix("objective")) or self.instance.objective
        kpi = self.fields["kpi"]
        if isinstance(kpi, forms.ChoiceField):  # declared above
            kpi.choices = kpi_choices(objective or None)
        if kpi_options_url:
            # Progressive enhancement: with htmx the KPI list follows the objective; without it the
            # list is grouped by objective and the service rejects a KPI that does not fit.
            self.fields["objective"].widget.attrs.update(
                {"hx-get": kpi_options_url, "hx-target": "#id_kpi", "hx-trigger": "change"}
            )


class PlatformChoiceForm(ServiceChecksUniqueness):
    class Meta:
        model = PlatformChoice
        fields = PLATFORM_CHOICE_FIELDS
        widgets = {"rationale": SMALL_TEXT}
        help_texts = {"rationale": _("Why here: the audience, the formats, what this platform will do for the goals.")}


class ContentPillarForm(ServiceChecksUniqueness):
    objective = forms.ChoiceField(label=_("Objective"), choices=OBJECTIVE_CHOICES)
    funnel_stage = forms.ChoiceField(label=_("Funnel stage"), choices=FunnelStage.choices)
    formats = forms.MultipleChoiceField(
        label=_("Formats"), choices=PostFormat.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals it serves"), queryset=Goal.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ContentPillar
        fields = [*PILLAR_FIELDS, "goals"]
        widgets = {"description": SMALL_TEXT}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = Goal.objects.filter(organization_id=strategy.organization_id, strategy=strategy)
        if self.instance.pk:
            self.initial["goals"] = [g.pk for g in self.instance.goals.all()]


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What should change?"), widget=SMALL_TEXT, required=False)


class CopyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)


class TrendNoteForm(forms.ModelForm):
    source_url = forms.URLField(label=_("Source link"), required=False, assume_scheme="https")
    # When and where from come before what: the note is written from a source at hand.
    field_order = ["title", "kind", "platform", "noted_on", "source_url"]

    class Meta:
        model = TrendNote
        fields = TREND_FIELDS
        widgets = {"noted_on": DATE, "description": SMALL_TEXT, "expected_impact": SMALL_TEXT, "follow_up": SMALL_TEXT}


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        # The budget is in the organization's currency (set by the service).
        fields = [f for f in EXPERIMENT_PLAN_FIELDS if f != "currency"]
        widgets = {"start_date": DATE, "end_date": DATE, "hypothesis": SMALL_TEXT}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trend"].queryset = TrendNote.objects.filter(organization=organization)


class ExperimentConcludeForm(forms.Form):
    result_value = forms.DecimalField(label=_("Result"), max_digits=14, decimal_places=2)
    result_notes = forms.CharField(label=_("Result figures and notes"), widget=SMALL_TEXT, required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=Experiment.Decision.choices)
    recommendation = forms.CharField(label=_("Recommendation"), widget=SMALL_TEXT)


class CompetitorSnapshotForm(forms.Form):
    """A competitor's figures typed in for a day (platforms without public data, closed communities)."""

    competitor = forms.ModelChoiceField(label=_("Competitor"), queryset=Competitor.objects.none())
    platform = forms.ChoiceField(label=_("Platform"), choices=SocialPlatform.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    followers = forms.IntegerField(label=_("Followers"), required=False, min_value=0, max_value=2_147_483_647)
    posts_per_week = forms.DecimalField(
        label=_("Posts per week"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    average_reactions = forms.DecimalField(
        label=_("Average reactions per post"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    engagement_rate = forms.DecimalField(
        label=_("ER by followers, %"), required=False, min_value=0, max_value=100, max_digits=6, decimal_places=2
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organization's competitors can be chosen (another's id is "not a valid choice").
        self.fields["competitor"].queryset = Competitor.objects.for_organization(organization).order_by("name", "pk")
