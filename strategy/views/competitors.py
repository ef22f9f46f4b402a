"""Competitor comparison page: ours against the strategy's competitors on one platform, one
server-rendered Plotly figure (followers, posts per week, ER) with the same numbers in a table
under it, and a CSV of the whole comparison (docs/competitors.md)."""

from __future__ import annotations

import csv
import io
import json

import plotly.graph_objects as go
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from plotly.subplots import make_subplots

from analytics.benchmarks import BenchmarkRow, competitor_page, competitor_rows, our_rows
from core.formatting import format_number
from core.kpis import Unit
from core.vocabulary import SocialPlatform
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import services
from ..forms import CompetitorSnapshotForm
from ._common import _run

PAGE_SIZE = 12
OURS_COLOUR = "#1565c0"  # 5.9:1 on white
THEIRS_COLOUR = "#5f6368"  # 6.3:1 on white


class ComparisonFilter(forms.Form):
    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"), choices=SocialPlatform.choices, required=False, initial=SocialPlatform.VK
    )


def _metrics() -> list[tuple[str, str, str | None]]:
    return [
        ("followers", _("Followers"), None),
        ("posts_per_week", _("Posts per week"), None),
        ("engagement_rate", _("ER by followers, %"), Unit.PERCENT.value),
    ]


def comparison_figure(rows: list[BenchmarkRow]) -> str | None:
    """One figure, three panels (each metric has its own scale); our bars in blue."""
    if not rows:
        return None
    metrics = _metrics()
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=[label for _key, label, _unit in metrics])
    names = [r.name for r in rows]
    colours = [OURS_COLOUR if r.is_ours else THEIRS_COLOUR for r in rows]
    for column, (key, label, unit) in enumerate(metrics, start=1):
        values = [getattr(r, key) for r in rows]
        fig.add_trace(
            go.Bar(
                x=names,
                y=[None if v is None else float(v) for v in values],
                marker={"color": colours},
                name=label,
                text=[format_number(v, unit=unit) for v in values],
                hovertemplate="%{x}: %{text}<extra>" + label + "</extra>",
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    fig.update_layout(
        height=380,
        margin={"l": 50, "r": 20, "t": 40, "b": 90},
        # Decimal mark and thousands separator of the page's language (Russian: "1 234,5").
        separators=", " if (get_language() or "").startswith("ru") else ".,",
    )
    fig.update_yaxes(rangemode="tozero", separatethousands=True)
    return json.dumps(fig.to_plotly_json(), default=str)


class CompetitorComparisonView(OrganizationViewMixin, View):
    template_name = "strategy/competitors.html"

    def post(self, request, org_slug):
        """A typed-in snapshot (the same upsert as the API: typing a day again corrects it)."""
        self.access.require(Perm.WRITE)
        form = CompetitorSnapshotForm(request.POST, organization=self.organization, prefix="snapshot")
        if form.is_valid() and _run(
            form, lambda: services.competitor_snapshot_record(access=self.access, **form.cleaned_data)
        ):
            messages.success(request, _("Snapshot saved."))
            page_url = reverse("strategy:competitors", kwargs={"org_slug": org_slug})
            return redirect(f"{page_url}?platform={form.cleaned_data['platform']}")
        return self.get(request, org_slug, snapshot_form=form, status=400)

    def get(self, request, org_slug, *, snapshot_form=None, status=200):
        form = ComparisonFilter(request.GET or None)
        platform = form.cleaned_data["platform"] if form.is_valid() else SocialPlatform.VK
        platform = platform or SocialPlatform.VK
        now = timezone.now()
        if request.GET.get("format") == "csv":
            return self.csv(platform, now)
        page = Paginator(competitor_page(organization=self.organization), PAGE_SIZE).get_page(request.GET.get("page"))
        ours = our_rows(organization=self.organization, platform=platform, now=now)
        theirs = competitor_rows(organization=self.organization, competitors=list(page.object_list), platform=platform)
        rows = ours + theirs
        context = {
            "organization": self.organization,
            "access": self.access,
            "form": form if form.is_bound else ComparisonFilter(initial={"platform": platform}),
            "platform": platform,
            "platform_label": SocialPlatform(platform).label,
            "rows": rows,
            "has_competitors": bool(theirs),
            "has_ours": bool(ours),
            "figure_json": comparison_figure(rows) if theirs else None,
            "tracked": [c for c in page.object_list if c.tracked_at or c.tracking_error_kind],
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "can_write": self.access.can(Perm.WRITE),
            "snapshot_form": snapshot_form
            or CompetitorSnapshotForm(
                organization=self.organization,
                prefix="snapshot",
                initial={"platform": platform, "date": self.organization.today()},
            ),
        }
        return render(request, self.template_name, context, status=status)

    def csv(self, platform: str, now) -> HttpResponse:
        competitors = list(competitor_page(organization=self.organization))
        rows = our_rows(organization=self.organization, platform=platform, now=now) + competitor_rows(
            organization=self.organization, competitors=competitors, platform=platform
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                _("Name"),
                _("Side"),
                _("Platform"),
                _("Date"),
                _("Followers"),
                _("Posts per week"),
                _("Average reactions per post"),
                _("ER by followers, %"),
                _("Source"),
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    _csv_text(r.name),
                    _("Ours") if r.is_ours else _("Competitor"),
                    platform,
                    r.date.isoformat() if r.date else "",
                    "" if r.followers is None else r.followers,
                    "" if r.posts_per_week is None else r.posts_per_week,
                    "" if r.average_reactions is None else r.average_reactions,
                    "" if r.engagement_rate is None else r.engagement_rate,
                    r.source,
                ]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="competitors-{platform}-{now.date().isoformat()}.csv"'
        return response


def _csv_text(value: str) -> str:
    """A name a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
