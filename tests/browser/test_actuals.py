"""Actual results in the real site (issue 18), in headless Chromium: statuses show in words
with their figures, the charts over time render as XY charts, the badges keep AA contrast in
both schemes, the home page leads with the headline and the waterfall names the lapse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser

from .harness import PageSession, serve_directory

pytestmark = pytest.mark.browser

STATUS_WORDS = {"on track", "at risk", "off track", "no data"}

#: Every rendered XY chart of the page (Material draws Mermaid in shadow roots): its bars and
#: the texts it draws.
_CHARTS_JS = """
() => {
  const out = [];
  const visit = (root) => {
    for (const svg of root.querySelectorAll("svg")) {
      if (svg.getAttribute("aria-roledescription") === "xychart") {
        out.push({
          bars: svg.querySelectorAll(".bar-plot-0 rect").length,
          lines: svg.querySelectorAll(".line-plot-1 path").length,
          texts: Array.from(svg.querySelectorAll("text"), (t) => t.textContent.trim()),
        });
      }
    }
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) visit(el.shadowRoot);
  };
  visit(document);
  return out;
}
"""

#: Each status badge's words and the contrast of its text on its own background.
_BADGES_JS = """
() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  return Array.from(document.querySelectorAll("article .playbook-status"), (el) => {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(background(el)));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return { text: el.textContent.trim(), ratio, visible: el.offsetWidth > 0 };
  });
}
"""


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as base_url:
        yield base_url


def visit(browser: Browser, url: str, scheme: Literal["light", "dark"] = "light") -> Any:
    """The page's article text, its badges and its XY charts once Mermaid has drawn."""
    with PageSession(browser, color_scheme=scheme) as session:
        assert session.goto(url) == 200
        if scheme == "dark":  # Material follows the palette toggle, not only the media query
            session.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        text = session.page.inner_text("article")
        badges = session.page.evaluate(_BADGES_JS)
        charts = session.page.evaluate(_CHARTS_JS)
        assert session.page_errors == [] and session.console_errors == []
        assert session.offhost_requests == []
    return text, badges, charts


def test_a_success_factor_shows_its_status_figures_and_chart(
    browser: Browser, site_url: str
) -> None:
    text, badges, charts = visit(browser, f"{site_url}/factors/sf-design-wins/")
    assert "Status" in text and "Expected to date" in text and "As of 2027-03-31" in text
    assert badges and {b["text"] for b in badges} <= STATUS_WORDS
    assert all(b["visible"] for b in badges)
    # the three check-ins of the sample: three bars and a line against what was expected
    assert len(charts) == 1
    assert charts[0]["bars"] == 3 and charts[0]["lines"] >= 1
    assert "Actual against expected" in charts[0]["texts"]


def test_a_plan_shows_each_metric_with_owner_call_and_note(browser: Browser, site_url: str) -> None:
    text, badges, charts = visit(browser, f"{site_url}/plans/se-l2r-definitions/")
    assert "off track" in {b["text"] for b in badges}
    assert "Owner's call" in text
    assert "A third of MQLs are accepted at first review" in text  # the owner's note
    assert charts and all(c["bars"] >= 2 for c in charts)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_keep_aa_contrast(browser: Browser, site_url: str, scheme: str) -> None:
    _, badges, _ = visit(browser, f"{site_url}/scorecard/", scheme)  # type: ignore[arg-type]
    words = {b["text"] for b in badges}
    assert {"on track", "off track"} <= words <= STATUS_WORDS
    low = [(b["text"], round(b["ratio"], 2)) for b in badges if b["ratio"] < 4.5]
    assert low == []


def test_home_leads_with_the_headline_and_the_scorecard_orders_worst_first(
    browser: Browser, site_url: str
) -> None:
    home, _, _ = visit(browser, f"{site_url}/")
    assert re.search(r"As of 2027-03-31: \d of 5 success factors on track", home)
    with PageSession(browser) as session:
        assert session.goto(f"{site_url}/scorecard/", wait_for_mermaid=False) == 200
        first = session.page.locator("article table").first  # the success factors
        column = [c.strip() for c in first.locator("tbody tr > td:first-child").all_inner_texts()]
    order = {"off track": 0, "at risk": 1, "on track": 2, "no data": 3}
    assert len(column) == 5  # every success factor of the sample
    assert [order[w] for w in column] == sorted(order[w] for w in column)
    assert column[0] == "off track"


def test_the_waterfall_names_the_lapse_with_both_owners(browser: Browser, site_url: str) -> None:
    text, _, _ = visit(browser, f"{site_url}/waterfall/")
    lapse = re.search(r"The lapse: (.*)", text)
    assert lapse is not None
    assert "(Marketing)" in lapse.group(1) and "(Sales)" in lapse.group(1)
    assert "Re-forecast" in text
