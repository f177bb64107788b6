"""The check is linear: the work it does per node is the same at any size, and a 10,000-node
synthetic playbook loads clean (that one with ``-m slow``).

Work is counted, not timed: every call of a function (Python's and C's, a generator resumed
counts too) while ``load`` runs, with the standard library's profiler, at two sizes. A check
that scans every node for each node calls something per pair of nodes, so its calls per node
grow with the size; a linear one's stay put. A scan without any call in it (``x in a_list``)
is not seen: the per-function counts catch the usual shapes (a helper or a generator run per
pair), and the failure names the functions that grew.
"""

from __future__ import annotations

import cProfile
import os
import pstats
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from mission_playbook.model import ladder as ladder_mod
from mission_playbook.playbook import load
from synthetic import AS_OF, FUNCTIONS, N_KEY_TASKS, N_SUCCESS_FACTORS, generate, shape

N = 10_000

#: How much more a function may be called per node at four times the size (sorting is
#: n log n: 1.26 from 200 to 800 nodes), and the whole check.
GROWTH_PER_FUNCTION = 1.5
GROWTH_IN_ALL = 1.15
#: Functions called fewer times than this at the small size are not compared one by one.
MIN_CALLS = 50


@dataclass(frozen=True, slots=True)
class Work:
    """The calls one ``load`` made, by function, and the nodes it loaded."""

    nodes: int
    calls: Counter[str]

    @property
    def per_node(self) -> float:
        return self.calls.total() / self.nodes


def work(n: int, folder: Path) -> Work:
    """Generate an ``n``-node playbook in ``folder`` and count the calls of loading it."""
    plans = generate(n, folder)
    cwd = os.getcwd()
    os.chdir(folder)  # file names in findings as a user's check shows them
    profile = cProfile.Profile()
    try:
        profile.enable()
        playbook = load(plans.relative_to(folder))
        profile.disable()
    finally:
        os.chdir(cwd)
    assert playbook.errors == 0
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    calls = Counter({pstats.func_std_string(f): row[1] for f, row in stats.items()})
    return Work(len(playbook.nodes), calls)


def grown(small: Work, big: Work) -> list[str]:
    """The functions whose calls per node grew from ``small`` to ``big``, most first."""
    size = big.nodes / small.nodes
    found = []
    for function, count in big.calls.items():
        before = small.calls.get(function, 0)
        if before < MIN_CALLS and count < big.nodes:  # too few to compare
            continue
        growth = count / size / max(before, 1)
        if growth > GROWTH_PER_FUNCTION:
            found.append((growth, f"{function}: {before:,} -> {count:,} calls ({growth:.1f}x)"))
    return [text for _, text in sorted(found, reverse=True)]


def test_the_check_does_the_same_work_per_node_at_any_size(tmp_path: Path):
    # a first load in the process: cProfile names the callers of functions made at run time
    # (dataclasses' __hash__) only from their second profile on
    work(40, tmp_path / "warm")
    small, big = work(200, tmp_path / "small"), work(800, tmp_path / "big")
    assert big.nodes > 3.5 * small.nodes
    assert grown(small, big) == []
    assert big.per_node <= small.per_node * GROWTH_IN_ALL, (small.per_node, big.per_node)


def test_counting_the_work_finds_a_check_that_visits_every_node_per_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The measure above can fail: a link step that looks at every node of its kind for each
    node (a generator run per pair) is named."""
    link = ladder_mod.link

    def quadratic(ladder: ladder_mod.Ladder) -> None:
        for _node in ladder.nodes.values():
            sum(1 for _ in ladder.nodes.values())  # every node again, per node
        link(ladder)

    monkeypatch.setattr(ladder_mod, "link", quadratic)
    small, big = work(60, tmp_path / "small"), work(240, tmp_path / "big")
    found = grown(small, big)
    assert found and "test_scale.py" in found[0] and "(<genexpr>)" in found[0], found
    assert big.per_node > small.per_node * GROWTH_IN_ALL


@pytest.mark.slow
def test_a_10000_node_playbook_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    plans = generate(N, tmp_path / "pb")
    pb = load(plans)

    assert [str(d) for d in pb.diagnostics if d.severity.value == "error"] == []
    assert pb.errors == 0
    estimates, plan_count = shape(N)
    counts = {k: len(pb.of_kind(k)) for k in ("success_factor", "key_task", "estimate", "plan")}
    assert counts == {
        "success_factor": N_SUCCESS_FACTORS,
        "key_task": N_KEY_TASKS,
        "estimate": estimates,
        "plan": plan_count,
    }
    assert sum(counts.values()) == N
    assert len(pb.of_kind("function")) == len(FUNCTIONS)
    assert all(rung.covered == rung.total for rung in pb.coverage())
    # + sla and glossary, and a check-in per month to the as-of date
    assert len(pb.files) == 1 + 1 + len(FUNCTIONS) + plan_count + 2 + AS_OF.month
    assert pb.as_of == AS_OF


def test_nodes_by_kind_follow_the_nodes_added_after_a_first_question(tmp_path: Path) -> None:
    """``Ladder.of_kind`` answers from an index by kind, made again once nodes were added."""
    playbook = load(generate(40, tmp_path))
    ladder = playbook.ladder
    plans = list(ladder.of_kind("plan"))
    assert plans == [n for n in ladder.nodes.values() if n.kind == "plan"]
    extra = ladder_mod.Node("plan", "extra-plan", plans[0].data, plans[0].doc)
    ladder.nodes[extra.id] = extra
    assert list(ladder.of_kind("plan")) == [*plans, extra]
    assert list(ladder.of_kind("no-such-kind")) == []
