"""What the plugin adds to the theme's pages: Mermaid only where a diagram is drawn, diagram
source out of the search index, glossary terms that take the focus, a named search dialog."""

from __future__ import annotations

from mission_playbook.plugin import theme

PAGE = (
    '<html><body><div class="md-search" data-md-component="search" role="dialog">{}</div>\n'
    "{}</body></html>"
)


def test_mermaid_is_loaded_only_by_pages_with_a_diagram() -> None:
    with_diagram = PAGE.format("", '<pre class="mermaid" data-search-exclude><code>x</code></pre>')
    out = theme.load_mermaid(with_diagram, "../js/mermaid.min.js")
    assert out.endswith('<script src="../js/mermaid.min.js"></script>\n</body></html>')
    fenced = PAGE.format("", '<pre class="mermaid"><code>x</code></pre>')
    assert "mermaid.min.js" in theme.load_mermaid(fenced, "js/mermaid.min.js")
    plain = PAGE.format("", "<p>the word mermaid, and <pre><code>class=mermaid</code></pre></p>")
    assert theme.load_mermaid(plain, "js/mermaid.min.js") == plain


def test_diagram_source_is_marked_for_the_search_to_skip() -> None:
    html = '<pre class="mermaid"><code>flowchart LR</code></pre><pre class="x mermaid y"><code>'
    out = theme.unsearchable_diagrams(html)
    assert out.count("data-search-exclude") == 2
    assert theme.unsearchable_diagrams(out) == out  # once


def test_glossary_terms_take_the_focus_outside_links() -> None:
    html = '<p><abbr title="d">SLA</abbr> <a href="x">the <abbr title="d">SLA</abbr></a></p>'
    out = theme.focusable_terms(html)
    assert out == (
        '<p><abbr tabindex="0" title="d">SLA</abbr> '
        '<a href="x">the <abbr title="d">SLA</abbr></a></p>'
    )


def test_the_search_dialog_gets_a_name() -> None:
    out = theme.name_search_dialog(PAGE.format("", ""))
    assert 'role="dialog" aria-label="Search the playbook"' in out
