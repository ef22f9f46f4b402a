"""Optimization rules over ad campaigns judged by CRM figures, their evaluations and actions.

A rule is a condition over a trailing window (CRM CPL above k × the campaign's target after a
minimum spend; CTR below a threshold after a minimum of impressions; ROMI above a threshold for N
consecutive days) and an action (pause, lower or raise the daily budget by a percent within caps,
notify). Every evaluation is logged with the figures it read; an action is one row per rule,
campaign and day (the idempotency key), moved through its states under a row lock so it reaches
the platform once. See docs/ads.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign
from tenancy.models import TenantModel


class Condition(models.TextChoices):
    CPL_ABOVE_TARGET = "cpl_above_target", _("CRM CPL above k × target")
    CTR_BELOW = "ctr_below", _("CTR below a threshold")
    ROMI_ABOVE_STREAK = "romi_above_streak", _("ROMI above a threshold for consecutive days")


class ActionKind(models.TextChoices):
    PAUSE = "pause", _("Pause the campaign")
    BUDGET_DOWN = "budget_down", _("Lower the daily budget")
    BUDGET_UP = "budget_up", _("Raise the daily budget")
    NOTIFY = "notify", _("Notify only")


class Mode(models.TextChoices):
    NOTIFY = "notify", _("Notify only")
    APPROVAL = "approval", _("Approval required")
    AUTOMATIC = "automatic", _("Automatic")


class OptimizationRule(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    template = models.CharField(_("template"), max_length=40, blank=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.NOTIFY)
    # None = every active campaign of the organization.
    campaign = models.ForeignKey(
        AdCampaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("campaign")
    )
    condition = models.CharField(_("condition"), max_length=24, choices=Condition.choices)
    window_days = models.PositiveSmallIntegerField(_("trailing window, days"), default=7)
    factor = models.DecimalField(_("k × target"), max_digits=6, decimal_places=2, null=True, blank=True)
    min_spend = models.DecimalField(_("minimum spend"), max_digits=14, decimal_places=2, null=True, blank=True)
    ctr_below = models.DecimalField(_("CTR below, %"), max_digits=6, decimal_places=3, null=True, blank=True)
    min_impressions = models.PositiveIntegerField(_("minimum impressions"), null=True, blank=True)
    romi_above = models.DecimalField(_("ROMI above, %"), max_digits=9, decimal_places=2, null=True, blank=True)
    streak_days = models.PositiveSmallIntegerField(_("consecutive days"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=ActionKind.choices)
    percent = models.DecimalField(_("change, %"), max_digits=5, decimal_places=2, null=True, blank=True)
    budget_min = models.DecimalField(_("budget floor"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("budget cap"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("optimization rule")
        verbose_name_plural = _("optimization rules")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "enabled"], name="optrule_org_enabled_idx")]

    def __str__(self) -> str:
        return self.name


class RuleEvaluation(TenantModel):
    """One rule on one campaign at one moment: the figures read and whether the condition held."""

    rule = models.ForeignKey(OptimizationRule, on_delete=models.CASCADE, related_name="evaluations")
    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="+")
    evaluated_at = models.DateTimeField(auto_now_add=True)
    window_start = models.DateField()
    window_end = models.DateField()
    fired = models.BooleanField()
    figures = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        indexes = [models.Index(fields=["organization", "rule", "evaluated_at"], name="ruleeval_org_rule_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.campaign_id} {'fired' if self.fired else 'held'}"


class ActionStatus(models.TextChoices):
    NOTIFIED = "notified", _("Notified")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, queued")
    EXECUTING = "executing", _("Sending to the platform")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")
    BLOCKED = "blocked", _("Blocked by the launch gate")


class RuleAction(TenantModel):
    """What a fired rule does to one campaign. ``new_budget`` is absolute, fixed when proposed, so
    re-sending it after a crash cannot compound a percent change."""

    rule = models.ForeignKey(OptimizationRule, on_delete=models.CASCADE, related_name="actions")
    evaluation = models.ForeignKey(RuleEvaluation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    status = models.CharField(max_length=10, choices=ActionStatus.choices)
    idempotency_key = models.CharField(max_length=80)
    previous_budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    new_budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="ruleaction_org_idempotency"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="ruleaction_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.campaign_id} {self.status}"
