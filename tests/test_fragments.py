"""HTML fragments in generated pages, and pages written without Python-Markdown.

The fast path must write exactly what MkDocs and Python-Markdown write for the same page:
the tests build the same site both ways and compare every file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.test_plugin import copy_fixture, edit
from tests.test_rebuild import pages_of

from mission_playbook.views import fragments, textsafe
from mission_playbook.views.fragments import CLOSE, OPEN, FragmentExtension, InlineHtml, PageHtml
from mission_playbook.views.glossary import Glossary

ABM = Path("plans/functions/marketing/mkt-abm.yaml")


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    yield


def build_both_ways(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, str], dict[str, str], int]:
    """The site built with pages written directly and by Python-Markdown; how many were."""
    written: list[int] = []
    convert = PageHtml.convert

    def counting(self: PageHtml, text: str, inline: InlineHtml) -> Any:
        done = convert(self, text, inline)
        written.append(done is not None)
        return done

    with monkeypatch.context() as m:
        m.setattr(PageHtml, "convert", counting)
        build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "fast")))
    with monkeypatch.context() as m:
        m.setattr(PageHtml, "for_site", classmethod(lambda cls, *args: None))
        build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "markdown")))
    return pages_of(tmp_path / "fast"), pages_of(tmp_path / "markdown"), sum(written)


SETTINGS = [
    ("      permalink: true", True),
    ("      permalink: '#'\n      permalink_title: Link here\n      toc_depth: 2", True),
    ("      permalink: false", True),
    ("      permalink: true", False),
]


@pytest.mark.slow  # builds the site twice for each setting
@pytest.mark.parametrize(("toc", "directory_urls"), SETTINGS)
def test_pages_written_directly_are_what_python_markdown_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toc: str, directory_urls: bool
) -> None:
    root = copy_fixture(tmp_path / "small")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - toc:\n      permalink: true" in config
    edit(root / "mkdocs.yml", "  - toc:\n      permalink: true", f"  - toc:\n{toc}")
    if not directory_urls:
        edit(root / "mkdocs.yml", "docs_dir: plans", "docs_dir: plans\nuse_directory_urls: false")
    # a title with inline Markdown, a glossary term, characters to escape, and a heading
    # named like a section below it (the ids must come out unique the same way)
    edit(
        root / ABM,
        "title: Account-based programs",
        'title: "Metrics: `ABM` *plays* for each MQL & <team> R&D"',
    )
    fast, slow, written = build_both_ways(root, tmp_path, monkeypatch)
    assert written >= 3  # the plan pages
    assert fast.keys() == slow.keys()
    for path, html in slow.items():
        assert fast[path] == html, path
    page = fast["plans/mkt-abm/index.html" if directory_urls else "plans/mkt-abm.html"]
    assert "<code>ABM</code> <em>plays</em>" in page and '<abbr tabindex="0" title=' in page
    supports = '<li><strong>Supports:</strong> <a href="../../estimates/'
    assert supports in page if directory_urls else '<a href="../estimates/' in page
    assert not broken_links(tmp_path / "fast"), broken_links(tmp_path / "fast")[:5]


def broken_links(site: Path) -> list[str]:
    """Relative links of the built pages that name no file of the site."""
    broken = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8")):
            path = re.split(r"[#?]", href)[0]
            if not path or path.startswith("/") or re.match(r"[A-Za-z][\w+.-]*:", path):
                continue  # this page, the site root or another site
            target = (page.parent / path).resolve()
            if path.endswith("/") or path.rsplit("/", 1)[-1] in (".", ".."):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href}")
    return broken


def test_a_page_with_markdown_is_left_to_python_markdown() -> None:
    style = PageHtml(slugify=markdown.extensions.toc.slugify)
    inline = InlineHtml()
    assert style.convert(f"# Title\n\n{OPEN}\n<p>x</p>\n{CLOSE}\n", inline) is not None
    assert style.convert("# Title\n\nSome *text*.\n", inline) is None
    assert style.convert(f"# Title\n{OPEN}\n<p>never closed</p>\n", inline) is None
    assert style.convert("# Title {: #custom }\n", inline) is None
    assert style.convert("# Title ends in C#\n", inline) is None


def test_only_extensions_that_such_pages_do_not_use_allow_the_direct_path() -> None:
    toc = {"toc": {"permalink": True}}
    assert PageHtml.for_site(["toc", "tables", FragmentExtension()], toc) is not None
    assert PageHtml.for_site(["tables"], {}) is None  # no toc: headings get no ids
    assert PageHtml.for_site(["toc", "pymdownx.emoji"], toc) is None  # changes plain text
    assert PageHtml.for_site(["toc", object()], toc) is None  # an extension object
    assert PageHtml.for_site(["toc"], {"toc": {"baselevel": 2}}) is None
    assert PageHtml.for_site(["toc"], {"toc": {"toc_depth": "2-4"}}) is None


def convert(text: str, *extensions: Any) -> str:
    return markdown.markdown(text, extensions=["pymdownx.superfences", *extensions])


def test_marked_html_is_passed_through_and_its_ids_collected() -> None:
    ext = FragmentExtension()
    table = '<table>\n<tr><td id="m1">*not emphasis*</td></tr>\n</table>'
    page = f"Intro\n\n{OPEN}\n{table}\n{CLOSE}\n"
    html = convert(page, ext)
    assert '<td id="m1">*not emphasis*</td>' in html and "<!--" not in html
    assert ext.anchors == {"m1"}
    # without the extension the markers are comments around raw HTML: the same page
    assert '<td id="m1">*not emphasis*</td>' in convert(page)


def test_markers_inside_a_code_block_stay_code() -> None:
    page = f"```\n{OPEN}\n<b>x</b>\n{CLOSE}\n```\n"
    html = convert(page, FragmentExtension())
    assert "&lt;!-- playbook:html --&gt;" in html and "&lt;b&gt;" in html


def test_plan_text_cannot_forge_a_marker() -> None:
    safe = textsafe.markdown_block(f"{OPEN}\n<script>alert(1)</script>\n{CLOSE}")
    assert OPEN not in safe.splitlines()
    assert "<script>" not in convert(safe, FragmentExtension())


# Inline text: the escaped-only path and the Python-Markdown path write the same HTML.
TEXT = st.text(
    alphabet=st.sampled_from(list("ab MQL&<>*_`#-1.\\[]()!:'\"")), min_size=0, max_size=24
)
GLOSSARY = Glossary([("MQL", "Marketing qualified lead", ["MQLs"])])


@settings(max_examples=300, deadline=None)
@given(TEXT)
@example("*-*")  # not a rule: a rule repeats one character
@example("* * *")
def test_inline_html_is_what_python_markdown_writes(text: str) -> None:
    safe = textsafe.markdown_inline(text)
    expected = markdown.markdown(safe + "\n\n*[MQL]: Marketing qualified lead", extensions=["abbr"])
    if not (expected.startswith("<p>") and expected.endswith("</p>")) or "\n" in expected:
        expected = None  # Markdown made a block of it (a list, a heading): shown as text
    got = InlineHtml(GLOSSARY)(text)
    if expected is not None:
        assert got == expected[3:-4]
    assert "<script" not in got and "<p>" not in got


def test_one_line_is_never_a_block() -> None:
    inline = InlineHtml()
    assert inline("1. *first*") == "1. <em>first</em>"
    assert inline("# not a heading *x*") == "# not a heading <em>x</em>"
    assert inline("- not a list *x*") == "- not a list <em>x</em>"


def test_template_markdown_becomes_one_fragment() -> None:
    out = fragments.TemplateMarkdown()("---\n\n*Edit* this | page\n")
    assert out.strip().startswith(OPEN) and out.strip().endswith(CLOSE)
    assert "<hr />" in out and "<em>Edit</em>" in out


_REFERENCE = re.compile(f"^{re.escape(OPEN)}\n.*?^{re.escape(CLOSE)}$", re.S | re.M)
_PIECES = st.sampled_from(
    [OPEN, CLOSE, "\n", "text", " ", "<p>x</p>", f"x{OPEN}", f"{CLOSE}y", "\n\n\n"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_markdown_of_a_page_is_what_the_fragment_pattern_leaves(page: str) -> None:
    """``markdown_of`` finds fragments with ``str.find`` (the largest page is 8 MB): it
    leaves what the pattern it replaced leaves, whatever the markers' places."""
    from mission_playbook.views.fragments import markdown_of

    expected = _REFERENCE.sub("", page) if OPEN in page else page
    assert markdown_of(page) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["\n", "a", " ", "\n\n\n\n"]), max_size=40).map("".join))
def test_runs_of_blank_lines_become_one(text: str) -> None:
    from mission_playbook.views.pages import single_blank_lines

    assert single_blank_lines(text) == re.sub(r"\n{3,}", "\n\n", text)
