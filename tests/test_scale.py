"""The check is linear: a 10,000-node synthetic playbook loads clean (run with ``-m slow``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mission_playbook.playbook import load
from synthetic import AS_OF, FUNCTIONS, N_KEY_TASKS, N_SUCCESS_FACTORS, generate, shape

N = 10_000


@pytest.mark.slow
def test_a_10000_node_playbook_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    plans = generate(N, tmp_path / "pb")
    generated = time.perf_counter() - started

    started = time.perf_counter()
    pb = load(plans)
    elapsed = time.perf_counter() - started
    print(f"\ngenerated {N:,} nodes in {generated:.1f} s; loaded and checked in {elapsed:.1f} s")

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
