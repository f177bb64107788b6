"""Text from plan files made safe for Markdown pages.

Plan text is Markdown written by many contributors, and the site is read by everyone. The
policy (README, "Security") is **Markdown without HTML**, enforced here on the Markdown source
before it reaches a template, so that it holds in every context the text ends up in (page
body, headings and the table of contents, table cells, ``title`` attributes, the search
index, Material's tooltips, which re-insert text and titles as HTML):

- **No HTML.** A ``<`` that could open a tag, comment or autolink (``<`` followed by a letter,
  ``/``, ``!`` or ``?``) gets an invisible WORD JOINER (U+2060) after it, and so does an ``&``
  that would start a character reference (``&lt;``, ``&#106;``, ``&#x3c;``). The text reads the
  same, inside code spans too, but no parser, however many times it decodes the text, finds a
  tag or an entity in it: ``<script>``, ``<img onerror=...>``, ``&lt;script&gt;`` all stay text.
- **No attributes.** ``{`` is backslash-escaped, so no ``{: onclick=... }`` attribute list and
  no ``{.mermaid}`` fence option comes from a plan.
- **Links** may use http, https, mailto or a relative target. A link or reference definition
  whose target resolves to any other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``,
  after removing what browsers and Markdown ignore: tabs, line breaks, backslashes, invisible
  characters, ``<``) is left as plain text; besides, the words ``javascript:``, ``vbscript:`` and
  ``data:`` never survive intact anywhere (an invisible character before the colon).
- **No images** from plans: ``![alt](url)`` becomes a link, so a page never loads anything from
  another host.
- **No diagrams** from plans: a ``mermaid`` code fence is shown as code; diagrams come only from
  the generator (:mod:`mission_playbook.views.diagrams`).
- **No dressing up**: an admonition must be of one of Material's types (``!!! note``), not of
  the theme's own classes (``!!! md-header``).
- Control characters are dropped. ``inline`` and ``cell`` text is one line without links, and
  nothing in it (an unpaired backtick, a trailing backslash) reaches into the template's text.
"""

from __future__ import annotations

import re
from fractions import Fraction
from html.entities import html5

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: Schemes that run code when a browser follows them; never left intact anywhere.
SCRIPT_SCHEMES = ("javascript", "vbscript", "data")

WJ = "\u2060"  # WORD JOINER: invisible, not white space, not part of a tag name or entity

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?\\])")  # "<\\!" is "<!" once Markdown unescapes it
# A character reference: named with ";", numeric ("&#60", no ";" needed; "&\\#60" once Markdown
# unescapes it), or one of the legacy names that HTML decodes without ";" ("&lt", "&ampx").
_LEGACY = sorted((n for n in html5 if not n.endswith(";")), key=len, reverse=True)
_CHAR_REF = re.compile(r"&(?=\\?#|[A-Za-z0-9]+;|(?:" + "|".join(_LEGACY) + "))")
# A run of backslashes before a character: an even run leaves the character unescaped.
_BRACE = re.compile(r"(\\*)\{")
_BRACKET = re.compile(r"(\\*)([\[\]])")
_PIPE = re.compile(r"(\\*)\|")
_BACKTICK = re.compile(r"(\\*)`")
_BACKTICKS = re.compile(r"`+")
# Where Markdown takes a URL: after ``](`` (inline link or image) or ``]:`` (reference).
_TARGET = re.compile(r"\](?=[(:])")
# What browsers and Markdown drop or ignore before a URL's scheme.
_URL_NOISE = re.compile(
    r"[\t\n\r\\\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4"
    r"\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    r"\ufe00-\ufe0f\ufeff\uffa0]"
)
_URL_LEAD = re.compile(r"[\s<(\"']*")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: What browsers and Markdown drop inside a scheme (``java\tscript:``, ``java\\script:``).
_SCHEME_NOISE = frozenset(
    "\t\n\r\\\u00ad\ufeff"
    + "".join(map(chr, range(0x200B, 0x2010)))
    + "".join(map(chr, range(0x2060, 0x2070)))
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")
#: Admonition types (Material's, with their aliases): ``!!! note``. Other classes could take
#: the theme's own (``!!! md-header``) and dress a plan's text up as the site's interface.
ADMONITIONS = frozenset(
    {
        "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
        "success", "check", "done", "question", "help", "faq", "warning", "caution", "attention",
        "failure", "fail", "missing", "danger", "error", "bug", "example", "quote", "cite",
        "inline", "end",
    }
)  # fmt: skip
_ADMONITION = re.compile(r"^([ \t>]*)(!!! ?)([\w\-]+(?: +[\w\-]+)*)", re.M)
_MERMAID_FENCE = re.compile(r"((?:`{3,}|~{3,})[ \t]*\.?)([\w#.+\-]*mermaid[\w#.+\-]*)", re.I)


def _escape_unescaped(pattern: re.Pattern[str], text: str) -> str:
    """Backslash-escape the character ``pattern`` ends on wherever it is not escaped already."""

    def sub(m: re.Match[str]) -> str:
        slashes = m.group(1)
        return slashes + ("\\" if len(slashes) % 2 == 0 else "") + m.group(0)[len(slashes) :]

    return pattern.sub(sub, text)


def unsafe_target(target: str) -> bool:
    """Whether a URL as written in Markdown resolves to a scheme other than http(s)/mailto."""
    cleaned = _URL_LEAD.sub("", _URL_NOISE.sub("", target[:512]), count=1)
    m = _SCHEME.match(cleaned)
    return m is not None and m.group(1).lower() not in SAFE_SCHEMES


def _defuse_links(text: str) -> str:
    """Turn links, images and reference definitions with an unsafe target into text."""
    parts: list[str] = []
    last = 0
    for m in _TARGET.finditer(text):
        if unsafe_target(text[m.end() + 1 :]):
            parts.append(text[last : m.end()] + WJ)  # ``]`` then ``(`` or ``:`` no longer meet
            last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def _defuse_script_schemes(text: str) -> str:
    """An invisible character before the colon of every ``javascript:``, ``vbscript:`` and
    ``data:``, however spelled (case, tabs, backslashes, invisible characters between)."""
    parts: list[str] = []
    last = 0
    colon = text.find(":")
    while colon != -1:
        letters: list[str] = []
        i = colon - 1
        while i >= 0 and len(letters) <= 10:
            char = text[i].lower()
            if text[i] in _SCHEME_NOISE:
                i -= 1
            elif char in _SCHEME_CHARS:
                letters.append(char)
                i -= 1
            else:
                break
        if "".join(reversed(letters)) in SCRIPT_SCHEMES:
            parts.append(text[last:colon] + WJ)
            last = colon
        colon = text.find(":", colon + 1)
    return "".join(parts) + text[last:] if parts else text


def plain(value: object) -> str:
    """Any text without HTML: no tag, comment or character reference can form in it.

    The text reads the same. It is safe in a template that does not escape (MkDocs themes
    print page and navigation titles as they are) and in any attribute.
    """
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if "<" in text:
        text = _TAG_OPEN.sub("<" + WJ, text)
    if "&" in text:
        text = _CHAR_REF.sub("&" + WJ, text)
    return _defuse_script_schemes(text) if ":" in text else text


def _markdown(text: str) -> str:
    text = plain(text)
    if "{" in text:
        text = _escape_unescaped(_BRACE, text)
    if "!!!" in text:  # one-line text too: it may start a list item
        text = _ADMONITION.sub(_admonition, text)
    if "]" not in text:
        return text
    return _defuse_links(text.replace("![", "!" + WJ + "["))


def markdown_block(value: object) -> str:
    """Multi-line Markdown from a plan file, with HTML, attribute lists and unsafe links defused."""
    if value is None:
        return ""
    text = _markdown(str(value).replace("\r\n", "\n").strip("\n"))
    if "``" in text or "~~" in text:
        text = _MERMAID_FENCE.sub(lambda m: m.group(1) + "text", text)
    return text


def _admonition(m: re.Match[str]) -> str:
    """An admonition of a known type stays; any other class makes it plain text."""
    if all(word.lower() in ADMONITIONS for word in m.group(3).split()):
        return m.group(0)
    return m.group(1) + "\\" + m.group(2) + m.group(3)


def _unpaired_backticks(text: str) -> bool:
    """Whether a run of backticks has no run of the same length to close its code span."""
    lengths = [len(run) for run in _BACKTICKS.findall(text)]
    return any(lengths.count(n) % 2 for n in set(lengths))


def markdown_inline(value: object) -> str:
    """One line of Markdown, without links: for headings, link texts and list items.

    Nothing in it reaches beyond it into the template's text: an unpaired backtick is
    escaped (it would turn what follows on the line into code) and so is a trailing backslash.
    """
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if "[" in text or "]" in text:
        text = _escape_unescaped(_BRACKET, text)
    text = _markdown(text)
    if "`" in text and _unpaired_backticks(text):
        text = _escape_unescaped(_BACKTICK, text)
    trailing = len(text) - len(text.rstrip("\\"))
    return text + "\\" if trailing % 2 else text


def table_cell(value: object) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    text = markdown_inline(value)
    return _escape_unescaped(_PIPE, text) if "|" in text else text


def code(value: object) -> str:
    """Text for inline code (between single backticks): one line, backticks replaced."""
    return plain(" ".join(str(value).split())).replace("`", "'")


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


def amount(value: object, unit: object = None, per: object = None) -> str:
    """A target as people read it: ``225 MQLs a month``; empty when there is no value."""
    if value is None or value == "":
        return ""
    parts = [number(value)]
    if unit:
        parts.append(table_cell(unit))
    if per:
        parts.append(f"a {table_cell(per)}")
    return " ".join(parts)
