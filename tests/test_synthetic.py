"""The synthetic playbook generator writes a clean, realistic, deterministic playbook."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mission_playbook.playbook import load as check
from synthetic import MIN_NODES, generate

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PER = {"month": 1, "quarter": 3, "year": 12}


@dataclass
class Loaded:
    """A generated playbook, parsed, with every id indexed by kind."""

    n: int
    root: Path
    docs: list[tuple[Path, dict[str, Any]]]
    kinds: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    id_count: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, node: dict[str, Any]) -> None:
        self.id_count[node["id"]] += 1
        self.kinds[node["id"]] = kind
        self.nodes[node["id"]] = node

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [self.nodes[i] for i, k in self.kinds.items() if k == kind]

    def one(self, kind: str) -> dict[str, Any]:
        (doc,) = [d for _p, d in self.docs if d["kind"] == kind]
        return doc


def load(n: int, root: Path) -> Loaded:
    yaml = YAML(typ="safe")
    docs = [
        (path, doc)
        for path in sorted(root.rglob("*.yaml"))
        for doc in yaml.load_all(path.read_text(encoding="utf-8"))
    ]
    pb = Loaded(n, root, docs)
    for _path, doc in docs:
        pb.add(doc["kind"], doc)
        kind = doc["kind"]
        if kind == "mission":
            for sf in doc["success_factors"]:
                pb.add("success_factor", sf)
            for m in doc["environment"]["markets"]:
                pb.add("market", m)
            for c in doc["environment"]["customers"]:
                pb.add("customer", c)
        elif kind == "intent":
            for kt in doc["key_tasks"]:
                pb.add("key_task", kt)
        elif kind == "function":
            for est in doc["estimates"]:
                pb.add("estimate", est)
        elif kind == "plan":
            for m in doc["metrics"]:
                pb.add("metric", m)
        elif kind == "sla":
            for st in doc["stages"]:
                pb.add("stage", st)
    return pb


@pytest.fixture(scope="module", params=[200, pytest.param(2000, marks=pytest.mark.slow)])
def pb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    n: int = request.param
    root = generate(n, tmp_path_factory.mktemp(f"pb{n}"), seed=7)
    return load(n, root)


def test_layout(pb: Loaded) -> None:
    rel = {p.relative_to(pb.root).as_posix(): d["kind"] for p, d in pb.docs}
    for name, kind in [
        ("mission.yaml", "mission"),
        ("intent.yaml", "intent"),
        ("sla.yaml", "sla"),
        ("glossary.yaml", "glossary"),
    ]:
        assert rel[name] == kind
    for path, doc in pb.docs:
        parts = path.relative_to(pb.root).parts
        if doc["kind"] == "function":
            assert parts == ("functions", f"{doc['id']}.yaml")
        elif doc["kind"] == "plan":
            assert parts == ("functions", doc["function"], f"{doc['id']}.yaml")


def test_counts_near_targets(pb: Loaded) -> None:
    n = pb.n
    assert len(pb.of("mission")) == 1
    assert len(pb.of("intent")) == 1
    assert len(pb.of("success_factor")) == 5
    assert len(pb.of("key_task")) == 10
    assert len(pb.of("function")) == 8
    estimates, plans = len(pb.of("estimate")), len(pb.of("plan"))
    assert abs(5 + 10 + estimates + plans - n) <= max(2, 0.01 * n)
    assert abs(estimates / (estimates + plans) - 0.1) <= 0.02
    metrics = Counter(len(p["metrics"]) for p in pb.of("plan"))
    assert set(metrics) <= {1, 2, 3} and len(metrics) == 3
    two = sum(len(p["supports"]) == 2 for p in pb.of("plan"))
    assert 0.04 * plans <= two <= 0.16 * plans
    assert any(p.get("depends_on") for p in pb.of("plan"))


def test_ids_unique_and_well_formed(pb: Loaded) -> None:
    assert [i for i, c in pb.id_count.items() if c > 1] == []
    assert [i for i in pb.id_count if not ID_RE.match(i)] == []


def test_references_resolve_to_the_right_kind(pb: Loaded) -> None:
    kinds = pb.kinds

    def expect(refs: list[str], kind: str | tuple[str, ...]) -> None:
        want = (kind,) if isinstance(kind, str) else kind
        assert refs, "empty reference list"
        for ref in refs:
            assert kinds.get(ref) in want, (ref, kinds.get(ref), want)

    mission = pb.one("mission")
    lifecycle = mission["lifecycle"]
    for c in mission["environment"]["customers"]:
        expect([c["market"]], "market")
    intent = pb.one("intent")
    expect([e["measured_by"] for e in intent["end_state"]], "success_factor")
    for kt in pb.of("key_task"):
        expect(kt["supports"], "success_factor")
        expect(kt["markets"], "market")
    for fn in pb.of("function"):
        expect([t["from"] for t in fn["mission_analysis"]["specified_tasks"]], "key_task")
        for est in fn["estimates"]:
            expect(est["supports"], "key_task")
    estimate_function = {e["id"]: f["id"] for f in pb.of("function") for e in f["estimates"]}
    for plan in pb.of("plan"):
        expect([plan["function"]], "function")
        expect(plan["supports"], "estimate")
        assert {estimate_function[s] for s in plan["supports"]} == {plan["function"]}
        expect(plan["markets"], "market")
        if "customers" in plan:
            expect(plan["customers"], "customer")
        assert plan["lifecycle_stage"] in lifecycle
        outcomes = 0
        for m in plan["metrics"]:
            if m["type"] == "outcome":
                outcomes += 1
                expect([m["drives"]], "success_factor")
            else:
                assert m["type"] in ("leading", "activity")
                expect([m["drives"]], ("metric", "success_factor"))
                if kinds[m["drives"]] == "metric":
                    assert pb.nodes[m["drives"]]["type"] == "outcome"
    sla = pb.one("sla")
    expect(sla["parties"], "function")
    expect([s["owner"] for s in sla["stages"]], "function")
    for c in sla["commitments"]:
        expect([c["party"]], "function")
        expect([c["stage"]], "stage")


def test_every_rung_covered(pb: Loaded) -> None:
    def supported(kind: str) -> set[str]:
        return {s for node in pb.of(kind) for s in node["supports"]}

    assert supported("key_task") == {n["id"] for n in pb.of("success_factor")}
    assert supported("estimate") == {n["id"] for n in pb.of("key_task")}
    assert supported("plan") == {n["id"] for n in pb.of("estimate")}
    assert all(f["estimates"] for f in pb.of("function"))


def test_schedule_and_no_cycles(pb: Loaded) -> None:
    horizon = pb.one("mission")["horizon"]
    plans = {p["id"]: p for p in pb.of("plan")}
    for p in plans.values():
        assert isinstance(p["start"], dt.date) and isinstance(p["end"], dt.date)
        assert horizon["start"] <= p["start"] <= p["end"] <= horizon["end"]
        for ms in p["milestones"]:
            assert p["start"] <= ms["date"] <= p["end"]
        for dep in p.get("depends_on", []):
            assert plans[dep]["function"] == p["function"]
            assert plans[dep]["end"] < p["start"]
    # Depth-first search for a cycle (none can exist when every dependency ends first,
    # but check the graph itself).
    state: dict[str, int] = {}
    for root in plans:
        stack = [(root, iter(plans[root].get("depends_on", [])))]
        state[root] = state.get(root, 0) or 1
        while stack:
            node, deps = stack[-1]
            nxt = next(deps, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                pytest.fail(f"cycle through {nxt}")
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(plans[nxt].get("depends_on", []))))


def test_sla_commitments_meet_the_waterfall(pb: Loaded) -> None:
    sla = pb.one("sla")
    assert sla["period"] == "quarter"
    need = sla["revenue_target"] * (1 - sla["run_rate_share"]) * sla.get("marketing_share", 1)
    need /= sla["average_deal"]
    needs: dict[str, float] = {}
    for stage in reversed(sla["stages"]):
        if "conversion" in stage:
            need /= stage["conversion"]
        needs[stage["id"]] = need
    shown = {k: math.ceil(v - 1e-9) for k, v in needs.items()}
    assert shown == {"won": 50, "opportunity": 200, "sal": 334, "mql": 667, "inquiry": 4445}
    for c in sla["commitments"]:
        per_period = c["volume"] * PER["quarter"] / PER[c["per"]]
        assert per_period >= shown[c["stage"]], c


def test_text_is_varied(pb: Loaded) -> None:
    objectives = [p["objective"] for p in pb.of("plan")]
    assert all(o.count(". ") >= 1 for o in objectives)
    assert len(set(objectives)) > 0.9 * len(objectives)
    assert len({p["title"] for p in pb.of("plan")}) > 0.5 * len(objectives)
    assert len(pb.one("glossary")["terms"]) >= 3


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.yaml")}


def test_deterministic_per_seed(tmp_path: Path) -> None:
    a = tree(generate(200, tmp_path / "a", seed=3))
    b = tree(generate(200, tmp_path / "b", seed=3))
    c = tree(generate(200, tmp_path / "c", seed=4))
    assert a == b
    assert a != c


def test_regenerating_replaces_the_old_playbook(tmp_path: Path) -> None:
    generate(400, tmp_path, seed=1)
    small = tree(generate(100, tmp_path, seed=1))
    assert small == tree(generate(100, tmp_path / "fresh", seed=1))


def test_smallest_playbook_is_still_covered(tmp_path: Path) -> None:
    pb = load(MIN_NODES, generate(MIN_NODES, tmp_path, seed=0))
    test_every_rung_covered(pb)
    test_ids_unique_and_well_formed(pb)
    with pytest.raises(ValueError):
        generate(MIN_NODES - 1, tmp_path)


def test_checkins_hold_one_actual_per_metric_per_period(pb: Loaded) -> None:
    checkins = sorted(pb.of("checkin"), key=lambda c: c["as_of"])
    assert [str(c["as_of"]) for c in checkins] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
        "2027-06-30",
    ]
    reported = Counter(
        (v["metric"], str(v.get("period", c["as_of"]))) for c in checkins for v in c["values"]
    )
    assert set(reported.values()) == {1}  # never twice for a period (a level: a date)
    periods = Counter(v["metric"] for c in checkins for v in c["values"])
    expected = {"month": 6, "quarter": 2, "year": 1}
    for metric in pb.of("metric"):
        assert periods[metric["id"]] == expected[metric["per"]], metric["id"]
    for factor in pb.of("success_factor"):
        assert periods[factor["id"]] == 6  # a level, each month
    stages = {s["id"] for s in pb.one("sla")["stages"]}
    for c in checkins:
        assert {f["stage"] for f in c["funnel"]} == stages


def test_the_playbook_with_its_actuals_checks_clean(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    checked = check(generate(300, tmp_path, seed=5))
    assert [str(d) for d in checked.diagnostics] == []
    assert checked.as_of == dt.date(2027, 6, 30)
    assert checked.statuses.counts("plan").no_data == 0
