"""The report's charts as static SVG for the PDF: the same series, colours and axes as the page's
Plotly figures (``reports.display``), drawn in Python so the printer runs no JavaScript
(docs/decisions/0007-report-pdf.md). Every text is escaped; the markup holds no script or link."""

import datetime as dt
import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 680
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
AXIS = "#444"
GRID = "#e5e5e5"
# Plotly's default colour sequence, so a trace has the colour it has on the page.
TRACE_COLOURS = ["#636efa", "#EF553B", "#00cc96", "#ab63fa"]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def tick_label(value: float) -> str:
    """Plotly's short form: 1.2k, 3M; integers without decimals."""
    size = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{value / limit:.2f}".rstrip("0").rstrip(".")
            return text + suffix
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 11, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {FONT} fill="{AXIS}"{extra}>'
        f"{escape(text)}</text>"
    )


def _svg(height: int, label: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above goes through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>' + "".join(body) + "</svg>"
    )


def goals_svg(rows: Sequence[tuple[str, float, bool]], *, axis_title: str, label: str) -> SafeString:
    """Horizontal bars: (goal title, percent of target, on track) per goal; a dashed line at 100."""
    margin_l, margin_r, margin_t, margin_b = 160, 10, 10, 40
    height = 60 + 40 * len(rows)
    plot_w, plot_h = WIDTH - margin_l - margin_r, height - margin_t - margin_b
    values = [v for _, v, _ in rows]
    ticks = nice_ticks(min(0.0, *values), max(100.0, *values))
    lo, hi = ticks[0], ticks[-1]

    def sx(v: float) -> float:
        return margin_l + (v - lo) / (hi - lo) * plot_w

    body: list[str] = []
    for t in ticks:
        x = sx(t)
        body.append(f'<line x1="{x:.1f}" y1="{margin_t}" x2="{x:.1f}" y2="{margin_t + plot_h}" stroke="{GRID}"/>')
        body.append(_text(x, margin_t + plot_h + 14, tick_label(t)))
    band = plot_h / max(1, len(rows))
    for i, (title, value, ok) in enumerate(reversed(rows)):  # Plotly draws the first category at the bottom
        y = margin_t + i * band + band * 0.1
        x0, x1 = sorted((sx(0.0), sx(value)))
        colour = "#2e7d32" if ok else "#c62828"
        body.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" height="{band * 0.8:.1f}" fill="{colour}"/>')
        short = title if len(title) <= 26 else title[:25] + "…"  # the table above has it whole
        body.append(_text(margin_l - 6, y + band * 0.4 + 4, short, anchor="end"))
    x100 = sx(100.0)
    body.append(
        f'<line x1="{x100:.1f}" y1="{margin_t}" x2="{x100:.1f}" y2="{margin_t + plot_h}" '
        f'stroke="{AXIS}" stroke-dasharray="5,4"/>'
    )
    body.append(_text(margin_l + plot_w / 2, height - 6, axis_title, size=12))
    return _svg(height, label, body)


def trend_svg(
    days: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], bool]], *, right_title: str, label: str
) -> SafeString:
    """Daily lines: (name, values, on the right axis) per series; dates as day.month; a legend below."""
    margin_l, margin_r, margin_t, margin_b = 50, 50, 10, 40
    height, legend_h = 300, 22
    plot_w, plot_h = WIDTH - margin_l - margin_r, height - margin_t - margin_b - legend_h
    n = len(days)

    def sx(i: int) -> float:
        return margin_l + (i / (n - 1) if n > 1 else 0.5) * plot_w

    def scale(right: bool) -> tuple[list[float], float, float]:
        values = [v for _, vs, r in series if r == right for v in vs if v is not None]
        if not values:
            return [], 0.0, 1.0
        ticks = nice_ticks(min(0.0, *values), max(values))
        return ticks, ticks[0], ticks[-1]

    left, right = scale(False), scale(True)
    body: list[str] = []
    bottom = margin_t + plot_h
    for t in left[0]:
        y = bottom - (t - left[1]) / (left[2] - left[1]) * plot_h
        body.append(f'<line x1="{margin_l}" y1="{y:.1f}" x2="{margin_l + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(margin_l - 4, y + 4, tick_label(t), anchor="end"))
    for t in right[0]:
        y = bottom - (t - right[1]) / (right[2] - right[1]) * plot_h
        body.append(_text(margin_l + plot_w + 4, y + 4, tick_label(t), anchor="start"))
    if right[0]:
        x, y = WIDTH - 8, margin_t + plot_h / 2
        body.append(_text(x, y, right_title, size=12, extra=f' transform="rotate(90 {x:.1f} {y:.1f})"'))
    body.append(f'<line x1="{margin_l}" y1="{bottom}" x2="{margin_l + plot_w}" y2="{bottom}" stroke="{AXIS}"/>')
    step = max(1, math.ceil(n / 8))
    body.extend(
        _text(sx(i), bottom + 14, dt.date.fromisoformat(days[i][:10]).strftime("%d.%m")) for i in range(0, n, step)
    )
    legend_x = margin_l
    for k, (name, values, on_right) in enumerate(series):
        colour = TRACE_COLOURS[k % len(TRACE_COLOURS)]
        _, lo, hi = right if on_right else left
        path: list[str] = []
        pen_up = True
        for i, v in enumerate(values[:n]):
            if v is None:
                pen_up = True
                continue
            y = bottom - (v - lo) / (hi - lo) * plot_h
            path.append(f"{'M' if pen_up else 'L'}{sx(i):.1f},{y:.1f}")
            pen_up = False
        if path:
            body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        ly = height - 10
        body.append(
            f'<line x1="{legend_x}" y1="{ly - 4}" x2="{legend_x + 24}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        body.append(_text(legend_x + 30, ly, name, anchor="start"))
        legend_x += 40 + 7 * len(name)
    return _svg(height, label, body)
