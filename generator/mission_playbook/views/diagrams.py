"""Mermaid flowcharts of the ladder, safe, legible and within Mermaid's limits.

Nothing a user wrote reaches a diagram unescaped: every label is encoded character by
character into Mermaid entity codes (``#35;``), node ids are generated (``n0``, ``n1``...),
and links are built from validated ids only. Diagrams cap what they draw per group and say
how many more there are, so a playbook of any size stays under Mermaid's 50,000 characters
and 500 edges.

Legible: a diagram is drawn at its own size (``useMaxWidth: false``), never shrunk to the
column, its labels wrapped at 150 px: its text stays at the theme's 16 px, and a diagram wider
than the screen scrolls in its own box (``playbook.css``). The layouts are made to fit the
column of a desktop screen: left to right, three ranks at most (``views/ladder_diagrams.py``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_TEXT = 50_000
MAX_EDGES = 500
MAX_LABEL = 150  # labels wrap: only an unreasonably long title is cut

#: Each flowchart's own settings (front matter): drawn at its size, labels wrapped narrow.
CONFIG = (
    "---\nconfig:\n  flowchart:\n    useMaxWidth: false\n    wrappingWidth: 150\n"
    "    nodeSpacing: 24\n    rankSpacing: 32\n---\n"
)

_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.\-_/()'?!+:]")

#: Box shapes by kind. Only shapes whose width does not grow with the label's height (no
#: hexagon, no parallelogram): a diagram of three columns fits a desktop column.
SHAPES = {
    "mission": ('(["', '"])'),
    "success_factor": ('[["', '"]]'),
    "key_task": ('["', '"]'),
    "function": ('[["', '"]]'),
    "estimate": ('["', '"]'),
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
        text = CONFIG + "\n".join([f"flowchart {self.direction}", *self.lines]) + "\n"
        if self.edges > MAX_EDGES or len(text) > MAX_TEXT:
            raise ValueError(f"diagram too large: {self.edges} edges, {len(text)} characters")
        return text


def _url(url: str) -> str:
    """URLs come from validated ids; refuse anything that could break out of the quotes."""
    if not re.fullmatch(r"[A-Za-z0-9._/#\-]*", url):
        raise ValueError(f"unsafe URL in a diagram: {url!r}")
    return url


def pre(source: str) -> str:
    """The HTML that Material renders as a diagram (what mermaid2's fence writes), kept out
    of the search index (Material's search plugin skips ``data-search-exclude``), in a box
    that scrolls sideways when the diagram is wider than the screen (and takes the focus, so
    that a keyboard scrolls it too)."""
    code = html.escape(source, quote=False)
    return (
        '<div class="playbook-diagram" tabindex="0" role="group" aria-label="Diagram">'
        f'<pre class="mermaid" data-search-exclude><code>{code}</code></pre></div>'
    )


_FENCE = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
_PRE = re.compile(r'<pre class="mermaid"[^>]*><code>(.*?)</code></pre>', re.S)


def sources(page: str) -> list[str]:
    """The source of every diagram of a rendered page: code fences, then HTML."""
    return _FENCE.findall(page) + [html.unescape(s) for s in _PRE.findall(page)]
