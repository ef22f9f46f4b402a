"""The rule a shown KPI figure must follow, checked on rendered HTML (tests/analytics/test_number_display.py).

Where: a *KPI block* is an element with `data-kpi="<catalog key>"` — an analytics table row, a
dashboard tile, a goal card (dashboard and strategy pages), a goal's baseline → target cell. It
holds the KPI's name (or the goal's) and its figures. Free text inside a block is not a figure and
is skipped: headings (a goal's own title), the formula cell (`data-col="formula"`, "… * 100"),
links and buttons; dates (01.03.2027, 3/1/2027, 2027-03-01) are removed first.

The rule, for every number in a block's text (a number is digits with the language's group
separator — a no-break space in Russian, a comma in English — and decimal mark):
  1. grouping: an integer part of 1000 or more is written in groups of three ("50 620", "50,620");
  2. a money KPI's number is followed by a currency (₽, $, €, ₸, Br or a three-letter code);
  3. a percent KPI's number is followed by "%";
  4. a minutes KPI's number is followed by "мин"/"min";
  5. a count KPI's number is whole (no "52 912,37" reach).
A number followed by "%" is a share (of the target, of the time elapsed, a change against the
previous period) and satisfies 2–5. Everywhere else on a page, a table cell or a `<dd>` whose whole
text is one number (with or without a unit) follows rule 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from core.kpis import Unit, kpi_get

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED_TAGS = {"script", "style", "template", "h1", "h2", "h3", "h4", "h5", "h6", "a", "button", "form", "select"}
SPACE = "[\u00a0\u202f ]"
CURRENCY = re.compile(r"^(₽|\$|€|₸|Br\b|[A-Z]{3}\b)")
DATES = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:,? \d{1,2}:\d{2})?|\d{1,2}:\d{2}")
NUMBER = {
    "ru": re.compile(rf"(?<![\w.,])(\d+(?:{SPACE}\d{{3}})*)(?:,(\d+))?(?![\w])"),
    "en": re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*)(?:\.(\d+))?(?![\w])"),
}
BARE_UNIT = re.compile(r"[+\-−]?|[+\-−]?(%|₽|\$|€|₸|Br|[A-Z]{3}|мин|min)")
UNIT_AFTER = {
    Unit.PERCENT: re.compile(r"^%"),
    Unit.MINUTES: re.compile(r"^(мин|min)\b"),
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self, *, skip_free_text: bool = False) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip_free_text and (child.tag in SKIPPED_TAGS or child.attrs.get("data-col") == "formula")):
                parts.append(child.text(skip_free_text=skip_free_text))
        return " ".join(parts)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def page_language(html: str) -> str:
    match = re.search(r'<html lang="(\w+)', html)
    return "ru" if match and match.group(1).startswith("ru") else "en"


def _numbers(text: str, language: str):
    """(integer part, fraction or None, the text after the number) for each number in `text`."""
    text = DATES.sub(" ", text)
    for match in NUMBER[language].finditer(text):
        after = re.sub(rf"^{SPACE}*", "", text[match.end() :].lstrip(" \t\n"))
        yield match.group(1), match.group(2), after, match.group(0)


def _grouped(integer: str, language: str) -> bool:
    groups = re.split(SPACE if language == "ru" else ",", integer)
    return len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    units_seen: set[str] = field(default_factory=set)  # units of KPI blocks that showed a number
    blocks: int = 0


def check_page(html: str, *, where: str, findings: Findings) -> None:
    language = page_language(html)
    root = parse(html)
    for node in root.walk():
        key = node.attrs.get("data-kpi")
        if key is not None:
            kpi = kpi_get(key)
            if kpi is None:
                findings.problems.append(f"{where}: data-kpi={key!r} is not a catalog KPI")
                continue
            findings.blocks += 1
            text = " ".join(node.text(skip_free_text=True).split())
            for integer, fraction, after, shown in _numbers(text, language):
                findings.units_seen.add(str(kpi.unit))
                problem = _kpi_number_problem(kpi.unit, integer, fraction, after, language)
                if problem:
                    findings.problems.append(f"{where}: {key}: {shown!r} {problem} in {text[:160]!r}")
        elif node.tag in ("td", "dd"):
            text = " ".join(node.text().split())
            numbers = list(_numbers(text, language))
            if len(numbers) != 1:
                continue
            integer, _fraction, _after, shown = numbers[0]
            rest = text.replace(shown, "", 1).strip(" \u00a0\u202f")
            if BARE_UNIT.fullmatch(rest) and not _grouped(integer, language):
                findings.problems.append(f"{where}: ungrouped number {text!r} in a <{node.tag}>")


def _kpi_number_problem(unit: Unit, integer: str, fraction: str | None, after: str, language: str) -> str:
    if not _grouped(integer, language):
        return "is not grouped in thousands"
    if after.startswith("%"):
        return ""  # a share of the target or a change: a percentage whatever the KPI
    if unit == Unit.MONEY and not CURRENCY.match(after):
        return "has no currency"
    if unit in UNIT_AFTER and not UNIT_AFTER[unit].match(after):
        return f"has no unit ({unit})"
    if unit == Unit.COUNT and fraction is not None:
        return "is a count with a fraction"
    return ""
