"""The glossary as hover definitions: a term used in any text shows what it means.

Terms become Markdown abbreviations (``*[MQL]: Marketing qualified lead``), defined only on the
pages that use them. One combined pattern finds every term of a page in a single pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mission_playbook.views.textsafe import plain


class Glossary:
    """Glossary terms and aliases, ready to be matched against pages."""

    def __init__(self, terms: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        self.definitions: dict[str, str] = {}
        for term, definition, aliases in terms:
            text = plain(" ".join(str(definition).split())).replace("]", ")")
            for word in (term, *aliases):
                word = plain(" ".join(str(word).split()))
                if word and not any(c in word for c in "[]\\\n"):
                    self.definitions.setdefault(word, text)
        words = sorted(self.definitions, key=len, reverse=True)  # longest match first
        self.pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")
            if words
            else None
        )

    def used(self, page: str) -> list[str]:
        """The terms (and aliases) a page uses, in glossary order."""
        if self.pattern is None:
            return []
        found = set(self.pattern.findall(page))
        return [w for w in self.definitions if w in found]

    def abbreviations(self, page: str) -> str:
        """Abbreviation definitions for the terms a page uses (none when it uses none)."""
        used = [f"*[{w}]: {self.definitions[w]}" for w in self.used(page)]
        return "\n\n" + "\n".join(used) + "\n" if used else ""
