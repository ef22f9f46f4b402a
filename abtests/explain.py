"""The evaluation in plain words for the results page and the report (gettext: RU/EN)."""

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import stats


def pct(x: float | None, places: int = 1) -> str:
    return "—" if x is None else f"{number_format(round(x * 100, places), places)} %"


def signed_pct(x: float | None) -> str:
    if x is None:
        return "—"
    return ("+" if x > 0 else "") + pct(x)


def metric_value(metric: stats.Metric, value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    if metric == stats.Metric.CPL:
        return f"{number_format(round(value, 2), 2, force_grouping=True)} {currency}"
    return pct(value, 2)


def explain(evaluation: stats.Evaluation, names: Sequence[str], currency: str) -> list[str]:
    """Sentences a marketer reads: where the test stands, what the numbers say, what to do."""
    ev = evaluation
    lines: list[str] = []
    unit = _("leads") if ev.metric == stats.Metric.CPL else _("units")
    if not ev.sample_reached:
        lines.append(
            _(
                "The test has collected %(progress)s of the planned sample (%(required)s %(unit)s per variant). "
                "No winner is named before then: an early lead is often chance, and looking repeatedly "
                "inflates false alarms."
            )
            % {
                "progress": pct(ev.progress, 0),
                "required": number_format(ev.required, 0, force_grouping=True),
                "unit": unit,
            }
        )
    for i, cmp in enumerate(ev.comparisons):
        if cmp is None or cmp.lift is None:
            continue
        values = {
            "name": names[i],
            "control": names[0],
            "lift": signed_pct(cmp.lift),
            "low": signed_pct(cmp.lift_low),
            "high": signed_pct(cmp.lift_high),
            "level": pct(1 - ev.alpha_each, 1),
        }
        if ev.metric == stats.Metric.CPL:
            lines.append(
                _(
                    "«%(name)s» costs %(lift)s per lead compared with «%(control)s»; with %(level)s "
                    "confidence the difference is between %(low)s and %(high)s."
                )
                % values
            )
        else:
            lines.append(
                _(
                    "«%(name)s» performs %(lift)s compared with «%(control)s»; with %(level)s confidence "
                    "the true change is between %(low)s and %(high)s."
                )
                % values
            )
    best = [p for p in ev.prob_best if p is not None]
    if best and len(best) == len(names):
        top = max(range(len(names)), key=lambda k: ev.prob_best[k] or 0.0)
        lines.append(
            _("Chance that «%(name)s» is the best variant: %(p)s.")
            % {"name": names[top], "p": pct(ev.prob_best[top], 0)}
        )
    if ev.verdict == stats.Verdict.WINNER and ev.winner is not None:
        if ev.winner == 0:
            lines.append(_("Verdict: the control «%(name)s» is better; drop the change.") % {"name": names[0]})
        else:
            lines.append(
                _("Verdict: «%(name)s» wins. The difference is larger than chance would explain; adopt it.")
                % {"name": names[ev.winner]}
            )
    elif ev.verdict == stats.Verdict.INCONCLUSIVE:
        lines.append(
            _(
                "Verdict: inconclusive. The planned sample is reached, but the difference is within what chance "
                "produces, so neither variant is proven better. That is a result too: the change does not matter "
                "by the effect you planned to detect."
            )
        )
    return lines
