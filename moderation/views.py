import datetime as dt
import json

import plotly.graph_objects as go
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from analytics.models import SocialPost
from core.errors import DomainError, NotFound, PermissionDenied
from integrations.models import SocialAccount
from tenancy.models import Membership
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import replies, reputation, saved_replies, workflow
from .community import community_metrics
from .forms import AssignForm, BulkForm, KeywordForm, NoteForm, ReasonForm, ReplyForm, ResolveForm, TagForm
from .models import BrandKeyword, InboxItem, InboxKind, InboxReply, InboxStatus, InboxTag, Sentiment
from .selectors import COUNT_CAP, CappedPaginator, InboxFilters, inbox_item_list, status_counts, thread_of
from .sla import level_get

COMMUNITY_DAYS = 30


def _members(organization):
    return Membership.objects.for_organization(organization).select_related("user").order_by("user__email")


def _platforms(organization):
    accounts = SocialAccount.objects.for_organization(organization)
    return sorted(set(accounts.values_list("platform", flat=True)))


class ModerationHomeView(OrganizationViewMixin, ListView):
    """The inbox: filters, counters per status, bulk actions, keyboard triage, community figures."""

    template_name = "moderation/home.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    model = InboxItem

    def safely_get_queryset(self, queryset):
        q = self.request.GET
        assignee = q.get("assignee", "")
        if assignee == "me":
            assignee = str(self.request.user.pk)
        self.filters = InboxFilters(
            kind=q.get("kind", ""),
            status=q.get("status", ""),
            platform=q.get("platform", ""),
            tone=q.get("tone", ""),
            assignee=assignee,
            tag=q.get("tag", ""),
            overdue=q.get("overdue") == "1",
        )
        return inbox_item_list(organization=self.organization, filters=self.filters)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        context = super().get_context_data(**kwargs)
        counted = status_counts(self.organization)
        return context | {
            "f": self.filters,
            "kind": self.filters.kind,
            "status": self.filters.status,
            "kind_choices": InboxKind.choices,
            "status_choices": InboxStatus.choices,
            "tone_choices": Sentiment.choices,
            "tag_choices": InboxTag.choices,
            "platform_choices": _platforms(self.organization),
            "members": _members(self.organization),
            "counts": [(v, label, counted[v]) for v, label in InboxStatus.choices],
            "count_cap": COUNT_CAP,
            "level": level_get(self.organization),
            "community": community_metrics(
                organization=self.organization, since=now - dt.timedelta(days=COMMUNITY_DAYS), until=now
            ),
            "community_days": COMMUNITY_DAYS,
        }


class InboxItemView(OrganizationViewMixin, DetailView):
    """One conversation: the post it sits under, the thread, replies, notes and every action."""

    template_name = "moderation/item.html"
    model = InboxItem
    context_object_name = "item"

    def safely_get_queryset(self, queryset):
        return queryset.select_related("account", "assignee").prefetch_related("notes__author", "replies", "actions")

    def get_context_data(self, **kwargs):
        item = self.object
        post = None
        if item.post_external_id:
            post = (
                SocialPost.objects.for_organization(self.organization)
                .filter(account_id=item.account_id, external_id=item.post_external_id)
                .first()
            )
        query = self.request.GET.get("q", "")
        saved = saved_replies.saved_reply_search(access=self.access, query=query)
        prefill = ""
        use = self.request.GET.get("use", "")
        if use.isdigit():
            try:
                prefill = saved_replies.saved_reply_render(access=self.access, saved=int(use), item=item)
            except NotFound:
                prefill = ""
        return super().get_context_data(**kwargs) | {
            "post": post,
            "thread": thread_of(item),
            "saved": saved,
            "q": query,
            "voice": saved_replies.brand_voice(access=self.access),
            "reply_form": ReplyForm(initial={"text": prefill, "idempotency_key": _key()}),
            "members": _members(self.organization),
            "tag_choices": InboxTag.choices,
        }


def _key() -> str:
    # A fresh key per rendered form: a double submit of the same form is one reply.
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


class _ItemAction(OrganizationViewMixin, View):
    """POST one action on an item; domain errors become a message, a foreign id is 404."""

    required_permission = Perm.WRITE
    model = InboxItem
    form_class: type = ReasonForm

    def post(self, request, org_slug, pk):
        workflow.access_item(self.access, pk)  # 404 before any validation: the id must be ours
        form = self.form_class(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors))
            done = self.perform(pk, form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if done:
                messages.success(request, done)
        target = request.POST.get("next", "")
        if target == "list":
            return redirect("moderation:home", org_slug=org_slug)
        return redirect("moderation:item", org_slug=org_slug, pk=pk)

    def perform(self, pk, data) -> str:
        raise NotImplementedError


class ReplyView(_ItemAction):
    form_class = ReplyForm

    def perform(self, pk, data):
        replies.reply_create(access=self.access, item=pk, text=data["text"], idempotency_key=data["idempotency_key"])
        return _("The reply is on its way.")


class AssignView(_ItemAction):
    form_class = AssignForm

    def perform(self, pk, data):
        workflow.item_assign(access=self.access, item=pk, assignee=data["assignee"])
        return _("Assigned.")


class TagView(_ItemAction):
    form_class = TagForm

    def perform(self, pk, data):
        workflow.item_tag(access=self.access, item=pk, tags=data["tags"])
        return _("Tags saved.")


class NoteView(_ItemAction):
    form_class = NoteForm

    def perform(self, pk, data):
        workflow.note_add(access=self.access, item=pk, text=data["text"])
        return _("Note added.")


class EscalateView(_ItemAction):
    def perform(self, pk, data):
        workflow.item_escalate(access=self.access, item=pk, reason=data["reason"])
        return _("Escalated to the owners and admins.")


class HideView(_ItemAction):
    def perform(self, pk, data):
        workflow.item_hide(access=self.access, item=pk, reason=data["reason"])
        return _("Hidden on the platform.")


class ResolveView(_ItemAction):
    form_class = ResolveForm

    def perform(self, pk, data):
        workflow.item_resolve(access=self.access, item=pk, resolution=data["resolution"])
        return _("Resolved.")


class TestimonialView(_ItemAction):
    form_class = ResolveForm  # no fields needed; an empty resolution is valid

    def perform(self, pk, data):
        post = workflow.item_mark_testimonial(access=self.access, item=pk)
        return _("A draft post «%(title)s» quotes the comment.") % {"title": post.title}


class ReplyRetryView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE
    model = InboxReply

    def post(self, request, org_slug, pk):
        try:
            reply = replies.reply_retry(access=self.access, reply=pk)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
            reply = InboxReply.objects.for_organization(self.organization).get(pk=pk)
        else:
            messages.success(request, _("The reply is queued again."))
        return redirect("moderation:item", org_slug=org_slug, pk=reply.item_id)


class BulkView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug):
        form = BulkForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose items and an action."))
        else:
            data = form.cleaned_data
            try:
                n = workflow.items_bulk(
                    access=self.access,
                    ids=data["items"],
                    action=data["action"],
                    assignee=data.get("assignee"),
                    tag=data.get("tag") or "",
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("%(n)s items updated.") % {"n": n})
        back = request.POST.get("back", "")
        query = back if back.startswith("?") else ""  # only the list's own filters, never another address
        return redirect(reverse("moderation:home", args=[org_slug]) + query)


class WaitView(_ItemAction):
    form_class = ResolveForm  # no fields needed

    def perform(self, pk, data):
        workflow.item_wait(access=self.access, item=pk)
        return _("Waiting for the customer: a new message from them puts the item back in the queue.")


REPUTATION_PERIODS = (7, 30, 90)


class ReputationView(OrganizationViewMixin, TemplateView):
    """Mention volume and tone per day over a period (chart and the same figures as a table)."""

    template_name = "moderation/reputation.html"

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("days", "")
        days = int(raw) if raw.isdigit() and int(raw) in REPUTATION_PERIODS else 30
        until = self.organization.today()
        series = reputation.mention_series(
            organization=self.organization, since=until - dt.timedelta(days=days - 1), until=until
        )
        totals = {
            key: sum(getattr(d, key) for d in series) for key in ("positive", "neutral", "negative", "unrated", "total")
        }
        return super().get_context_data(**kwargs) | {
            "days": days,
            "periods": REPUTATION_PERIODS,
            "series": series,
            "totals": totals,
            "has_data": totals["total"] > 0,
            "figure": reputation_figure(series),
            "spike": reputation.spike_measure(organization_id=self.organization.pk),
            "spike_rule": {
                "min": reputation.SPIKE_MIN_COUNT,
                "ratio": reputation.SPIKE_RATIO,
                "days": reputation.BASELINE_DAYS,
            },
            "keywords": BrandKeyword.objects.for_organization(self.organization).filter(is_active=True),
        }


def reputation_figure(series) -> dict:
    names = {
        "negative": _("Negative"),
        "neutral": _("Neutral"),
        "positive": _("Positive"),
        "unrated": _("Not rated yet"),
    }
    colors = {"negative": "#b42318", "neutral": "#667085", "positive": "#067647", "unrated": "#d0d5dd"}
    x = [d.day.isoformat() for d in series]
    fig = go.Figure()
    for key, name in names.items():
        fig.add_trace(go.Bar(x=x, y=[getattr(d, key) for d in series], name=str(name), marker_color=colors[key]))
    fig.update_layout(
        barmode="stack",
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h"},
        hovermode="x unified",
        xaxis={"tickformat": "%d.%m"},
    )
    return json.loads(json.dumps(fig.to_plotly_json(), default=str))


class KeywordListView(OrganizationViewMixin, ListView):
    """Brand keywords the mention search looks for (owners and admins change them)."""

    template_name = "moderation/keywords.html"
    model = BrandKeyword
    paginate_by = 50

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "form": kwargs.get("form") or KeywordForm(),
            "can_manage": self.access.can(Perm.MANAGE_ORGANIZATION),
        }


class KeywordCreateView(OrganizationViewMixin, View):
    required_permission = Perm.MANAGE_ORGANIZATION

    def post(self, request, org_slug):
        form = KeywordForm(request.POST)
        if form.is_valid():
            try:
                reputation.keyword_create(
                    access=self.access,
                    phrase=form.cleaned_data["phrase"],
                    exclusions=reputation.parse_exclusions(form.cleaned_data["exclusions"]),
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Keyword added."))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("moderation:keywords", org_slug=org_slug)


class KeywordDeleteView(OrganizationViewMixin, View):
    required_permission = Perm.MANAGE_ORGANIZATION
    model = BrandKeyword

    def post(self, request, org_slug, pk):
        reputation.keyword_delete(access=self.access, keyword=pk)
        messages.success(request, _("Keyword removed."))
        return redirect("moderation:keywords", org_slug=org_slug)
