"""Owners, leaders and the commander on pages: the person, with their handle when known.

An owner written as text is shown as plan text; a person (inline or from the ``people`` list)
as their name and role, then their handle (``@rnguyen``) in code, which is what a reader
mentions to ask them. Everything comes from plan files and is escaped as plan text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from mission_playbook.model.ladder import Ladder
from mission_playbook.model.people import resolve
from mission_playbook.views import textsafe


def who_html(value: Any, ladder: Ladder, text: Callable[[object], str]) -> str:
    """An owner as HTML for a fragment; ``text`` makes plan text safe (``InlineHtml``)."""
    someone = resolve(value, ladder)
    if someone is None:
        return ""
    shown = text(someone.name + (f", {someone.role}" if someone.role else ""))
    if someone.handle:
        shown += f" <code>{html.escape(someone.handle)}</code>"
    return shown


def who_markdown(value: Any, ladder: Ladder) -> str:
    """An owner as one line of Markdown."""
    someone = resolve(value, ladder)
    if someone is None:
        return ""
    shown = textsafe.markdown_inline(someone.name + (f", {someone.role}" if someone.role else ""))
    if someone.handle:
        shown += f" `{textsafe.code(someone.handle)}`"
    return shown
