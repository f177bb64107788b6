"""The site as its readers read it: a CEO at a desktop (1,366 px), a VP of Sales on a phone
(390 px), in the light and the dark scheme, by keyboard and by touch, with axe-core checking
every page. Each test is one promise of issue 17, so that the site cannot slide back.

The pages are visited three times (desktop light, desktop dark, phone) and every measurement is
collected on the way (``visits``); the tests then judge them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from .harness import (
    PageSession,
    TextSize,
    audit,
    cells_off_screen,
    diagram_text_sizes,
    mkdocs_build,
    serve_directory,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DESKTOP, PHONE = (1366, 900), (390, 844)
#: The smallest text a diagram may draw, in CSS pixels on screen.
MIN_TEXT_PX = 11
#: Words of the authors' tools that a reader's page must not use.
JARGON = re.compile(r"\b(?:orphans?|rungs?)\b|\w\(s\)", re.I)
#: Terms of the method that a page must explain (a glossary term, marked) when it uses them.
METHOD_TERMS = (
    "outcome metric",
    "leading metric",
    "activity metric",
    "Radar",
    "Advocate",
    "Coverage",
    "Conversion",
    "Commitment",
    "Ladder",
)

_ARTICLE_JS = """
() => {
  const article = document.querySelector("article");
  return {
    text: article ? article.innerText : "",
    terms: Array.from(document.querySelectorAll("article abbr"), (a) => a.textContent.trim()),
    diagrams: document.querySelectorAll("pre.mermaid, div.mermaid").length,
    width: document.documentElement.scrollWidth,
  };
}
"""

#: Each diagram's box: whether it scrolls, and whether it says so when it does.
_DIAGRAM_BOXES_JS = """
() => Array.from(document.querySelectorAll(".playbook-diagram"), (box) => ({
  scrolls: box.scrollWidth > box.clientWidth + 1,
  overflow: getComputedStyle(box).overflowX,
  hint: getComputedStyle(box, "::after").content,
}))
"""


@dataclass
class Visit:
    """What one page showed: its text, its diagrams' text sizes, axe's findings, requests."""

    text: str = ""
    terms: list[str] = field(default_factory=list)
    diagrams: int = 0
    sizes: list[TextSize] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    off_screen: list[str] = field(default_factory=list)
    width: int = 0
    boxes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Visits:
    desktop: dict[str, Visit]
    dark: dict[str, Visit]
    phone: dict[str, Visit]
    offhost: list[str]
    errors: list[str]


def html_pages(site: Path) -> list[str]:
    """The site's pages; not the theme's 404 page, whose links are absolute to ``site_url``
    (it works only where the site is published)."""
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html"
    )


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as base_url:
        yield base_url


def _visit(session: PageSession, url: str) -> Visit:
    start = len(session.requests)
    session.goto(url)
    found = session.page.evaluate(_ARTICLE_JS)
    return Visit(
        text=str(found["text"]),
        terms=[str(t) for t in found["terms"]],
        diagrams=int(found["diagrams"]),
        sizes=diagram_text_sizes(session.page),
        requests=session.requests[start:],
        width=int(found["width"]),
    )


@pytest.fixture(scope="module")
def visits(browser: Browser, site_dir: Path, site_url: str, axe_js: Path) -> Visits:
    pages = html_pages(site_dir)
    out = Visits({}, {}, {}, [], [])
    for scheme, viewport, into in (
        ("light", DESKTOP, out.desktop),
        ("dark", DESKTOP, out.dark),
        ("light", PHONE, out.phone),
    ):
        with PageSession(browser, viewport, color_scheme=scheme) as session:  # type: ignore[arg-type]
            for path in pages:
                visit = into[path] = _visit(session, site_url + path)
                if viewport == DESKTOP:
                    visit.violations = audit(session.page, axe_js)
                else:
                    visit.off_screen = cells_off_screen(session.page)
                    visit.boxes = list(session.page.evaluate(_DIAGRAM_BOXES_JS))
            out.offhost += session.offhost_requests
            out.errors += session.console_errors + session.page_errors
    return out


# --- every diagram legible -------------------------------------------------------------------


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_diagram_text_is_drawn_at_11_px_or_more(visits: Visits, device: str) -> None:
    seen = getattr(visits, device)
    small = [
        f"{path}: {t.px:.1f} px {t.text!r}"
        for path, visit in seen.items()
        for t in visit.sizes
        if t.px < MIN_TEXT_PX
    ]
    assert small == []
    drawn = [path for path, visit in seen.items() if visit.sizes]
    assert len(drawn) >= 40, "diagrams were not measured"  # the sample has 44 diagram pages
    assert all(v.diagrams for v in seen.values() if v.sizes)


def test_a_diagram_wider_than_a_phone_scrolls_in_its_box_and_says_so(visits: Visits) -> None:
    boxes = [(path, box) for path, visit in visits.phone.items() for box in visit.boxes]
    scrolling = [(path, box) for path, box in boxes if box["scrolls"]]
    assert scrolling, "no diagram is wider than a phone: the test measures nothing"
    for path, box in scrolling:
        assert box["overflow"] == "auto", path
        assert "Scroll the diagram sideways" in box["hint"], path


def test_the_overview_is_one_diagram_per_success_factor(visits: Visits, site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    factors = re.findall(r'<h3 id="ladder-([a-z0-9-]+)"', home)
    assert len(factors) == 5
    assert visits.desktop["index.html"].diagrams == 5


# --- the synchronization matrix --------------------------------------------------------------


def test_synchronization_matrix_bars_open_their_plans(browser: Browser, site_url: str) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(site_url + "schedule/index.html", wait_for_mermaid=False)
        page = session.page
        rows = page.locator(".playbook-timeline li a")
        assert rows.count() == 17  # every dated plan of the sample
        label = page.locator(".playbook-timeline__label").first
        assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
        bar = page.locator(".playbook-timeline__bar").nth(5)
        box = bar.bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] >= 6
        href = bar.evaluate("e => e.closest('a').getAttribute('href')")
        bar.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(href.removeprefix("..").lstrip("/"))
        assert page.locator("article h1").first.inner_text()
        assert session.offhost_requests == []


# --- numbers on a phone ----------------------------------------------------------------------


def test_no_number_is_off_screen_on_a_phone(visits: Visits) -> None:
    off = {path: visit.off_screen for path, visit in visits.phone.items() if visit.off_screen}
    assert off == {}
    wide = {path: visit.width for path, visit in visits.phone.items() if visit.width > PHONE[0]}
    assert wide == {}


def test_phone_cards_name_each_number(browser: Browser, site_url: str) -> None:
    with PageSession(browser, PHONE) as session:
        session.goto(site_url + "waterfall/index.html", wait_for_mermaid=False)
        cell = session.page.locator('td[data-label="Needed a quarter"]').first
        assert cell.is_visible() and cell.inner_text() == "4,445"
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert "Needed a quarter" in label
        right = cell.evaluate("e => e.getBoundingClientRect().right")
        assert right <= PHONE[0]


# --- accessible --------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["desktop", "dark"])
def test_axe_finds_nothing_serious_on_any_page(visits: Visits, scheme: str) -> None:
    seen = getattr(visits, scheme)
    found = {path: visit.violations for path, visit in seen.items() if visit.violations}
    assert found == {}
    assert len(seen) >= 50


def test_glossary_definitions_open_by_keyboard(browser: Browser, site_url: str) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(site_url + "waterfall/index.html", wait_for_mermaid=False)
        page = session.page
        for _ in range(300):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "ABBR":
                break
        else:
            pytest.fail("Tab never reached a glossary term")
        term = page.evaluate("document.activeElement.textContent")
        assert _tooltip(page), f"no definition shown for {term!r}"


def test_glossary_definitions_open_by_touch(browser: Browser, site_url: str) -> None:
    with PageSession(browser, PHONE, touch=True) as session:
        session.goto(site_url + "waterfall/index.html", wait_for_mermaid=False)
        page = session.page
        term = page.locator("article p abbr[tabindex='0']").first
        term.scroll_into_view_if_needed()
        term.tap()
        assert _tooltip(page)


def _tooltip(page: Page) -> str:
    """The text of the tooltip Material shows, once it is shown (empty if none)."""
    tooltip = page.locator(".md-tooltip2--active")
    try:
        tooltip.first.wait_for(state="visible", timeout=3000)
    except Exception:
        return ""
    text = tooltip.first.inner_text()
    assert len(text) > 20, text  # a definition, not a title
    return text


# --- plain words -------------------------------------------------------------------------------


def test_reader_pages_use_no_authoring_jargon(visits: Visits) -> None:
    found = {
        path: sorted(set(JARGON.findall(visit.text)))
        for path, visit in visits.desktop.items()
        if JARGON.search(visit.text)
    }
    assert found == {}


def test_every_term_of_the_method_on_a_page_is_explained(visits: Visits) -> None:
    unexplained = []
    used = 0
    for path, visit in visits.desktop.items():
        if path == "glossary/index.html":
            continue  # the definitions themselves
        for term in METHOD_TERMS:
            if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", visit.text):
                used += 1
                if term not in visit.terms:
                    unexplained.append(f"{path}: {term}")
    assert used > 20
    assert unexplained == []


def test_lifecycle_stages_show_by_name(visits: Visits) -> None:
    customers = visits.desktop["customers/index.html"].text
    for name in ("Radar", "Opportunity", "Customer", "Advocate"):
        assert f"\n{name}\t" in customers or f"\n{name}\n" in customers, name
    plan = visits.desktop["plans/mkt-reference-stories/index.html"].text
    assert "Customer lifecycle stage: Advocate" in plan


# --- Mermaid only where a diagram is drawn; search and sitemap -----------------------------------


def test_mermaid_loads_only_on_pages_that_draw_a_diagram(visits: Visits) -> None:
    loads = {p: any("mermaid.min.js" in r for r in v.requests) for p, v in visits.desktop.items()}
    assert {p for p, loaded in loads.items() if loaded} == {
        p for p, v in visits.desktop.items() if v.diagrams
    }
    assert sum(not loaded for loaded in loads.values()) >= 8  # the views draw no diagram
    assert visits.offhost == []
    assert visits.errors == []


def test_search_index_holds_page_text_never_diagram_source(site_dir: Path) -> None:
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    diagram = re.compile(r"flowchart|click n\d|--&gt;|-->|useMaxWidth")
    source = [d["location"] for d in docs if diagram.search(d["text"])]
    assert source == []
    texts = " ".join(d["text"] for d in docs)
    assert "8-bit demand engine" in texts and "Marketing qualified lead" in texts


def test_sitemap_lists_every_page(site_dir: Path) -> None:
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    site_url = "https://octet-microsystems.github.io/mission-playbook/"
    listed = set(re.findall(rf"<loc>{re.escape(site_url)}([^<]*)</loc>", sitemap))
    pages = {p.removesuffix("index.html") for p in html_pages(site_dir)}
    assert listed == pages


# --- the waterfall when Marketing is short -------------------------------------------------------


@pytest.fixture(scope="module")
def short_site(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Iterator[str]:
    """The sample with the seed's promise of 150 MQLs a month (PB012 set to a warning)."""
    project = tmp_path_factory.mktemp("short")
    shutil.copytree(REPO / "plans", project / "plans")
    shutil.copytree(REPO / "templates", project / "templates")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "severity: {}" in config
    (project / "mkdocs.yml").write_text(
        config.replace("severity: {}", "severity: {PB012: warning}"), encoding="utf-8"
    )
    sla = project / "plans" / "sla.yaml"
    text = sla.read_text(encoding="utf-8")
    assert "volume: 225 " in text
    sla.write_text(text.replace("volume: 225 ", "volume: 150 "), encoding="utf-8")
    site = mkdocs_build(project, project / "site", strict=False)
    with serve_directory(site) as base_url:
        yield base_url


def test_a_shortfall_carries_down_the_funnel_and_reaches_the_home_page(
    browser: Browser, short_site: str
) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(short_site + "index.html")
        home = session.page.locator("article").inner_text()
        assert "The commitments fall short of the revenue target" in home
        assert "Marketing commits 150 a month (450 a quarter)" in home
        assert "217 short" in home
        assert "225 of the 334 needed at Sales accepted lead (SAL)" in home
        assert "33 of the 50 needed at Design win" in home
        assert "1 warning" in home and "217 short" in home.split("1 warning", 1)[1]
        session.goto(short_site + "waterfall/index.html", wait_for_mermaid=False)
        page = session.page
        shorts = page.locator('td[data-label="Short"]').all_inner_texts()
        assert shorts == ["covered", "217 short", "109 short", "65 short", "17 short"]
        # commitments in their own period and the SLA's
        committed = page.locator('td[data-label="Committed"]').nth(1).inner_text()
        assert committed == "Marketing: 150 a month = 450 a quarter"
        text = page.locator("article").inner_text()
        assert "USD 10,000,000" in text.replace("\u00a0", " ")
        assert "computed exactly" in text


def test_the_sensitivity_tells_which_conversion_matters(browser: Browser, short_site: str) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(short_site + "waterfall/index.html", wait_for_mermaid=False)
        page = session.page
        fewer = page.locator('td[data-label="Fewer than the plan"]').all_inner_texts()
        assert fewer == ["278", "87", "73", "171"]  # not four equal rows
        closes = page.locator('td[data-label="Closes the shortfall at"]').all_inner_texts()
        assert closes[1:] == ["74.1%", "88.9%", "37.1%"]
        assert "Marketing qualified lead (MQL) is short" in closes[0]
        assert "than today" not in page.locator("article").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_funnel_chart_reads_in_both_schemes_down_to_the_last_stage(
    browser: Browser, short_site: str, scheme: str
) -> None:
    with PageSession(browser, DESKTOP, color_scheme=scheme) as session:  # type: ignore[arg-type]
        session.goto(short_site + "waterfall/index.html", wait_for_mermaid=False)
        page = session.page
        chart = page.locator(".playbook-funnel")
        widths = chart.locator(".playbook-funnel__bar--needed").evaluate_all(
            "bars => bars.map(b => b.getBoundingClientRect().width)"
        )
        assert len(widths) == 5 and widths[-1] >= 0.25 * widths[0]
        figures = chart.locator(".playbook-funnel__figure").all_inner_texts()
        assert "50 needed" in figures and "33 yielded, 17 short" in figures
        background = _luminance(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        for selector in (".playbook-funnel__bar--yield", ".playbook-funnel__bar--short"):
            bar = chart.locator(selector).first
            colour = bar.evaluate("e => getComputedStyle(e).backgroundColor")
            assert _contrast(_luminance(colour), background) >= 3, (selector, colour)
        size = chart.locator(".playbook-funnel__figure").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 14


def _luminance(css: str) -> float:
    """The relative luminance (WCAG) of an ``rgb()``/``rgba()`` colour on white or black."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    r, g, b = parts[:3]
    channels = []
    for c in (r, g, b):
        c /= 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _contrast(a: float, b: float) -> float:
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)
