"""Which plan files each page's Markdown reads (``plugin/reads.py``): under ``mkdocs serve``
a page is rendered again only when one of them, or what the whole playbook derives, changed;
whatever the edit, the Markdown is the Markdown a full render writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.test_plugin import FIXTURE, edit

from mission_playbook import load
from mission_playbook.model.config import read_plans
from mission_playbook.plugin.reads import PageReads, read_through, recording, site_key
from mission_playbook.views import pages

SAMPLE = Path(__file__).resolve().parent.parent / "plans"

ABM = "functions/marketing/mkt-abm.yaml"
PURSUITS = "functions/sales/sales-pursuits.yaml"

#: (what, file, old, new, whether fewer than all pages are rendered again)
EDITS = [
    ("a plan's title", ABM, "-based programs", "-based growth programs", True),
    ("a plan's owner", ABM, "function: marketing\n", "function: marketing\nowner: Lin\n", True),
    ("a plan's dates", PURSUITS, "end: 2027-12-31", "end: 2027-11-30", True),
    ("a metric's target", ABM, "target: 500000", "target: 600000", True),
    ("a dependency", PURSUITS, "depends_on: [mkt-campaigns]", "depends_on: [mkt-abm]", False),
    ("a plan's estimate", ABM, "supports: [est-mkt-accounts]", "supports: [est-mkt-demand]", False),
    (
        "a second estimate",
        ABM,
        "supports: [est-mkt-accounts]",
        "supports: [est-mkt-accounts, est-mkt-demand]",
        False,
    ),
    ("an estimate's title", "functions/marketing.yaml", "Demand capacity", "Demand room", True),
    ("a function's leader", "functions/marketing.yaml", "Grace Hopper", "Grace B. Hopper", True),
    ("a key task's title", "intent.yaml", "Win the top accounts", "Win named accounts", True),
    ("the mission", "mission.yaml", "default choice for new", "first choice for new", True),
    ("a conversion", "sla.yaml", "conversion: 0.5", "conversion: 0.25", False),
    ("a definition", "glossary.yaml", "committing a widget", "choosing a widget", False),
    ("a finding", PURSUITS, "supports: [est-sales-pursuit]", "supports: [est-mkt-accounts]", False),
]


def full_render(plans: Path) -> dict[str, str]:
    return pages.render_pages(load(plans), pages.Options())


def incremental(reads: PageReads, plans: Path) -> dict[str, str]:
    renderer = pages.Renderer(load(plans), pages.Options(shares=False))  # as the plugin does
    found = reads.render(renderer, read_plans(plans), renderer.pages())
    return {page.path: markdown for page, markdown in found}


def test_the_site_key_is_the_same_for_the_same_plans() -> None:
    first, second = (site_key(pages.Renderer(load(SAMPLE), pages.Options())) for _ in range(2))
    assert first and first == second


@pytest.mark.parametrize(("what", "file", "old", "new", "fewer"), EDITS, ids=[e[0] for e in EDITS])
def test_after_an_edit_every_page_is_what_a_full_render_writes(
    tmp_path: Path, what: str, file: str, old: str, new: str, fewer: bool
) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(FIXTURE / "plans", plans)
    reads = PageReads()
    assert incremental(reads, plans) == full_render(plans)
    total = reads.rendered
    edit(plans / file, old, new)
    assert incremental(reads, plans) == full_render(plans), what
    assert 0 < reads.rendered <= total
    assert (reads.rendered < total) == fewer


def test_an_edit_keeps_the_parts_of_the_order_it_does_not_touch(tmp_path: Path) -> None:
    """The whole order is rendered again after an edit to one plan, but each function's
    paragraph 3 (a ``part``) only for the edited plan's function; the page is still the
    page a full render writes."""
    plans = tmp_path / "plans"
    shutil.copytree(SAMPLE, plans)
    reads = PageReads()
    incremental(reads, plans)
    assert reads.parts_kept == 0
    functions = [f.id for f in load(plans).of_kind("function")]
    edited = plans / "functions/marketing/mkt-reference-stories.yaml"
    edit(edited, "title: Customer reference", "title: Customer proof")
    assert incremental(reads, plans) == full_render(plans)
    order = reads.kept["print.md"].parts
    executions = {
        key[1].split("\0")[2]: part for key, part in order.items() if key[0] == "execution"
    }
    assert sorted(executions) == sorted(f"n{f}" for f in functions)
    assert reads.parts_kept >= len(functions) - 1
    assert [f for f, part in executions.items() if str(edited) in part.reads] == ["nmarketing"]
    # a function's order has its own parts (its order shows fewer nodes: other arguments)
    assert not set(order) & set(reads.kept["print/marketing.md"].parts)


def test_a_part_outside_serve_is_the_macro_itself() -> None:
    renderer = pages.Renderer(load(SAMPLE), pages.Options())
    assert renderer.parts is None
    assert renderer.part("x", lambda a, b: f"{a}+{b}", 1, 2) == "1+2"


def test_every_page_reads_the_same_files_alone_as_after_the_others() -> None:
    """No value computed for one page and reused by the next hides the next page's reads."""
    playbook = load(SAMPLE)
    in_turn = pages.Renderer(playbook, pages.Options(shares=False))  # as under serve
    after_others: dict[str, set[str]] = {}
    with read_through(playbook.ladder):
        for page in in_turn.pages():
            with recording() as files:
                in_turn.render_page(page)
            after_others[page.path] = files
        for page in in_turn.pages():
            alone = pages.Renderer(playbook, pages.Options(shares=False))
            with recording() as files:
                alone.render_page(page)
            assert files == after_others[page.path], page.path
    assert len(after_others) > 40
    assert sum(1 for files in after_others.values() if files) > 40


def test_a_load_checks_again_only_the_files_that_changed(tmp_path: Path) -> None:
    """Under ``mkdocs serve`` the plugin keeps each file's checked documents between loads,
    and the What changed page's snapshot each node's fields."""
    from mission_playbook.compare.snapshot import snapshot
    from mission_playbook.model.config import Settings

    plans = tmp_path / "plans"
    shutil.copytree(FIXTURE / "plans", plans)
    settings = Settings(plans=plans, cache=False)
    kept: dict[str, Any] = {}
    fields: dict[Any, Any] = {}
    first = load(plans, settings, read_plans(plans), kept=kept)
    assert snapshot(first, fields) == snapshot(first)
    before = {r.documents[0].file: r for r in kept.values()}
    edit(plans / ABM, "type: outcome", "type: outcomes")  # a finding, in the edited file
    second = load(plans, settings, read_plans(plans), kept=kept)
    after = {r.documents[0].file: r for r in kept.values()}
    assert after.keys() == before.keys()
    changed = [f for f in after if after[f] is not before[f]]
    assert len(changed) == 1 and changed[0].endswith("mkt-abm.yaml")
    fresh = load(plans, settings)
    kept_fields = {id(record) for record, _ in fields.values()}
    assert snapshot(second, fields) == snapshot(fresh) != snapshot(first)
    # the What changed snapshot dumps again only the records of the edited file
    dumped = [r for r, _ in fields.values() if id(r) not in kept_fields]
    assert dumped and all(r.id.startswith("mkt-abm") for r in dumped)
    assert second.diagnostics == fresh.diagnostics and second.diagnostics


def test_a_functions_order_reads_no_plan_of_another_function() -> None:
    """So that an edit to one function's plan renders again the whole order and that
    function's order, not every function's (the largest pages of a site)."""
    playbook = load(SAMPLE)
    renderer = pages.Renderer(playbook, pages.Options(shares=False))
    page = next(p for p in renderer.pages() if p.path == "print/marketing.md")
    with read_through(playbook.ladder), recording() as files:
        renderer.render_page(page)
    plan_files = {p.doc.file for p in playbook.of_kind("plan")}
    mine = {p.doc.file for p in playbook.of_kind("plan") if p.function == "marketing"}
    named = {  # the plans of other functions the page names: those marketing's plans wait
        # for ("After:"), and those whose metrics the decision matrix's trip-wires watch
        *(
            d
            for p in playbook.of_kind("plan")
            if p.function == "marketing"
            for d in p.data.depends_on
        ),
        *(a.data.tripwire.metric for a in playbook.of_kind("assumption") if a.data.tripwire),
    }
    read_by_name = {playbook.nodes[n].doc.file for n in named if n in playbook.nodes}
    assert mine and mine <= files
    assert files & plan_files <= mine | read_by_name
    assert files & plan_files < plan_files  # the other plans are not read


DEMAND = "functions/marketing/mkt-demand-engine.yaml"
#: (what, file, old, new, whether the last collection of the check-ins is reused)
DERIVED_EDITS = [
    ("a plan's title", DEMAND, "title: 8-bit demand", "title: Eight-bit demand", True),
    ("a reported metric's target", DEMAND, "target: 225", "target: 240", False),
    (
        "a reported metric's period",
        DEMAND,
        "target: 1500\n    per: month",
        "target: 1500\n    per: quarter",
        False,
    ),
    ("a value", "actuals/2027-03-31.yaml", "value: 1610", "value: 1620", False),
    (
        "an unknown metric",
        "actuals/2027-03-31.yaml",
        "metric: sf-design-wins",
        "metric: sf-nothing",
        False,
    ),
]


@pytest.mark.parametrize(
    ("what", "file", "old", "new", "reused"), DERIVED_EDITS, ids=[e[0] for e in DERIVED_EDITS]
)
def test_a_load_reuses_the_actuals_only_while_what_they_read_is_the_same(
    tmp_path: Path, what: str, file: str, old: str, new: str, reused: bool
) -> None:
    """Under ``mkdocs serve`` a load reuses the last collection of the check-ins while the
    check-in files and the metrics they report are unchanged: the actuals, statuses and
    findings are then those of a fresh load, as after any other edit."""
    from mission_playbook.model.config import Settings
    from mission_playbook.plugin.reads import value

    plans = tmp_path / "plans"
    shutil.copytree(SAMPLE, plans)
    settings = Settings(plans=plans, cache=False)
    kept: dict[str, Any] = {}
    derived: dict[str, Any] = {}
    first = load(plans, settings, read_plans(plans), kept=kept, derived=derived)
    assert "checkins" in derived and first.actuals.readings
    edit(plans / file, old, new)
    second = load(plans, settings, read_plans(plans), kept=kept, derived=derived)
    fresh = load(plans, settings)
    assert (second.actuals is first.actuals) == reused, what
    points = [s.points for s in second.statuses.by_id.values() if s.points]
    before = [s.points for s in first.statuses.by_id.values()]
    assert points and any(points[0] is p for p in before) == reused  # judged again, or not

    def shown(playbook: Any) -> list[str]:
        out: list[str] = []
        value([playbook.actuals, playbook.statuses, playbook.funnels], out)
        return out

    assert shown(second) == shown(fresh)
    assert second.diagnostics == fresh.diagnostics
