from django import forms
from django.utils.translation import gettext_lazy as _

from core.vocabulary import PostFormat, SocialPlatform
from strategy.models import ContentPillar, Goal

from .models import PostObjective


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    platform = forms.ChoiceField(label=_("Platform"), choices=SocialPlatform.choices)
    objective = forms.ChoiceField(label=_("Objective"), choices=PostObjective.choices)
    format = forms.ChoiceField(label=_("Format"), choices=PostFormat.choices, initial=PostFormat.TEXT)
    goal = forms.ModelChoiceField(label=_("Goal it serves"), queryset=Goal.objects.none(), required=False)
    pillar = forms.ModelChoiceField(label=_("Content pillar"), queryset=ContentPillar.objects.none(), required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea, required=False, help_text=_("Copy with a clear call to action.")
    )

    def __init__(self, *args, strategy=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only goals and pillars of the strategy the plan follows (already scoped to the organization).
        if strategy is not None:
            self.fields["goal"].queryset = Goal.objects.filter(
                organization_id=strategy.organization_id, strategy=strategy
            )
            self.fields["pillar"].queryset = ContentPillar.objects.filter(
                organization_id=strategy.organization_id, strategy=strategy
            )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
