import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.generic import DetailView, RedirectView, TemplateView

from content.models import PostObjective
from core.kpis import Unit
from core.vocabulary import Platform, PostFormat
from integrations.selectors import analytics_platform_choices
from moderation.models import Sentiment
from reports.selectors import report_latest
from tenancy.views_base import OrganizationViewMixin

from . import explore
from .charts import Chart, Column, Series, bar_figure, export_response, heatmap_figure, time_figure
from .dashboard import dashboard_context, kpi_table, kpi_table_keys, month_lines
from .forms import PeriodForm
from .insights import MIN_GROUP_SIZE
from .kpi_values import kpi_window
from .models import SocialPost
from .post_frame import post_texts


class DashboardView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/dashboard.html"

    def get_context_data(self, **kwargs):
        latest = report_latest(organization=self.organization)
        snapshot = latest.snapshot if latest is not None else {}
        return (
            super().get_context_data(**kwargs)
            | dashboard_context(organization=self.organization)
            | {
                # The owner's minute: the last report's findings and what to change, with a link to it.
                "latest_report": latest,
                "latest_findings": snapshot.get("insights", [])[:3],
                "latest_recommendations": snapshot.get("recommendations", [])[:3],
            }
        )


class DashboardMonthView(OrganizationViewMixin, TemplateView):
    """The owner's month lines on the dashboard (this month so far against the same days of last
    month): a fragment htmx loads after the page, or a page of its own without JavaScript."""

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", False)
        return ["analytics/_month_lines.html" if htmx else "analytics/dashboard_month.html"]

    def get_context_data(self, **kwargs):
        lines, this_period, last_period = month_lines(organization=self.organization, today=self.organization.today())
        return super().get_context_data(**kwargs) | {
            "month_lines": lines,
            "month_period": this_period,
            "last_month_period": last_period,
        }


class AnalyticsHomeView(OrganizationViewMixin, TemplateView):
    """Every KPI of the catalog for the trailing window against the window before, per platform.
    The rows from CRM records and from the inbox arrive after the page (`AnalyticsHomePartView`)."""

    template_name = "analytics/home.html"
    part = ""

    def get_context_data(self, **kwargs):
        choices = analytics_platform_choices(organization=self.organization)
        platform = self.request.GET.get("platform", "")
        platform = platform if platform in {value for value, _label in choices} else ""
        today = self.organization.today()
        start = kpi_window(today)[0]
        rows = kpi_table(organization=self.organization, on=today, platform=platform, keys=kpi_table_keys(self.part))
        return super().get_context_data(**kwargs) | {
            "rows": rows,
            "has_data": any(r.current is not None for r in rows),
            "start": start,
            "today": today,
            "platform": platform,
            "platform_choices": choices,
            "section": "kpis",
            "query": urlencode({"platform": platform} if platform else {}),
        }


class AnalyticsHomePartView(AnalyticsHomeView):
    """A part of the KPI table (`part`: business results, the community): a `<tbody>` htmx loads
    into the analytics page, or a page of its own without JavaScript."""

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", False)
        return ["analytics/_kpi_rows.html" if htmx else "analytics/home_part.html"]


class ReportsRedirectView(OrganizationViewMixin, RedirectView):
    """Reports moved to their own section; old links (members only) keep working."""

    pattern_name = "reports:list"
    permanent = False


# ------------------------------------------------------------------------- the marketer's analytics


def _label(choices, value) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


SEGMENT_EMPTY = {
    "pillar": lambda: _("No pillar (outside the plan)"),
    "objective": lambda: _("Objective not set"),
    "format": lambda: _("Format not set"),
    "platform": lambda: _("Platform not set"),
}
SEGMENT_LABELS = {
    "format": lambda v: _label(PostFormat, v),
    "objective": lambda v: _label(PostObjective, v),
    "platform": lambda v: _label(Platform, v),
    "pillar": lambda v: str(v),
}


def segment_label(dimension: str, value: str) -> str:
    return SEGMENT_LABELS[dimension](value) if value else str(SEGMENT_EMPTY[dimension]())


def metric_names() -> dict[str, tuple[str, str]]:
    """Per-post metric of the "what performs" page: (name, unit)."""
    return {
        "er": (_("ER"), Unit.PERCENT),
        "reach": (_("Reach per post"), Unit.COUNT),
        "clicks": (_("Clicks per post"), Unit.COUNT),
        "leads": (_("Leads per post"), Unit.COUNT),
    }


class AnalyticsSectionMixin(OrganizationViewMixin):
    """A sub-page of analytics: the filter form, the sub-navigation and the chart exports
    (`?export=csv|xlsx&chart=<key>` answers the chart's table as a file)."""

    request: HttpRequest
    section = ""
    EXPORTS = ("csv", "xlsx")

    def get_form(self) -> PeriodForm:
        return PeriodForm(self.request.GET or None, organization=self.organization)

    def build(self, scope: explore.Scope) -> dict:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if fmt not in self.EXPORTS:
            raise Http404
        context = self.get_context_data(**kwargs)
        chart = next(
            (c for c in context["charts"] + context.get("files", []) if c.key == request.GET.get("chart")), None
        )
        if chart is None:
            raise Http404
        scope = context["scope"]
        return export_response(chart, fmt, f"{chart.key}-{scope.start.isoformat()}-{scope.end.isoformat()}")

    def get_context_data(self, **kwargs):
        form = self.get_form()
        scope = form.scope()
        kept = [(k, v) for k, v in self.request.GET.items() if k not in ("export", "chart", "page")]
        return (
            super().get_context_data(**kwargs)
            | {
                "form": form,
                "scope": scope,
                "section": self.section,
                "query": urlencode(kept),
                "currency": self.organization.currency,
                "min_group_size": MIN_GROUP_SIZE,
            }
            | self.build(scope)
        )


def _events_text(events: list[explore.Event], day: dt.date) -> str:
    labels = {"campaign": _("Campaign: %(name)s"), "strategy": _("Strategy approved: %(name)s")}
    return "; ".join(labels[e.kind] % {"name": e.title} for e in events if e.day == day)


class OverviewView(AnalyticsSectionMixin, TemplateView):
    template_name = "analytics/overview.html"
    section = "overview"

    def build(self, scope):
        data = explore.overview(scope)
        frame, currency = data.daily, self.organization.currency
        days = list(frame.index)
        day_col, posts_col, events_col = (
            Column("day", _("Day")),
            Column("posts", _("Posts published"), Unit.COUNT),
            Column("events", _("Events")),
        )
        # Only the days with an event have a text: a year of days asked each day for its events.
        event_days = {e.day for e in data.events}
        events_text = {d: _events_text(data.events, d) for d in event_days}
        events_by_day = [events_text.get(d, "") for d in days]
        shown: dict = {}  # the charts' table texts, formatted once for all six
        lists = {col: frame[col].tolist() for col in frame.columns}  # each column out of pandas once
        posts = lists["posts"]

        def chart(key, title, series: list[tuple[str, str, str, str, str]], y_title, y2_title="") -> Chart:
            """series: (column, name, unit, kind, axis)."""
            figure = time_figure(
                days,
                [Series(name, lists[col], kind, axis, unit) for col, name, unit, kind, axis in series],
                y_title=y_title,
                y2_title=y2_title,
                events=data.events,
                posts=posts,
                currency=currency,
            )
            columns = [day_col, *(Column(col, name, unit) for col, name, unit, _k, _a in series), posts_col, events_col]
            values = [lists[col] for col, *_rest in series]
            rows = [list(row) for row in zip(days, *values, posts, events_by_day, strict=True)]
            return Chart(key, title, columns, rows, figure, currency=currency, memo=shown)

        people = _("people")
        charts = [
            chart(
                "reach_views",
                _("Reach and views per day"),
                [
                    ("reach", _("Reach"), Unit.COUNT, "line", "y"),
                    ("views", _("Views"), Unit.COUNT, "line", "y"),
                ],
                people,
            ),
            chart("er", _("Engagement rate (ER) per day"), [("er", _("ER"), Unit.PERCENT, "line", "y")], "%"),
            chart("followers", _("Followers"), [("followers", _("Followers"), Unit.COUNT, "line", "y")], people),
            chart(
                "followers_change",
                _("Followers gained and lost"),
                [
                    ("followers_gained", _("Gained"), Unit.COUNT, "bar", "y"),
                    ("followers_lost", _("Lost"), Unit.COUNT, "bar", "y"),
                ],
                people,
            ),
            chart(
                "site_clicks",
                _("Site clicks"),
                [
                    ("link_clicks", _("Platform link clicks"), Unit.COUNT, "line", "y"),
                    ("tracked_clicks", _("Tracked link clicks"), Unit.COUNT, "line", "y"),
                    ("site_clicks", _("Site clicks"), Unit.COUNT, "line", "y"),
                ],
                _("clicks"),
            ),
            chart(
                "leads_cpl",
                _("Leads and cost per lead"),
                [
                    ("leads", _("Leads"), Unit.COUNT, "bar", "y"),
                    ("cpl", _("Cost per lead (CPL)"), Unit.MONEY, "line", "y2"),
                    ("spend", _("Ad spend"), Unit.MONEY, "line", "y2"),
                ],
                _("leads"),
                y2_title=_("money, %(currency)s") % {"currency": currency},
            ),
        ]
        names = {
            "reach": _("Reach"),
            "views": _("Views"),
            "er": _("ER"),
            "followers": _("Followers at the end"),
            "followers_gained": _("Followers gained"),
            "followers_lost": _("Followers lost"),
            "link_clicks": _("Platform link clicks"),
            "tracked_clicks": _("Tracked link clicks"),
            "site_clicks": _("Site clicks"),
            "leads": _("Leads"),
            "spend": _("Ad spend"),
            "cpl": _("Cost per lead (CPL)"),
            "posts": _("Posts published"),
        }
        totals = Chart(
            "totals",
            _("The period against the previous one"),
            [
                Column("metric", _("Figure")),
                Column("current", _("This period")),
                Column("previous", _("Previous period")),
                Column("change", _("Change, %")),
            ],
            [[names[t.key], t.current, t.previous, t.change_percent] for t in data.totals],
        )
        return {
            "charts": charts,
            "files": [totals],
            "totals": [(names[t.key], t) for t in data.totals],
            "previous": scope.previous,
            "has_data": data.has_data,
            "events": data.events,
        }


POST_COLUMNS_SORTABLE = {
    "published_at": lambda: _("Published"),
    "reach": lambda: _("Reach"),
    "views": lambda: _("Views"),
    "er": lambda: _("ER"),
    "link_clicks": lambda: _("Clicks"),
    "leads": lambda: _("Leads"),
    "revenue": lambda: _("Revenue"),
}
PAGE_SIZE = 25


class _Counted:
    """What the paginator pages when the rows are read per page: only their number."""

    def __init__(self, total: int) -> None:
        self.total = total

    def count(self) -> int:
        return self.total

    def __getitem__(self, key):
        return []


def _post_row(row: dict) -> dict:
    row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
    return row | {
        "platform_label": _label(Platform, row["platform"]),
        "format_label": _label(PostFormat, row["format"]),
        "objective_label": _label(PostObjective, row["objective"]) or _("Objective not set"),
        "fit_name": {"er": _("ER"), "leads": _("Leads"), "revenue": _("Revenue")}[row["fit_metric"]],
        "fit_unit": {"er": Unit.PERCENT, "leads": Unit.COUNT, "revenue": Unit.MONEY}[row["fit_metric"]],
    }


class PostsView(AnalyticsSectionMixin, TemplateView):
    template_name = "analytics/posts.html"
    section = "posts"

    def build(self, scope):
        sort = self.request.GET.get("sort", "published_at")
        sort = sort if sort in explore.SORTS else "published_at"
        descending = self.request.GET.get("dir", "desc") != "asc"
        exporting = bool(self.request.GET.get("export"))
        if explore.reads_rollup(scope) and not exporting:
            # Sorted, paged and ranked in the database: only the shown rows come back.
            total = explore.post_count(scope)
            page = Paginator(_Counted(total), PAGE_SIZE).get_page(self.request.GET.get("page"))
            result = explore.posts_page(scope, sort, descending, (page.number - 1) * PAGE_SIZE, PAGE_SIZE)
            shown, best_and_worst, frame = result.rows.to_dict("records"), result.extremes, None
        else:
            frame = explore.sort_posts(explore.posts_table(scope), sort, descending)
            total = len(frame)
            page = Paginator(frame, PAGE_SIZE).get_page(self.request.GET.get("page"))
            shown, best_and_worst = page.object_list.to_dict("records"), explore.best_and_worst(frame)
        texts = post_texts(self.organization, [r["post_id"] for r in shown])
        page.object_list = [_post_row(r | {"text": texts.get(r["post_id"], "")}) for r in shown]
        keep = [(k, v) for k, v in self.request.GET.items() if k not in ("sort", "dir", "page", "export", "chart")]
        headers = []
        for key, name in POST_COLUMNS_SORTABLE.items():
            next_dir = "asc" if key == sort and descending else "desc"
            headers.append(
                {
                    "key": key,
                    "name": name(),
                    "url": "?" + urlencode([*keep, ("sort", key), ("dir", next_dir)]),
                    "aria_sort": ("descending" if descending else "ascending") if key == sort else "",
                }
            )
        currency = self.organization.currency
        files = [self.posts_file(frame, currency)] if frame is not None and exporting else []
        extremes = [
            {
                "objective": _label(PostObjective, e.objective),
                "metric": e.metric,
                "best": _post_row(e.best),
                "worst": _post_row(e.worst) if e.worst is not None else None,
            }
            for e in best_and_worst
        ]
        return {
            "charts": [],
            "files": files,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "headers": headers,
            "sort": sort,
            "descending": descending,
            "total": total,
            "extremes": extremes,
            "sort_fields": [("sort", sort), ("dir", "desc" if descending else "asc")],
        }

    def posts_file(self, frame, currency) -> Chart:
        """Every post of the period, sorted as shown (the posts table's export)."""
        records = [_post_row(r) for r in frame.to_dict("records")]
        return Chart(
            "posts",
            _("Published posts"),
            [
                Column("published_at", _("Published")),
                Column("account", _("Account")),
                Column("platform", _("Platform")),
                Column("format", _("Format")),
                Column("objective", _("Objective")),
                Column("pillar", _("Pillar")),
                Column("reach", _("Reach"), Unit.COUNT),
                Column("views", _("Views"), Unit.COUNT),
                Column("er", _("ER"), Unit.PERCENT),
                Column("link_clicks", _("Clicks"), Unit.COUNT),
                Column("leads", _("Leads"), Unit.COUNT),
                Column("revenue", _("Revenue"), Unit.MONEY),
                Column("permalink", _("Link")),
            ],
            [
                [
                    r["published_at"].to_pydatetime(),
                    r["account"],
                    r["platform_label"],
                    r["format_label"],
                    r["objective_label"],
                    r["pillar"],
                    r["reach"],
                    r["views"],
                    r["er"],
                    r["link_clicks"],
                    r["leads"],
                    r["revenue"],
                    r["permalink"],
                ]
                for r in records
            ],
            currency=currency,
        )


class PostDetailView(OrganizationViewMixin, DetailView):
    """One platform post: its lifetime numbers per observation day, its comments with their
    tone, and the leads attributed to it."""

    model = SocialPost
    template_name = "analytics/post_detail.html"
    context_object_name = "post"

    def safely_get_queryset(self, queryset):
        return queryset.select_related("account", "planned_post")

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if fmt not in AnalyticsSectionMixin.EXPORTS or request.GET.get("chart") != "post_daily":
            raise Http404
        self.object = self.get_object()
        chart = self.daily_chart()
        return export_response(chart, fmt, f"post-{self.object.pk}-daily")

    def daily_chart(self) -> Chart:
        frame = explore.post_daily(post=self.object)
        days = list(frame.index)
        series = [
            ("reach", _("Reach")),
            ("views", _("Views")),
            ("interactions", _("Interactions")),
            ("link_clicks", _("Clicks")),
        ]
        figure = time_figure(
            days,
            [Series(name, frame[col].tolist(), unit=Unit.COUNT) for col, name in series],
            y_title=_("total so far"),
        )
        return Chart(
            "post_daily",
            _("Lifetime totals by the day they were observed"),
            [Column("day", _("Day")), *(Column(col, name, Unit.COUNT) for col, name in series)],
            [[d, *(frame.at[d, col] for col, _n in series)] for d in days],
            figure,
        )

    def get_context_data(self, **kwargs):
        post = self.object
        comments, tones = explore.post_comments(post=post)
        tone_counts = [(str(label), tones.get(value, 0)) for value, label in Sentiment.choices]
        if tones.get(""):
            tone_counts.append((_("Not labelled yet"), tones[""]))
        row = explore.posts_table(
            explore.Scope(
                self.organization,
                post.published_at.astimezone(self.organization.tzinfo).date(),
                post.published_at.astimezone(self.organization.tzinfo).date(),
                account_id=post.account_id,
            )
        )
        figures = row[row["post_id"] == post.pk].to_dict("records")
        return super().get_context_data(**kwargs) | {
            "charts": [self.daily_chart()],
            "query": "",
            "figures": _post_row(figures[0]) if figures else None,
            "comments": comments,
            "tone_counts": tone_counts,
            "comment_total": sum(tones.values()),
            "leads": explore.post_leads(post=post),
            "currency": self.organization.currency,
            "section": "posts",
        }


class PerformsView(AnalyticsSectionMixin, TemplateView):
    template_name = "analytics/performs.html"
    section = "performs"

    def build(self, scope):
        metric = self.request.GET.get("metric", "er")
        metric = metric if metric in explore.PERFORM_METRICS else "er"
        names = metric_names()
        metric_name, metric_unit = names[metric]
        currency = self.organization.currency
        figures = explore.performs(scope, metric)
        too_small = _("too small to conclude")
        charts = []
        dimension_titles = {
            "format": _("By format"),
            "objective": _("By objective"),
            "pillar": _("By content pillar"),
            "platform": _("By platform"),
        }
        for dimension in explore.DIMENSIONS:
            segments = figures.segments[dimension]
            labels = [segment_label(dimension, s.label) for s in segments]
            columns = [Column("segment", _("Segment")), Column("posts", _("Posts"), Unit.COUNT)]
            for key, (name, unit) in names.items():
                columns += [Column(key, name, unit), Column(f"n_{key}", _("Posts measured"), Unit.COUNT)]
            columns.append(Column("note", _("Note")))
            rows = []
            for label, s in zip(labels, segments, strict=True):
                row: list = [label, s.posts]
                for key in names:
                    row += [s.values[key], s.sizes[key]]
                row.append(too_small if not s.enough(metric) else "")
                rows.append(row)
            figure = bar_figure(
                labels,
                [s.values[metric] for s in segments],
                y_title=metric_name,
                unit=metric_unit,
                currency=currency,
                sizes=[s.sizes[metric] for s in segments],
            )
            charts.append(
                Chart(f"by_{dimension}", str(dimension_titles[dimension]), columns, rows, figure, currency=currency)
            )
        values, sizes, published = figures.values, figures.sizes, figures.published
        weekdays = [str(WEEKDAYS[i]) for i in range(7)]
        rows = [
            [
                weekdays[d],
                f"{h:02d}:00",
                int(published[d, h]),
                None if values[d, h] != values[d, h] else float(values[d, h]),
                int(sizes[d, h]),
                too_small if sizes[d, h] < MIN_GROUP_SIZE else "",
            ]
            for d in range(7)
            for h in range(24)
            if published[d, h]
        ]
        charts.append(
            Chart(
                "heatmap",
                _("%(metric)s by weekday and hour of publication") % {"metric": metric_name},
                [
                    Column("weekday", _("Weekday")),
                    Column("hour", _("Hour")),
                    Column("published", _("Posts published"), Unit.COUNT),
                    Column(metric, metric_name, metric_unit),
                    Column("posts", _("Posts measured"), Unit.COUNT),
                    Column("note", _("Note")),
                ],
                rows,
                heatmap_figure(
                    values, sizes, weekdays=weekdays, metric_name=metric_name, unit=metric_unit, currency=currency
                ),
                note=_(
                    "Hours in the organization's time zone (%(tz)s). Colour: dark purple is the lowest value, "
                    "yellow the highest; each value is in the table below."
                )
                % {"tz": self.organization.timezone},
                currency=currency,
            )
        )
        return {
            "charts": charts,
            "metric": metric,
            "metric_choices": [(k, n) for k, (n, _u) in names.items()],
            "post_count": figures.posts,
            "metric_fields": [("metric", metric)],
        }


class AudienceView(AnalyticsSectionMixin, TemplateView):
    template_name = "analytics/audience.html"
    section = "audience"

    def build(self, scope):
        figures = explore.audience(scope)
        lines, accounts = figures.lines, figures.accounts
        days = scope.dates
        other = _("Other accounts (%(count)s)") % {"count": accounts - explore.AUDIENCE_LINES + 1}
        lines["account"] = lines["account"].where(lines["line"] != 0, other)
        series = [
            Series(
                str(rows["account"].iloc[0]), rows.set_index("day")["followers"].reindex(days).tolist(), unit=Unit.COUNT
            )
            for _line, rows in lines.groupby("line", sort=False)
        ]
        columns = ["day", "account", "followers", "gained", "lost", "net"]
        if self.request.GET.get("export") and self.request.GET.get("chart") == "followers_by_account":
            table = explore.account_days(scope)[columns].values.tolist()  # every account's days
        else:
            table = lines[columns].values.tolist()
        followers = Chart(
            "followers_by_account",
            _("Followers per account"),
            [
                Column("day", _("Day")),
                Column("account", _("Account")),
                Column("followers", _("Followers"), Unit.COUNT),
                Column("gained", _("Gained"), Unit.COUNT),
                Column("lost", _("Lost"), Unit.COUNT),
                Column("net", _("Net change"), Unit.COUNT),
            ],
            table,
            time_figure(days, series, y_title=_("people")),
            note=_(
                "The %(shown)s accounts with the most followers at the end of the period, and the other "
                "%(others)s summed (each at its last count). The CSV and XLSX files hold every account's days."
            )
            % {"shown": explore.AUDIENCE_LINES - 1, "others": accounts - explore.AUDIENCE_LINES + 1}
            if accounts > explore.AUDIENCE_LINES
            else "",
        )
        by_day = lines.groupby("day")[["gained", "lost"]].sum(min_count=1).reindex(days)
        change = Chart(
            "gained_lost",
            _("Followers gained and lost, all chosen accounts"),
            [Column("day", _("Day")), Column("gained", _("Gained"), Unit.COUNT), Column("lost", _("Lost"), Unit.COUNT)],
            [list(row) for row in zip(days, by_day["gained"].tolist(), by_day["lost"].tolist(), strict=True)],
            time_figure(
                days,
                [
                    Series(_("Gained"), by_day["gained"].tolist(), "bar", unit=Unit.COUNT),
                    Series(_("Lost"), by_day["lost"].tolist(), "bar", unit=Unit.COUNT),
                ],
                y_title=_("people"),
            ),
        )
        unusual = figures.unusual
        happened = explore.what_happened(scope, unusual)
        unusual_rows = []
        for row in unusual.to_dict("records"):
            context = happened.get((int(row["account_id"]), row["day"]))
            unusual_rows.append(row | {"context": context})
        table = Chart(
            "unusual_days",
            _("Days with unusual gains or losses"),
            [
                Column("day", _("Day")),
                Column("account", _("Account")),
                Column("gained", _("Gained"), Unit.COUNT),
                Column("lost", _("Lost"), Unit.COUNT),
                Column("net", _("Net change"), Unit.COUNT),
                Column("posts", _("Posts published"), Unit.COUNT),
                Column("campaigns", _("Campaigns started")),
                Column("mentions", _("Mentions"), Unit.COUNT),
            ],
            [
                [
                    r["day"],
                    r["account"],
                    r["gained"],
                    r["lost"],
                    r["net"],
                    len(r["context"].posts) if r["context"] else 0,
                    ", ".join(r["context"].campaigns) if r["context"] else "",
                    r["context"].mentions if r["context"] else 0,
                ]
                for r in unusual_rows
            ],
        )
        return {
            "charts": [followers, change],
            "files": [table],
            "unusual": unusual_rows,
            "has_accounts": bool(accounts),
        }
