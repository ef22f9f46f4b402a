"""Admin: read-mostly views for support staff. The admin crosses organizations on purpose; changes to
strategies should go through the app (services keep the approval rules)."""

from django.contrib import admin

from .models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    ContentPillar,
    Experiment,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)


class ChildInline(admin.TabularInline):
    extra = 0
    show_change_link = True


class GoalInline(ChildInline):
    model = Goal
    fields = ["title", "objective", "kpi", "baseline", "target", "unit", "deadline", "platform"]


class PlatformInline(ChildInline):
    model = PlatformChoice
    fields = ["platform", "role", "rationale"]


class PillarInline(ChildInline):
    model = ContentPillar
    fields = ["name", "objective", "funnel_stage", "target_share"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "version", "status", "period_start", "period_end", "approved_by"]
    list_filter = ["status"]
    search_fields = ["title", "organization__name"]
    readonly_fields = ["status", "approved_by", "approved_at", "submitted_at", "archived_at", "previous", "version"]
    inlines = [GoalInline, PlatformInline, PillarInline]


@admin.register(BusinessProfile)
class BusinessProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "product", "price_segment"]


@admin.register(AudienceSegment)
class AudienceSegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name"]


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name"]


@admin.register(PresenceAudit)
class PresenceAuditAdmin(admin.ModelAdmin):
    list_display = ["organization", "platform", "date", "followers", "engagement_rate"]
    list_filter = ["platform"]


@admin.register(TrendNote)
class TrendNoteAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "platform", "noted_on", "impact"]
    list_filter = ["kind", "impact"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "status", "start_date", "end_date", "decision"]
    list_filter = ["status", "kind", "decision"]
