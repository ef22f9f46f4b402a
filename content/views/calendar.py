"""The calendar of the plan: month, week and list views with filters, moving a post (drag and drop
with htmx, or the plain form), the plan balance, seasonal dates, the best time to publish, the iCal
feed and the CSV export and import."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from analytics.best_time import best_time
from core.errors import DomainError, NotFound, PermissionDenied
from tenancy.rls import organization_context
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import plan_services
from ..balance import plan_balance
from ..calendar import grid, month_range, plan_posts, week_range
from ..holidays import by_day, dates_between
from ..models import Post
from ..plan_export import csv_export, ical_feed
from ..plan_forms import MoveForm, PlanFilterForm
from ..selectors import access_post

LIST_PAGE_SIZE = 25


def _period(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    if view == "week":
        return week_range(anchor)
    first = anchor.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return month_range(anchor.year, anchor.month) if view == "month" else (first, last)


def _step(view: str, anchor: dt.date, forward: bool) -> dt.date:
    if view == "week":
        return anchor + dt.timedelta(days=7 if forward else -7)
    first = anchor.replace(day=1)
    return (first + dt.timedelta(days=32)).replace(day=1) if forward else (first - dt.timedelta(days=1)).replace(day=1)


class CalendarView(OrganizationViewMixin, ListView):
    template_name = "content/calendar.html"
    model = Post

    def setup_filters(self):
        self.filter_form = PlanFilterForm(self.request.GET or None, organization=self.organization)
        self.view_name, self.anchor = self.filter_form.view_and_date(self.organization.today())
        self.start, self.end = _period(self.view_name, self.anchor)

    def get(self, request, *args, **kwargs):
        self.setup_filters()
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return LIST_PAGE_SIZE if self.view_name == "list" else None

    def safely_get_queryset(self, queryset):
        return plan_posts(
            organization=self.organization, start=self.start, end=self.end, filters=self.filter_form.plan_filters()
        )

    def _query(self, **changes) -> str:
        params = self.request.GET.copy()
        params.pop("page", None)
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dates = dates_between(organization=self.organization, start=self.start, end=self.end)
        month_start, month_end = _period("list", self.anchor)
        balance_start, balance_end = (self.start, self.end) if self.view_name == "week" else (month_start, month_end)
        objective = self.filter_form.plan_filters().get("objective")
        advice = [
            best_time(organization=self.organization, objective=o)
            for o in ([objective] if objective else ["engagement", "lead_generation"])
        ]
        feed = plan_services.feed_get(access=self.access) if self.access.can(Perm.WRITE) else None
        context |= {
            "view": self.view_name,
            "anchor": self.anchor,
            "start": self.start,
            "end": self.end,
            "filter_form": self.filter_form,
            "dates": dates,
            "balance": plan_balance(organization=self.organization, start=balance_start, end=balance_end),
            "advice": advice,
            "can_write": self.access.can(Perm.WRITE),
            "feed_url": self.request.build_absolute_uri(reverse("calendar_feed", args=[feed.secret])) if feed else "",
            "query": self._query(),
            "prev_query": self._query(date=_step(self.view_name, self.anchor, False).isoformat()),
            "next_query": self._query(date=_step(self.view_name, self.anchor, True).isoformat()),
            "today_query": self._query(date=self.organization.today().isoformat()),
            "view_queries": [(v, label, self._query(view=v)) for v, label in self.filter_form.fields["view"].choices],
            "tz": self.organization.tzinfo,
        }
        if self.view_name != "list":
            context["weeks"] = grid(
                organization=self.organization,
                start=self.start,
                end=self.end,
                posts=list(context["object_list"]),
                dates_by_day=by_day(dates),
                month=self.anchor.month if self.view_name == "month" else None,
            )
        return context


def _back(request, org_slug: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("content:calendar", org_slug=org_slug)


class PostMoveView(OrganizationViewMixin, View):
    """Moves a post to another time (form) or day (a drop on the calendar keeps the time of day)."""

    required_permission = Perm.WRITE
    model = Post

    def post(self, request, org_slug, pk):
        post = access_post(self.access, pk)  # 404 first: the id must be ours
        form = MoveForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(_("Choose the new date and time."))
            to = form.cleaned_data["planned_at"] or self._on_day(post, form.cleaned_data["day"])
            plan_services.post_move(access=self.access, post=post, to=to)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("«%(title)s» moved.") % {"title": post.title})
        if request.htmx:
            # The calendar, the balance and the messages all change: the page reloads itself.
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return _back(request, org_slug)

    def _on_day(self, post: Post, day: dt.date) -> dt.datetime:
        current = post.scheduled_at or getattr(getattr(post, "planned_slot", None), "planned_at", None)
        at = timezone.localtime(current, self.organization.tzinfo).time() if current else dt.time(10, 0)
        return dt.datetime.combine(day, at, tzinfo=self.organization.tzinfo)


class FeedRegenerateView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug):
        plan_services.feed_regenerate(access=self.access)
        messages.success(request, _("A new calendar link is ready; the old one no longer works."))
        return redirect("content:calendar", org_slug=org_slug)


class PlanExportView(OrganizationViewMixin, TemplateView):
    """The posts of the chosen period and filters as CSV."""

    def get(self, request, *args, **kwargs):
        form = PlanFilterForm(request.GET or None, organization=self.organization)
        view_name, anchor = form.view_and_date(self.organization.today())
        start, end = _period(view_name, anchor)
        posts = plan_posts(organization=self.organization, start=start, end=end, filters=form.plan_filters())
        response = HttpResponse(
            csv_export(organization=self.organization, posts=posts), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="plan-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        return response


def calendar_feed(request, secret: str):
    """The iCal feed at its secret URL (no sign-in: calendar apps cannot sign in). Unknown → 404."""
    feed = plan_services.feed_by_secret(secret)
    if feed is None:
        raise Http404
    with organization_context(feed.organization_id):
        body = ical_feed(organization=feed.organization, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
