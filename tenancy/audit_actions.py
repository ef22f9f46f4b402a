"""What the audit log's action codes mean, in words for people: the page shows "Strategy approved",
not "strategy.approve". The code stays in the table (and the API) as the stable key; an unknown
code is shown spelled out ("Links: link create") rather than raw."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "organization.create": _("Organization created"),
    "organization.update": _("Organization settings changed"),
    "organization.deletion_schedule": _("Organization deletion scheduled"),
    "organization.deletion_cancel": _("Organization deletion cancelled"),
    "membership.role_change": _("Member's role changed"),
    "membership.remove": _("Member removed"),
    "invitation.create": _("Invitation sent"),
    "invitation.accept": _("Invitation accepted"),
    "invitation.revoke": _("Invitation revoked"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "webhook.create": _("Webhook endpoint added"),
    "webhook.update": _("Webhook endpoint changed"),
    "webhook.delete": _("Webhook endpoint deleted"),
    "webhook.rotate_secret": _("Webhook signing secret replaced"),
    "integrations.account_connected": _("Account connected"),
    "integrations.account_reconnected": _("Account reconnected"),
    "integrations.account_disconnected": _("Account disconnected"),
    "strategy.create": _("Strategy created"),
    "strategy.submit": _("Strategy submitted for approval"),
    "strategy.approve": _("Strategy approved"),
    "strategy.return_to_draft": _("Strategy returned to draft"),
    "strategy.new_version": _("New strategy version started"),
    "strategy.archive": _("Strategy archived"),
    "strategy.delete": _("Strategy deleted"),
    "experiment.conclude": _("Experiment concluded"),
    "abtest.conclude": _("A/B test concluded"),
    "post.schedule": _("Post scheduled"),
    "post.unschedule": _("Post unscheduled"),
    "post.media_remove": _("Post file removed"),
    "post.plan": _("Post moved on the calendar"),
    "publication.retry": _("Publication retried"),
    "publication.reschedule": _("Publication rescheduled"),
    "calendar_feed.regenerate": _("Calendar link replaced"),
    "calendar_date.add": _("Calendar date added"),
    "calendar_date.remove": _("Calendar date removed"),
    "calendar_date.hide": _("Holiday hidden from the calendar"),
    "calendar_date.show": _("Holiday shown on the calendar again"),
    "post.submitted": _("Post submitted for review"),
    "post.approved": _("Post approved"),
    "post.changes_requested": _("Changes requested on a post"),
    "ads.campaign_launched": _("Ad campaign launched"),
    "ads.campaign_paused": _("Ad campaign paused"),
    "ads.campaign_budget_set": _("Ad campaign budget changed"),
    "ads.campaign_plan_set": _("Ad campaign goal, target or monthly budget changed"),
    "ads.budget_set": _("Monthly ad budget changed"),
    "adrules.rule_created": _("Optimization rule created"),
    "adrules.rule_updated": _("Optimization rule changed"),
    "adrules.rule_deleted": _("Optimization rule deleted"),
    "adrules.action_approved": _("Optimization rule action approved"),
    "adrules.action_rejected": _("Optimization rule action rejected"),
    "export.request": _("Data export requested"),
    "export.download": _("Data export downloaded"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    if label is not None:
        return str(label)
    area, _dot, verb = code.partition(".")
    spelled = (verb or area).replace("_", " ")
    return f"{area.replace('_', ' ').capitalize()}: {spelled}" if verb else spelled.capitalize()
