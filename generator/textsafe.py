"""Text from plan files made safe for Markdown pages.

Plan text is Markdown written by many contributors, and the site is read by everyone: raw
HTML is shown as text (``<`` becomes ``&lt;``), and links may only use http, https, mailto or
relative targets, so no ``<script>``, event handler or ``javascript:`` URL reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_INLINE_LINK = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")
_REFERENCE = re.compile(r"^(\s{0,3})\[([^\]]*)\]:\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:", re.M)


def _neutralise_links(text: str) -> str:
    def inline(m: re.Match[str]) -> str:
        if m.group(1).lower() in SAFE_SCHEMES:
            return m.group(0)
        return "]\\(" + m.group(0)[2:]

    def reference(m: re.Match[str]) -> str:
        if m.group(3).lower() in SAFE_SCHEMES:
            return m.group(0)
        return f"{m.group(1)}\\[{m.group(2)}\\]:" + m.group(0).split(":", 1)[1]

    return _REFERENCE.sub(reference, _INLINE_LINK.sub(inline, text))


def markdown_block(value: object) -> str:
    """Multi-line Markdown from a plan file, with raw HTML and unsafe links defused."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").strip("\n")
    return _neutralise_links(text.replace("<", "&lt;"))


def markdown_inline(value: object) -> str:
    """One line of Markdown: for headings, link texts and list items."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    text = text.replace("[", "\\[").replace("]", "\\]")
    return _neutralise_links(text.replace("<", "&lt;"))


def table_cell(value: object) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return markdown_inline(value).replace("|", "\\|")


def code(value: object) -> str:
    """Text for inline code: backticks removed."""
    return str(value).replace("`", "'")


def number(value: object) -> str:
    """A number as people read it: 10,000,000 and 0.15; fractions rounded up."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, Fraction):
        whole = -(-value.numerator // value.denominator)
        return f"{whole:,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    return markdown_inline(value)


class Glossary:
    """Glossary terms as Markdown abbreviations: a term in any text shows its definition."""

    def __init__(self, terms: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        self.entries: list[tuple[str, re.Pattern[str], str]] = []
        for term, definition, aliases in terms:
            text = " ".join(str(definition).split()).replace("]", ")")
            for word in (term, *aliases):
                word = " ".join(str(word).split())
                if not word or any(c in word for c in "[]\n"):
                    continue
                pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
                self.entries.append((word, pattern, text))

    def abbreviations(self, page: str) -> str:
        """Abbreviation definitions for the terms a page uses (none when it uses none)."""
        used = [
            f"*[{word}]: {text}" for word, pattern, text in self.entries if pattern.search(page)
        ]
        return "\n\n" + "\n".join(used) + "\n" if used else ""
