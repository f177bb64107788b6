"""HTML fragments: the generated structure of a page, written as HTML inside its Markdown.

A plan's page is mostly structure the generator knows exactly: the trace up to the mission,
the fields, the tables of metrics and milestones, the lists of links. Written as Markdown,
Python-Markdown parses all of it again on every page (inline patterns over every cell and
link), which made a playbook site twice as slow to build as plain pages of the same size.
Templates therefore write such structure as HTML between two marker lines::

    <!-- playbook:html -->
    <table>...</table>
    <!-- /playbook:html -->

``FragmentExtension`` (the plugin adds it to the site's Markdown extensions) hands each marked
block to Python-Markdown's store of raw HTML before anything else parses it, as extensions do
with code blocks. Without the extension (``playbook render`` output in another MkDocs site)
the markers are HTML comments and the block is raw HTML: the page looks the same, only slower
to build. Prose from plans (descriptions, objectives) stays Markdown in the page.

A page made of fragments and headings only (a plan's page, as packaged) needs no Markdown
parsing at all: :class:`PageHtml` writes it as Python-Markdown would (the ``toc`` extension's
heading ids, permalinks and table of contents), when the site's extensions allow.

Plan text in a fragment goes through :class:`InlineHtml`: the same sanitising as everywhere
(``views/textsafe.py``), then HTML; text with no Markdown in it (nearly all titles) is only
escaped, the rest is converted by Python-Markdown. Glossary terms become ``<abbr>`` as the
``abbr`` extension does for the Markdown part of a page (the plugin makes them focusable).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions import toc as toc_ext
from markdown.extensions.abbr import AbbrExtension
from markdown.preprocessors import Preprocessor

from mission_playbook.views import textsafe
from mission_playbook.views.glossary import Glossary

OPEN = "<!-- playbook:html -->"
CLOSE = "<!-- /playbook:html -->"

#: ids in generated HTML (always written ``id="..."``), for MkDocs' anchor validation.
_ID = re.compile(r'\sid="([^"]*)"')
#: Text that renders as itself (escaped) in Markdown: no character that starts any inline
#: syntax (emphasis, code, links, escapes, HTML, entities, attribute lists).
_PLAIN = re.compile(r"[^\\`*_\[\]<>&{}!|~^=#\n\r]*")
#: What would start a block (heading, quote, list, rule) at the start of a line.
#: A rule repeats one character: "***" and "- - -" are rules, "*-*" is emphasis.
_BLOCK_START = re.compile(r"[#>]|[-+*](?=\s)|([-*_])(?=(?:\s*\1){2,}\s*$)|\d+(?=\.\s)")


class _FragmentPreprocessor(Preprocessor):
    """Stores each marked block as raw HTML (a placeholder paragraph takes its place)."""

    def __init__(self, md: markdown.Markdown, extension: FragmentExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        if OPEN not in lines:
            return lines
        out: list[str] = []
        block: list[str] | None = None
        for line in lines:
            if block is None:
                if line == OPEN:
                    block = []
                else:
                    out.append(line)
            elif line == CLOSE:
                fragment = "\n".join(block)
                self.extension.anchors.update(_ID.findall(fragment))
                out += ["", self.md.htmlStash.store(fragment), ""]
                block = None
            else:
                block.append(line)
        if block is not None:  # never closed: left as written (raw HTML, parsed as usual)
            out += [OPEN, *block]
        return out


class FragmentExtension(Extension):
    """Passes marked HTML fragments through Python-Markdown untouched.

    Runs after fenced code blocks are set aside (so a marker shown in a code block stays
    code) and before MkDocs and Python-Markdown parse raw HTML. ``anchors`` collects the ids
    of the fragments converted since it was last emptied.
    """

    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_FragmentPreprocessor(md, self), "playbook_html", 22)


def markdown_of(page: str) -> str:
    """A page's text without its fragments: what Python-Markdown parses of it (each
    fragment from its opening line to its closing marker; the page's largest, the whole
    operation order, is 8 MB: found with ``str.find``, not a lazy regex)."""
    if OPEN not in page:
        return page
    kept: list[str] = []
    done = 0
    while (start := _line_find(page, f"{OPEN}\n", done)) >= 0:
        end = _line_find(page, CLOSE, start + len(OPEN) + 1, whole=True)
        if end < 0:  # never closed: the rest is Markdown
            break
        kept.append(page[done:start])
        done = end + len(CLOSE)
    kept.append(page[done:])
    return "".join(kept)


def _line_find(text: str, sub: str, start: int, whole: bool = False) -> int:
    """Where ``sub`` begins a line of ``text`` from ``start`` (and, ``whole``, ends it)."""
    while (found := text.find(sub, start)) >= 0:
        after = found + len(sub)
        if (found == 0 or text[found - 1] == "\n") and (
            not whole or after == len(text) or text[after] == "\n"
        ):
            return found
        start = found + 1
    return -1


def fragment(html_text: str) -> str:
    """``html_text`` between the markers, with the blank lines Markdown wants around HTML."""
    return f"\n{OPEN}\n{html_text.strip()}\n{CLOSE}\n\n"


class TemplateMarkdown:
    """Markdown written in a template (trusted: not plan text) as an HTML fragment.

    ``{% filter markdown %}...{% endfilter %}`` lets a template override stay Markdown and
    keep its page free of Markdown for MkDocs to parse. Links are written as URLs.
    """

    EXTENSIONS = ("admonition", "attr_list", "def_list", "md_in_html", "tables")

    def __init__(self) -> None:
        self._markdown: markdown.Markdown | None = None
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        done = self._cache.get(text)
        if done is None:
            if self._markdown is None:
                self._markdown = markdown.Markdown(extensions=list(self.EXTENSIONS))
            self._markdown.reset()
            done = self._cache[text] = fragment(self._markdown.convert(text))
        return done


class InlineHtml:
    """One line of plan text as HTML, sanitised as in Markdown pages, glossary terms marked."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary
        self._markdown: markdown.Markdown | None = None
        self._cache: dict[str, str] = {}  # by sanitised text
        self._raw: dict[str, str] = {}  # by text as written

    def __call__(self, value: object) -> str:
        if not isinstance(value, str):
            return self.markdown(textsafe.markdown_inline(value))
        done = self._raw.get(value)
        if done is None:
            done = self._raw[value] = self.markdown(textsafe.markdown_inline(value))
        return done

    def markdown(self, text: str) -> str:
        """HTML of one line of Markdown that is sanitised already (``| inline`` output)."""
        done = self._cache.get(text)
        if done is None:
            done = self._cache[text] = self._convert(text)
        return done

    def _convert(self, text: str) -> str:
        if _PLAIN.fullmatch(text):
            return self._terms(text.strip())
        if self._markdown is None:
            glossary = self.glossary.definitions if self.glossary is not None else {}
            self._markdown = markdown.Markdown(
                extensions=[AbbrExtension(glossary=glossary)] if glossary else []
            )
        self._markdown.reset()
        line = text
        start = _BLOCK_START.match(line)  # one line is inline text, never a block
        if start is not None:
            at = start.end() if start.group().isdigit() else 0
            line = line[:at] + "\\" + line[at:]
        converted = self._markdown.convert(line)
        if not (converted.startswith("<p>") and converted.endswith("</p>")):
            return self._terms(text)  # not one paragraph: shown as written
        return converted[3:-4]

    def _terms(self, text: str) -> str:
        """Escape plain ``text`` and mark its glossary terms as the ``abbr`` extension does."""
        pattern = self.glossary.pattern if self.glossary is not None else None
        if pattern is None:
            return html.escape(text, quote=False)
        assert self.glossary is not None
        parts: list[str] = []
        last = 0
        for m in pattern.finditer(text):
            title = _attr(self.glossary.definitions[m.group(1)])
            parts.append(html.escape(text[last : m.start()], quote=False))
            parts.append(f'<abbr title="{title}">{html.escape(m.group(1), quote=False)}</abbr>')
            last = m.end()
        parts.append(html.escape(text[last:], quote=False))
        return "".join(parts)


class BlockHtml:
    """Plan text of several paragraphs as an HTML fragment, converted on its own.

    For pages that put many texts from plans next to each other and to fragments (the print
    pages): each text is converted alone, so nothing in one (a code fence whose opening line
    the sanitising made plain text, say) reaches into what follows it. The text is sanitised
    as everywhere (``textsafe.markdown_block``); the Markdown is that of the site's pages:
    admonitions, tables, code fences, glossary terms as ``<abbr>``.
    """

    EXTENSIONS = ("admonition", "tables", "pymdownx.superfences")

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary
        self._markdown: markdown.Markdown | None = None
        self._cache: dict[str, str] = {}

    def __call__(self, value: object) -> str:
        text = value if isinstance(value, str) else str(value)
        done = self._cache.get(text)
        if done is None:
            done = self._cache[text] = self._convert(textsafe.markdown_block(text))
        return done

    def _convert(self, text: str) -> str:
        if not text.strip():
            return ""
        if self._markdown is None:
            glossary = self.glossary.definitions if self.glossary is not None else {}
            extensions: list[Any] = list(self.EXTENSIONS)
            if glossary:
                extensions.append(AbbrExtension(glossary=glossary))
            self._markdown = markdown.Markdown(extensions=extensions)
        self._markdown.reset()
        return fragment(self._markdown.convert(text))


# --- pages without Markdown -------------------------------------------------------------

#: Extensions whose output on a page of fragments and plain headings is what ``PageHtml``
#: writes: they act only on syntax such a page does not have (code fences, tables, lists...).
PLAIN_EXTENSIONS = frozenset(
    {
        "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes",
        "md_in_html", "sane_lists", "tables", "toc", "pymdownx.details",
        "pymdownx.highlight", "pymdownx.superfences", "pymdownx.tabbed",
    }
)  # fmt: skip
#: Options of the ``toc`` extension that ``PageHtml`` follows.
TOC_OPTIONS = frozenset(
    {"permalink", "permalink_title", "permalink_class", "slugify", "separator", "toc_depth"}
)
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*")
_ABBREVIATION = re.compile(r"\*\[[^\]\n]+\]:.*")


@dataclass(frozen=True)
class PageHtml:
    """Writes a page made only of fragments and headings as Python-Markdown would, without
    parsing it: headings get the ``toc`` extension's ids, permalinks and table of contents.

    ``for_site`` gives one only when every Markdown extension of the site is one whose
    output such a page does not depend on; a page with any other line is left to MkDocs.
    """

    slugify: Callable[[str, str], str]
    separator: str = "-"
    permalink: str | None = None  # the permalink's HTML, None for no permalink
    permalink_title: str = "Permanent link"
    permalink_class: str = "headerlink"
    depth: int = 6

    @classmethod
    def for_site(cls, extensions: Sequence[object], configs: dict[str, Any]) -> PageHtml | None:
        if "toc" not in extensions:
            return None
        for ext in extensions:
            if not isinstance(ext, FragmentExtension | str) or (
                isinstance(ext, str) and ext not in PLAIN_EXTENSIONS
            ):
                return None
        toc = dict(configs.get("toc") or {})
        if not set(toc) <= TOC_OPTIONS or not isinstance(toc.get("toc_depth", 6), int):
            return None
        permalink = toc.get("permalink", False)
        return cls(
            slugify=toc.get("slugify", toc_ext.slugify),
            separator=str(toc.get("separator", "-")),
            permalink=(
                None
                if permalink in (False, None)
                else "&para;"
                if permalink is True
                else html.escape(str(permalink), quote=False)
            ),
            permalink_title=str(toc.get("permalink_title", "Permanent link")),
            permalink_class=str(toc.get("permalink_class", "headerlink")),
            depth=int(toc.get("toc_depth", 6)),
        )

    def convert(self, text: str, inline: InlineHtml) -> Converted | None:
        """The page's HTML, or None when it has anything but fragments and headings."""
        parts: list[str] = []
        tokens: list[Any] = []  # the toc extension's tokens (a TypedDict in its stubs)
        anchors: set[str] = set()
        used: set[str] = set()
        counters: dict[str, int] = {}
        title: str | None = None
        block: list[str] | None = None
        for line in text.split("\n"):
            if block is not None:
                if line == CLOSE:
                    parts.append("\n".join(block))
                    anchors.update(_ID.findall(parts[-1]))
                    block = None
                else:
                    block.append(line)
            elif line == OPEN:
                block = []
            elif not line.strip() or _ABBREVIATION.fullmatch(line):
                continue
            elif (m := _HEADING.fullmatch(line)) and _plain_heading(m.group(2)):
                level, inner = len(m.group(1)), inline.markdown(m.group(2))
                name = toc_ext.strip_tags(inner)
                slug = toc_ext.unique(
                    self.slugify(html.unescape(name), self.separator), used, counters
                )
                anchors.add(slug)
                if level == 1 and not parts:
                    title = html.unescape(name)
                if level <= self.depth:
                    tokens.append({"level": level, "id": slug, "name": name, "html": inner})
                    tokens[-1]["data-toc-label"] = ""
                link = (
                    f'<a class="{_attr(self.permalink_class)}" href="#{_attr(slug)}"'
                    f' title="{_attr(self.permalink_title)}">{self.permalink}</a>'
                    if self.permalink is not None
                    else ""
                )
                parts.append(f'<h{level} id="{_attr(slug)}">{inner}{link}</h{level}>')
            else:
                return None
        if block is not None:
            return None
        return Converted("\n".join(parts), toc_ext.nest_toc_tokens(tokens), title, anchors)


@dataclass
class Conversion:
    """What a build's generated pages are converted with."""

    extension: FragmentExtension
    inline: InlineHtml
    page_html: PageHtml | None = None


@dataclass(frozen=True)
class Converted:
    """What converting a page gives MkDocs: HTML, table of contents, title, anchors."""

    html: str
    toc_tokens: list[Any]
    title: str | None
    anchors: set[str]


def _plain_heading(text: str) -> bool:
    """A heading whose text Python-Markdown takes as it is (no closing #, no attributes)."""
    return bool(text) and not text.endswith("#") and "{" not in text


def _attr(value: str) -> str:
    return html.escape(value, quote=True).replace("&#x27;", "'")
