"""Mermaid diagrams of the ladder, safe and within Mermaid's limits.

Nothing a user wrote reaches a diagram unescaped: every label is encoded character by
character into Mermaid entity codes (``#35;``), node ids are generated (``n0``, ``n1``...),
and links are built from validated ids only. Diagrams cap what they draw per group and say
how many more there are, so a playbook of any size stays under Mermaid's 50,000 characters
and 500 edges.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_TEXT = 50_000
MAX_EDGES = 500
MAX_LABEL = 60

_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.\-_/()'?!+:]")

#: Box shapes by rung, so the ladder reads at a glance.
SHAPES = {
    "mission": ('(["', '"])'),
    "success_factor": ('{{"', '"}}'),
    "key_task": ('["', '"]'),
    "function": ('[["', '"]]'),
    "estimate": ('[/"', '"/]'),
    "plan": ('("', '")'),
    "more": ('["', '"]'),
}


def label(text: str, limit: int = MAX_LABEL) -> str:
    """Escape any text for a quoted Mermaid label: only safe characters pass as they are."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _UNSAFE.sub(lambda m: f"#{ord(m.group())};", text)


@dataclass
class Flowchart:
    """A flowchart being built: boxes, edges and links, written as Mermaid text (``source``)."""

    direction: str = "TB"
    lines: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    edges: int = 0

    def box(self, key: str, text: str, kind: str, url: str | None = None, sub: str = "") -> str:
        """Add a box once (by ``key``) and return its Mermaid id."""
        if key in self.ids:
            return self.ids[key]
        node_id = f"n{len(self.ids)}"
        self.ids[key] = node_id
        opening, closing = SHAPES.get(kind, SHAPES["key_task"])
        content = label(text)
        if sub:
            content += " · " + label(sub, 40)
        self.lines.append(f"  {node_id}{opening}{content}{closing}")
        if url is not None:
            self.lines.append(f'  click {node_id} href "{_url(url)}"')
        return node_id

    def edge(self, upper: str, lower: str, dashed: bool = False) -> None:
        """An edge drawn from the box above to the box below (lower supports upper)."""
        arrow = "-.->" if dashed else "-->"
        self.lines.append(f"  {upper} {arrow} {lower}")
        self.edges += 1

    def source(self) -> str:
        """The Mermaid source; raises if a limit would be exceeded (a bug, not user input)."""
        text = "\n".join([f"flowchart {self.direction}", *self.lines]) + "\n"
        if self.edges > MAX_EDGES or len(text) > MAX_TEXT:
            raise ValueError(f"diagram too large: {self.edges} edges, {len(text)} characters")
        return text


def _url(url: str) -> str:
    """URLs come from validated ids; refuse anything that could break out of the quotes."""
    if not re.fullmatch(r"[A-Za-z0-9._/#\-]*", url):
        raise ValueError(f"unsafe URL in a diagram: {url!r}")
    return url


def fence(source: str) -> str:
    """A Markdown code fence that Material and mermaid2 render as a diagram."""
    return f"```mermaid\n{source}```\n"


def pre(source: str) -> str:
    """The HTML that Material renders as a diagram (what mermaid2's fence writes)."""
    return f'<pre class="mermaid"><code>{html.escape(source, quote=False)}</code></pre>'


_FENCE = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
_PRE = re.compile(r'<pre class="mermaid"><code>(.*?)</code></pre>', re.S)


def sources(page: str) -> list[str]:
    """The source of every diagram of a rendered page: code fences, then HTML."""
    return _FENCE.findall(page) + [html.unescape(s) for s in _PRE.findall(page)]


_PLAIN = re.compile(r"[^A-Za-z0-9 ,.\-_/()'?!+&]")
_CHAR_REF = re.compile(r"&(?=[A-Za-z0-9#])")


def plain(text: str, limit: int = MAX_LABEL) -> str:
    """Text for diagram kinds that have no entity escapes (Gantt tasks, chart axes):
    anything but plain characters becomes a space. The fence puts the source in the page
    unescaped, so an ``&`` that could start a character reference (``&lt``) gets an
    invisible WORD JOINER after it."""
    text = " ".join(_PLAIN.sub(" ", str(text)).split())
    text = text[: limit - 1].rstrip() + "…" if len(text) > limit else text
    return _CHAR_REF.sub("&\u2060", text)


#: Words the Gantt parser reads as statements when a task's text starts with them.
_GANTT_KEYWORD = re.compile(
    r"(?:gantt\b|dateFormat\b|inclusiveEndDates\b|topAxis\b|axisFormat\b|tickInterval\b"
    r"|includes\b|excludes\b|todayMarker\b|weekday\b|weekend\b|\d\d\d\d-\d\d-\d\d\b"
    r"|title\b|accTitle\s*:|accDescr|section\b|click\b)",
    re.I,
)


@dataclass
class Bar:
    """One bar of a Gantt chart."""

    key: str
    title: str
    start: str
    end: str
    milestone: bool = False


def gantt(sections: list[tuple[str, list[Bar]]], title: str = "") -> str:
    """A Mermaid Gantt chart: one section per group, bars and milestones with fixed dates."""
    lines = ["gantt", "  dateFormat YYYY-MM-DD", "  axisFormat %b %Y"]
    if title:
        lines.append(f"  title {plain(title)}")
    for name, bars in sections:
        lines.append(f"  section {plain(name) or '-'}")
        for bar in bars:
            text = plain(bar.title) or "-"
            if _GANTT_KEYWORD.match(text + " "):  # the line goes on with " :date"
                text = "- " + text
            if bar.milestone:
                lines.append(f"  {text} :milestone, {bar.start}, 0d")
            else:
                lines.append(f"  {text} :{bar.start}, {bar.end}")
    text = "\n".join(lines) + "\n"
    if len(text) > MAX_TEXT:
        raise ValueError(f"Gantt chart too large: {len(text)} characters")
    return text


def bar_chart(title: str, labels: list[str], series: list[list[int]], y_label: str) -> str:
    """A Mermaid XY chart: bars for the first series, lines for the others."""
    axis = ", ".join(f'"{plain(x, 30)}"' for x in labels)
    top = max([1, *[v for s in series for v in s]])
    lines = [
        "xychart-beta",
        f'  title "{plain(title)}"',
        f"  x-axis [{axis}]",
        f'  y-axis "{plain(y_label)}" 0 --> {int(top * 1.1) + 1}',
    ]
    for i, values in enumerate(series):
        kind = "bar" if i == 0 else "line"
        lines.append(f"  {kind} [{', '.join(str(int(v)) for v in values)}]")
    return "\n".join(lines) + "\n"
