"""What the plugin adds to the theme's pages: Mermaid where a diagram is drawn, diagram
source kept out of search, glossary terms that take the focus, a name for the search dialog.

Material for MkDocs draws every ``pre.mermaid`` with a global ``mermaid`` and, when a page
has a diagram but no such global, loads the library from a CDN. The site serves its own copy
(``js/mermaid.min.js``): added as a script to exactly the pages that have a diagram, so no
page loads it for nothing (3.5 MB) and no diagram page ever asks another host for it.
"""

from __future__ import annotations

import re

#: A diagram as Material finds it (``pre.mermaid``), from any page, hand-written ones too.
_DIAGRAM = re.compile(r'<pre\s[^>]*\bclass="(?:[^"]*\s)?mermaid(?:\s[^"]*)?"[^>]*>')
#: A link and its content (links do not nest).
_LINK = re.compile(r"(<a\b[^>]*>.*?</a>)", re.S)
#: Material's search dialog, as its header partial writes it (no accessible name).
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def has_diagram(html: str) -> bool:
    return _DIAGRAM.search(html) is not None


def unsearchable_diagrams(html: str) -> str:
    """Marks every diagram ``data-search-exclude``: the search plugin skips its source."""
    if "mermaid" not in html:
        return html
    return _DIAGRAM.sub(
        lambda m: m[0] if "data-search-exclude" in m[0] else m[0][:-1] + " data-search-exclude>",
        html,
    )


def focusable_terms(html: str) -> str:
    """Every abbreviation (the glossary's terms) outside a link reachable by keyboard and
    touch: Material shows an element's tooltip while it is hovered or has the focus, and only
    a focusable element gets it. Inside a link the link takes the focus (a focusable term
    there would be a second stop on the way through the page); hover still shows it."""
    if "<abbr" not in html:
        return html
    parts = _LINK.split(html)
    for i in range(0, len(parts), 2):  # the text between links
        parts[i] = parts[i].replace("<abbr title=", '<abbr tabindex="0" title=')
    return "".join(parts)


def load_mermaid(output: str, src: str) -> str:
    """The page with a script loading Mermaid (``src``, relative to it) when it draws a
    diagram; after the theme's scripts, so the global exists when Material looks for it."""
    if not has_diagram(output):
        return output
    end = output.rfind("</body>")
    if end < 0:
        return output
    return f'{output[:end]}<script src="{src}"></script>\n{output[end:]}'


def name_search_dialog(output: str) -> str:
    """Material's search dialog with an accessible name (axe: aria-dialog-name)."""
    return output.replace(
        _SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + ' aria-label="Search the playbook">', 1
    )
