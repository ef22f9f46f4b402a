from django.db.models import QuerySet

from tenancy.models import Organization

from .models import InboxItem, InboxKind, InboxStatus, ToneSource


def inbox_item_list(*, organization: Organization, kind: str = "", status: str = "") -> QuerySet[InboxItem]:
    """What the audience wrote (the account's own replies left out), newest first."""
    qs = InboxItem.objects.filter(organization=organization, is_from_account=False).select_related("account")
    if kind in InboxKind.values:
        qs = qs.filter(kind=kind)
    if status in InboxStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def tone_corrections(*, organization: Organization) -> list[tuple[str, str]]:
    """(text, label) the organization's people set by hand: its own training rows."""
    rows = (
        InboxItem.objects.filter(organization=organization, tone_source=ToneSource.PERSON, sentiment__isnull=False)
        .exclude(text="")
        .order_by("id")
        .values_list("text", "sentiment")
    )
    return [(text, label or "") for text, label in rows]
