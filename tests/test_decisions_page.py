"""The Decisions page (the decision support matrix and the critical information list) and the
notices of pages resting on a tripped assumption, rendered in-process from the sample (whose
``asm-mql-to-sal`` tripped in February, with the branch plan ``sales-inside-first-review``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.test_assumptions import BRANCH, FUNCTION, plan_a

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
    assert (
        'href="../../decisions/#asm-mql-to-sal"' in rendered["plans/sales-inside-first-review.md"]
    )


def test_without_assumption_nodes_there_is_no_decisions_page(check, base):
    pb = check(base)
    assert "decisions.md" not in pages.render_pages(pb)
    views = next(item["Views"] for item in navigation(pb) if "Views" in item)
    assert {"Decisions": "decisions.md"} not in views


# --- notices ---------------------------------------------------------------------------------

NOTICE = '<div class="admonition danger playbook-notice">'


def notices(text: str) -> list[str]:
    """The notices of a page: each admonition of class playbook-notice, as its HTML."""
    found = []
    for part in text.split('class="admonition ')[1:]:
        if part.split('"', 1)[0].endswith("playbook-notice"):
            found.append(part[: part.index("</div>")])
    return found


def test_the_function_and_its_plans_rest_on_the_tripped_assumption(rendered):
    for page in (
        "functions/sales.md",
        "plans/sales-lead-acceptance.md",
        "plans/sales-account-plans.md",
    ):
        found = notices(rendered[page])
        assert len(found) == 1, page
        notice = found[0]
        assert "Assumption tripped: a decision is due" in notice
        assert "36 percent (2027-03), below 40 percent, since 2027-02-28" in notice
        assert "Tom Becker" in notice and "by 2027-04-12" in notice
        assert 'decisions/#asm-mql-to-sal">See the decision.</a>' in notice
    # the notice comes before the page's own content
    text = rendered["functions/sales.md"]
    assert text.index("playbook-notice") < text.index("## Mission analysis")


def test_pages_resting_on_no_tripped_assumption_have_no_notice(rendered):
    for page in (
        "functions/marketing.md",
        "plans/mkt-demand-engine.md",
        "functions/customer-success.md",
    ):
        assert notices(rendered[page]) == [], page


def test_the_branch_plan_says_whose_branch_plan_it_is_and_that_it_is_triggered(rendered):
    found = notices(rendered["plans/sales-inside-first-review.md"])
    assert len(found) == 1  # its own assumption once, as a branch plan
    assert "Branch plan, triggered" in found[0]
    assert "<strong>triggered</strong>" in found[0]
    assert 'function <a href="../../functions/sales/">Sales</a>' in found[0]


def test_a_dormant_branch_plan_says_so_and_no_page_has_a_tripped_notice(check, base):
    pb = check(
        {
            **base,
            "functions/marketing.yaml": FUNCTION,
            "functions/marketing/plan-a.yaml": plan_a(),
            "functions/marketing/plan-b.yaml": BRANCH,
        }
    )
    rendered = pages.render_pages(pb)
    found = notices(rendered["plans/plan-b.md"])
    assert len(found) == 1 and "Branch plan, dormant" in found[0]
    assert "<strong>dormant</strong>" in found[0] and "untested so far" in found[0]
    assert notices(rendered["plans/plan-a.md"]) == notices(rendered["functions/marketing.md"]) == []


def test_the_home_page_counts_tripped_assumptions_and_decisions_due(rendered):
    text = rendered["index.md"]
    section = text[text.index("## Decisions") : text.index("## Health of the playbook")]
    assert "1 assumption tripped, 1 decision due" in section
    assert '<a href="decisions/#asm-mql-to-sal">' in section
    assert "decides by 2027-04-12" in section


def test_assumption_nodes_are_listed_with_their_state_and_text_ones_as_they_are(rendered):
    text = rendered["functions/sales.md"]
    assert "- The opportunity-to-win rate stays at 25 percent while volume grows.\n" in text
    assert "(**tripped**: [trip-wire and decision](../decisions.md#asm-mql-to-sal))" in text
    assert "(untested: [trip-wire and decision](../decisions.md#asm-transportation-budget))" in text
    assert "Assumption(" not in text and "Assumption(" not in rendered["index.md"]


def test_the_synchronization_matrix_lists_a_dormant_branch_plan_apart(check, base):
    dated = BRANCH.replace("branch_of:", "start: 2027-04-01\nend: 2027-06-30\nbranch_of:")
    pb = check(
        {
            **base,
            "functions/marketing.yaml": FUNCTION,
            "functions/marketing/plan-a.yaml": plan_a(),
            "functions/marketing/plan-b.yaml": dated,
        }
    )
    text = pages.render_pages(pb)["schedule.md"]
    waiting = text[text.index("## Branch plans waiting") :]
    assert "[Plan B](plans/plan-b.md)" in waiting
    assert "if [asm-a](decisions.md#asm-a) trips" in waiting
    assert "plan-b" not in text[: text.index("## Branch plans waiting")]
