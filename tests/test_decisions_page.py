"""The Decisions page (the decision support matrix and the critical information list) and the
notices of pages resting on a tripped assumption, rendered in-process from the sample (whose
``asm-mql-to-sal`` tripped in February, with the branch plan ``sales-inside-first-review``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mission_playbook import load
from mission_playbook.playbook import Playbook
from mission_playbook.plugin import navigation
from mission_playbook.views import pages
from mission_playbook.views.queries import Queries

REPO = Path(__file__).resolve().parents[1]
ROW = re.compile(r'<tr id="([a-z0-9-]+)" class="playbook-(\w+)">')


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(REPO / "plans")


@pytest.fixture(scope="module")
def rendered(sample: Playbook) -> dict[str, str]:
    return pages.render_pages(sample)


def test_the_matrix_has_a_row_per_assumption_node_tripped_first(sample, rendered):
    text = rendered["decisions.md"]
    rows = ROW.findall(text)
    assert rows[0] == ("asm-mql-to-sal", "tripped")
    assert {state for _id, state in rows[1:]} <= {"holding", "untested"}
    assert sorted(i for i, _ in rows) == sorted(sample.assumptions.by_id)
    assert "<strong>1 tripped</strong> of 6 assumptions, 1 decision due, as of 2027-03-31" in text
    first = text[text.index('<tr id="asm-mql-to-sal"') :]
    first = first[: first.index("</tr>")]
    for shown in (
        "below 40 percent",  # the trip-wire, with the metric's unit
        "36 percent<br><small>2027-03</small>",  # the latest value and its period
        "<strong>Tripped</strong><br><small>since 2027-02-28</small>",  # in words
        "decision due",
        "Tom Becker",
        "2027-04-12",
        '<a href="../plans/sales-inside-first-review/">',
        "<small>triggered</small>",
    ):
        assert shown in first, shown


def test_an_untested_row_says_why(rendered):
    text = rendered["decisions.md"]
    row = text[text.index('<tr id="asm-transportation-budget"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>Untested</strong>" in row and "no actual since 2027-06-30" in row


def test_the_critical_information_list_names_each_watched_metric_once(sample, rendered):
    watched = Queries(sample).critical_information()
    ids = [w.metric.id for w in watched]
    assert ids[0] == "se-l2r-definitions-first-accept"  # a tripped assumption's first
    assert len(ids) == len(set(ids)) == 6
    first = watched[0]
    assert (first.latest, first.latest_on, first.status) == ("36 percent", "2027-03", "off track")
    assert "## Critical information" in rendered["decisions.md"]


def test_assumption_nodes_link_to_their_row_and_the_page_is_in_the_navigation(sample, rendered):
    views = next(item["Views"] for item in navigation(sample) if "Views" in item)
    assert {"Decisions": "decisions.md"} in views
    assert 'href="../decisions/#asm-mql-to-sal"' in rendered["plans/sales-inside-first-review.md"]


def test_without_assumption_nodes_there_is_no_decisions_page(check, base):
    pb = check(base)
    assert "decisions.md" not in pages.render_pages(pb)
    views = next(item["Views"] for item in navigation(pb) if "Views" in item)
    assert {"Decisions": "decisions.md"} not in views
