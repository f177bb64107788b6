"""Coverage and orphans have one definition (``checks/coverage.py``, docs/model.md "The
ladder"): on the edge cases where they once differed, the check (PB006, PB007), its summary
line, the coverage and home pages and the plan diff name the same nodes and counts.

Each case breaks the minimal playbook of ``conftest.py`` (mission sf-a ← key task kt-a ←
estimate est-a ← plan plan-a) in one way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from tests.conftest import BASE

from mission_playbook.checks import coverage
from mission_playbook.compare.diff import diff_playbooks
from mission_playbook.playbook import Playbook
from mission_playbook.views import pages, report
from mission_playbook.views.queries import Queries

PLAN = "functions/marketing/plan-a.yaml"
INTENT = "intent.yaml"

#: (file, text before, text after, the orphans, the uncovered nodes)
CASES = {
    "plan with an empty supports": (PLAN, "[est-a]", "[]", {"plan-a"}, {"est-a"}),
    "plan without supports": (PLAN, "supports: [est-a]\n", "", {"plan-a"}, {"est-a"}),
    "plan naming only an unknown id": (PLAN, "[est-a]", "[est-b]", {"plan-a"}, {"est-a"}),
    "plan naming only unknown ids": (PLAN, "[est-a]", "[est-b, est-c]", {"plan-a"}, {"est-a"}),
    "plan naming a key task": (PLAN, "[est-a]", "[kt-a]", {"plan-a"}, {"est-a"}),
    "plan naming an unknown id and a key task": (
        PLAN,
        "[est-a]",
        "[est-b, kt-a]",
        {"plan-a"},
        {"est-a"},
    ),
    "plan naming an estimate and an unknown id": (PLAN, "[est-a]", "[est-a, est-b]", set(), set()),
    "key task naming only an unknown id": (INTENT, "[sf-a]", "[sf-b]", {"kt-a"}, {"sf-a"}),
    "key task naming an estimate": (INTENT, "[sf-a]", "[est-a]", {"kt-a"}, {"sf-a"}),
    "key task with an empty supports": (INTENT, "[sf-a]", "[]", {"kt-a"}, {"sf-a"}),
}

QUOTED = re.compile(r"'([^']+)'")
LINKED = re.compile(r'<li><a href="\.\./[a-z]+/([^/"#]+)/">')
SUMMARY_RUNG = re.compile(r"(success factors|key tasks|estimates|plans) (\d+)/(\d+)")
TABLE_ROW = re.compile(
    r"<tr><td>(Success factors|Key tasks|Estimates|Plans)</td>"
    r'<td data-label="How many"[^>]*>(\d+)</td><td data-label="Linked"[^>]*>(\d+)</td>'
)


def found_by_the_check(playbook: Playbook, code: str) -> set[str]:
    """The node each finding of ``code`` is about (the first id its message quotes)."""
    return {QUOTED.findall(d.message)[0] for d in playbook.diagnostics if d.code == code}


def listed_on_the_coverage_page(playbook: Playbook) -> dict[str, set[str]]:
    """``{"orphan": ids, "uncovered": ids}`` as the coverage page lists them."""
    renderer = pages.Renderer(playbook)
    page = next(p for p in renderer.pages() if p.path == "coverage.md")
    text = renderer.render_page(page).split("## Findings of the check")[0]
    out: dict[str, set[str]] = {"orphan": set(), "uncovered": set()}
    which = {h: "uncovered" for h in Queries.UNCOVERED.values()}
    which.update({h: "orphan" for h in Queries.UNLINKED.values()})
    for section in text.split("\n## ")[1:]:
        heading, _, body = section.partition("\n")
        out[which[heading]] |= set(LINKED.findall(body))
    return out


def home_table(playbook: Playbook) -> dict[str, tuple[int, int]]:
    """``{rung: (count, linked)}`` from the home page's table."""
    renderer = pages.Renderer(playbook)
    home = renderer.render_page(renderer.pages()[0])
    return {rung.lower(): (int(n), int(linked)) for rung, n, linked in TABLE_ROW.findall(home)}


@pytest.mark.parametrize("case", CASES)
def test_the_check_the_summary_and_the_pages_agree(
    check: Callable[..., Playbook], case: str
) -> None:
    file, before, after, orphans, uncovered = CASES[case]
    assert before in BASE[file]
    intact = check(BASE)
    playbook = check({**BASE, file: BASE[file].replace(before, after)})

    # the one definition
    assert {n.id for n in coverage.orphans(playbook.ladder)} == orphans
    assert {n.id for n in coverage.uncovered(playbook.ladder)} == uncovered
    # the check
    assert found_by_the_check(playbook, "PB006") == orphans
    assert found_by_the_check(playbook, "PB007") == uncovered
    # the coverage page
    assert listed_on_the_coverage_page(playbook) == {"orphan": orphans, "uncovered": uncovered}
    # the summary line and the home page's table: plans count those linked up, the other
    # rungs those linked from below
    kinds = {"success factors": "success_factor", "key tasks": "key_task"}
    kinds |= {"estimates": "estimate", "plans": "plan"}
    summary = {
        rung: (int(n), int(total))
        for rung, n, total in SUMMARY_RUNG.findall(report.summary(playbook))
    }
    table = home_table(playbook)
    for rung, kind in kinds.items():
        nodes = {n.id for n in playbook.ladder.of_kind(kind)}
        unlinked = orphans if kind == "plan" else uncovered
        linked = len(nodes - unlinked)
        assert summary[rung] == (linked, len(nodes)), rung
        assert table[rung] == (len(nodes), linked), rung
    # the plan diff, from the intact playbook
    changes = diff_playbooks(intact, playbook).coverage
    assert {c.label: (c.after_covered, c.after_total) for c in changes} == summary


def test_a_supports_set_aside_by_the_schema_check_is_an_orphan_reported_once(
    check: Callable[..., Playbook],
) -> None:
    """Not a list of ids: the schema check's finding (PB002) stands for it; the pages and the
    summary still count the plan as not linked."""
    playbook = check({**BASE, PLAN: BASE[PLAN].replace("[est-a]", "{est-a: 1}")})
    assert [d.code for d in playbook.diagnostics] == ["PB007", "PB002"]
    assert {n.id for n in coverage.orphans(playbook.ladder)} == {"plan-a"}
    assert listed_on_the_coverage_page(playbook)["orphan"] == {"plan-a"}
    assert "plans 0/1" in report.summary(playbook)
