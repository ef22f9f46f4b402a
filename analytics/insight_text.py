"""The sentences that state an insight's evidence, in the active language, with the figures.

"Posts in the format “Carousel” brought 2.1 leads per post vs 1.0 for other formats (posts: 84
vs 412)". One template per metric; the dimension supplies who did it (the subject) and whom it is
compared with (the rest), so translators see whole phrases.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from content.models import PostObjective
from core.vocabulary import Platform, PostFormat

_WEEKDAY_SUBJECTS = {
    "monday": lambda: _("Posts published on Mondays"),
    "tuesday": lambda: _("Posts published on Tuesdays"),
    "wednesday": lambda: _("Posts published on Wednesdays"),
    "thursday": lambda: _("Posts published on Thursdays"),
    "friday": lambda: _("Posts published on Fridays"),
    "saturday": lambda: _("Posts published on Saturdays"),
    "sunday": lambda: _("Posts published on Sundays"),
}
_HOUR_BAND_SUBJECTS = {
    "night": lambda: _("Posts published at night (0–6 h)"),
    "morning": lambda: _("Posts published in the morning (6–12 h)"),
    "day": lambda: _("Posts published in the daytime (12–18 h)"),
    "evening": lambda: _("Posts published in the evening (18–24 h)"),
}


def segment_label(dimension: str, segment: str) -> str:
    """A segment's name for people: the vocabulary's label where the value is a known code."""
    choices: dict[str, dict[str, str]] = {
        "platform": {str(value): str(label) for value, label in Platform.choices},
        "format": {str(value): str(label) for value, label in PostFormat.choices},
        "objective": {str(value): str(label) for value, label in PostObjective.choices},
    }
    return choices.get(dimension, {}).get(segment, segment)


def subject(dimension: str, segment: str) -> str:
    """Who did it: "Posts on VK", "Posts published on Mondays"."""
    if dimension == "weekday" and segment in _WEEKDAY_SUBJECTS:
        return _WEEKDAY_SUBJECTS[segment]()
    if dimension == "hour_band" and segment in _HOUR_BAND_SUBJECTS:
        return _HOUR_BAND_SUBJECTS[segment]()
    label = segment_label(dimension, segment)
    templates = {
        "platform": _("Posts on %(segment)s"),
        "format": _("Posts in the format “%(segment)s”"),
        "pillar": _("Posts in the pillar “%(segment)s”"),
        "objective": _("Posts with the objective “%(segment)s”"),
    }
    return templates.get(dimension, _("Posts in the segment “%(segment)s”")) % {"segment": label}


def rest(dimension: str) -> str:
    """Whom it is compared with, with its preposition: "for other formats"."""
    phrases = {
        "platform": _("for other platforms"),
        "format": _("for other formats"),
        "pillar": _("for other pillars"),
        "objective": _("for other objectives"),
        "weekday": _("on other days"),
        "hour_band": _("at other times of day"),
    }
    return phrases.get(dimension, _("for other posts"))


def metric_name(metric: str) -> str:
    names = {
        "leads_per_post": _("leads per post"),
        "revenue_per_post": _("revenue per post"),
        "engagement_rate": _("engagement rate"),
        "ctr": _("click-through rate"),
        "reach_per_post": _("reach per post"),
    }
    return names.get(metric, metric)


def format_figure(metric: str, value: float, *, like: float | None = None) -> str:
    """A figure grouped in the active locale, rates in percent, with the precision its size needs;
    `like` is the figure it is shown next to, so both get the same number of decimals."""
    scale = 100 if metric in ("engagement_rate", "ctr") else 1
    size = max(abs(value), abs(like if like is not None else value)) * scale
    places = 0 if metric == "reach_per_post" or size >= 100 else (1 if size >= 1 else 2)
    number = _number(value * scale, places)
    return pgettext("percent", "%(number)s%%") % {"number": number} if scale == 100 else number


def _number(value: float, places: int) -> str:
    return number_format(round(value, places), decimal_pos=places, use_l10n=True, force_grouping=True)


def evidence_sentence(
    *, dimension: str, segment: str, metric: str, value: float, baseline: float, n_segment: int, n_rest: int
) -> str:
    """One sentence with the figures of a comparison, in the active language."""
    templates = {
        "leads_per_post": _(
            "%(subject)s brought %(value)s leads per post vs %(baseline)s %(rest)s (posts: %(n_segment)s vs %(n_rest)s)"
        ),
        "revenue_per_post": _(
            "%(subject)s brought %(value)s in revenue per post vs %(baseline)s %(rest)s"
            " (posts: %(n_segment)s vs %(n_rest)s)"
        ),
        "engagement_rate": _(
            "%(subject)s had an engagement rate of %(value)s vs %(baseline)s %(rest)s"
            " (posts: %(n_segment)s vs %(n_rest)s)"
        ),
        "ctr": _(
            "%(subject)s had a click-through rate of %(value)s vs %(baseline)s %(rest)s"
            " (posts: %(n_segment)s vs %(n_rest)s)"
        ),
        "reach_per_post": _(
            "%(subject)s reached %(value)s people per post vs %(baseline)s %(rest)s"
            " (posts: %(n_segment)s vs %(n_rest)s)"
        ),
    }
    return templates[metric] % {
        "subject": subject(dimension, segment),
        "value": format_figure(metric, value, like=baseline),
        "baseline": format_figure(metric, baseline, like=value),
        "rest": rest(dimension),
        "n_segment": _number(n_segment, 0),
        "n_rest": _number(n_rest, 0),
    }
