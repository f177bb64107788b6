"""The Decisions page and the notices, in Chromium on the real site (issue 19): the decision
support matrix with the tripped assumption first and marked in words, the notices that link
to it, the branch plan that says it is triggered, and the page on a phone and under axe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .harness import PageSession, audit, cells_off_screen, serve_directory

pytestmark = pytest.mark.browser

DESKTOP, PHONE = (1366, 900), (390, 844)


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as base_url:
        yield base_url


def test_the_matrix_puts_the_tripped_assumption_first_and_links_its_branch_plan(
    browser: Browser, site_url: str
) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(site_url + "decisions/index.html", wait_for_mermaid=False)
        page = session.page
        rows = page.locator(".playbook-decisions tbody tr")
        assert rows.count() == 6
        first = rows.first
        assert first.get_attribute("id") == "asm-mql-to-sal"
        state = first.locator('td[data-label="State"]').inner_text()
        assert state.startswith("Tripped") and "decision due" in state
        assert "36 percent" in first.locator('td[data-label="Latest"]').inner_text()
        states = [
            r.split("\n")[0] for r in page.locator('td[data-label="State"]').all_inner_texts()
        ]
        assert states[1:] == sorted(states[1:], key=lambda s: s != "Holding")  # then holding
        watched = page.locator(".playbook-critical tbody tr").first.inner_text()
        assert "MQLs accepted by Sales at first review" in watched and "off track" in watched
        first.locator('td[data-label="Branch plan"] a').click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/plans/sales-inside-first-review/")
        notice = page.locator(".playbook-notice")
        assert notice.count() == 1
        assert "Branch plan, triggered" in notice.inner_text()
        assert session.offhost_requests == [] and session.page_errors == []


def test_a_notice_on_the_function_leads_to_its_decision(browser: Browser, site_url: str) -> None:
    with PageSession(browser, DESKTOP) as session:
        session.goto(site_url + "functions/sales/index.html", wait_for_mermaid=False)
        page = session.page
        notice = page.locator(".playbook-notice").first
        assert notice.is_visible()
        assert "Assumption tripped: a decision is due" in notice.inner_text()
        heading = page.locator("article h2").first.bounding_box()
        box = notice.bounding_box()
        assert box is not None and heading is not None and box["y"] < heading["y"]
        notice.get_by_role("link", name="See the decision.").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/decisions/#asm-mql-to-sal")
        row = page.locator("tr#asm-mql-to-sal")
        assert row.is_visible() and "Tripped" in row.inner_text()


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [(DESKTOP, "light"), (DESKTOP, "dark"), (PHONE, "light")],
    ids=["desktop", "dark", "phone"],
)
def test_the_decisions_page_reads_on_a_phone_and_passes_axe(
    browser: Browser, site_url: str, axe_js: Path, viewport: tuple[int, int], scheme: str
) -> None:
    with PageSession(browser, viewport, color_scheme=scheme) as session:  # type: ignore[arg-type]
        session.goto(site_url + "decisions/index.html", wait_for_mermaid=False)
        assert audit(session.page, axe_js) == []
        if viewport == PHONE:
            assert cells_off_screen(session.page) == []
            width = session.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE[0]
