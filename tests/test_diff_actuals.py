"""``playbook diff`` and check-ins: actuals added, changed and removed, and status changes.

The base playbook is test_diff's (two plans with a quarterly outcome metric of target 150 and
100, a success factor of target 200) with an SLA of two stages; the base's check-in reports
Q1: the engine 160 of 150 (on track), the accounts 90 of 100 (at risk: 90 % is at least
85 %). The change edits that check-in and adds an April one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.test_diff import BASE, check_golden, write

from mission_playbook import load
from mission_playbook.compare.diff import diff_playbooks, diff_snapshots
from mission_playbook.compare.snapshot import FieldsMemo, Snapshot, snapshot
from mission_playbook.views import changes_page
from mission_playbook.views.changes import to_json, to_markdown

SLA = """\
kind: sla
id: sla
parties: [marketing]
period: quarter
revenue_target: 1000000
average_deal: 10000
stages:
  - id: mql
    owner: marketing
    conversion: 0.5
  - id: won
    owner: marketing
"""

MARCH = """\
kind: checkin
id: actuals-2027-03-31
as_of: 2027-03-31
values:
  - metric: mkt-engine-wins
    value: 160
    period: 2027-Q1
  - metric: mkt-accounts-wins
    value: 90
    period: 2027-Q1
funnel:
  - stage: mql
    period: 2027-03
    volume: 70
"""

#: The change: the engine's Q1 corrected down to 120 (80 %: off track) with the owner's call
#: and a note, the accounts' Q1 withdrawn, March's MQLs corrected; April adds the success
#: factor's level and April's MQLs.
MARCH_AFTER = """\
kind: checkin
id: actuals-2027-03-31
as_of: 2027-03-31
values:
  - metric: mkt-engine-wins
    value: 120
    period: 2027-Q1
    confidence: off-track
    note: Two deals slipped into April.
funnel:
  - stage: mql
    period: 2027-03
    volume: 72
"""

APRIL = """\
kind: checkin
id: actuals-2027-04-30
as_of: 2027-04-30
values:
  - metric: sf-wins
    value: 80.5
funnel:
  - stage: mql
    period: 2027-04
    volume: 66
"""


def sides(tmp_path: Path) -> tuple[Path, Path]:
    base, head = tmp_path / "base", tmp_path / "head"
    write(base, {**BASE, "sla.yaml": SLA, "actuals/2027-03-31.yaml": MARCH})
    write(head, {**BASE, "sla.yaml": SLA, "actuals/2027-03-31.yaml": MARCH_AFTER})
    write(head, {"actuals/2027-04-30.yaml": APRIL})
    return base, head


def test_statuses_and_actuals_in_a_snapshot(tmp_path: Path) -> None:
    base, _head = sides(tmp_path)
    taken = snapshot(load(base))
    assert taken.as_of == "2027-03-31"
    engine = taken.nodes["mkt-engine-wins"].facts
    assert engine["status"] == "on track"
    assert engine["actuals"] == {"2027-Q1": {"value": 160, "confidence": None, "note": None}}
    assert taken.nodes["mkt-accounts"].facts == {"status": "at risk"}  # a plan: its status
    assert taken.nodes["mql"].facts == {"volumes": {"2027-03": 70}}
    back = Snapshot.from_json(json.loads(json.dumps(taken.to_json())))
    assert back == taken


def test_no_check_in_means_no_facts(tmp_path: Path) -> None:
    write(tmp_path, dict(BASE))
    taken = snapshot(load(tmp_path))
    assert taken.as_of is None
    assert all(n.facts == {} for n in taken.nodes.values())


def test_actuals_added_changed_removed_and_status_changes(tmp_path: Path) -> None:
    base, head = sides(tmp_path)
    diff = diff_playbooks(load(base), load(head))
    assert diff.as_of == ("2027-03-31", "2027-04-30")
    assert not diff.model_changed and diff.actuals_changed
    found = [(c.node.id, c.period, c.how, c.old, c.new) for c in diff.actuals]
    assert found == [
        ("sf-wins", "2027-04-30", "added", None, {"value": 80.5, "confidence": None, "note": None}),
        (
            "mkt-accounts-wins",
            "2027-Q1",
            "removed",
            {"value": 90, "confidence": None, "note": None},
            None,
        ),
        (
            "mkt-engine-wins",
            "2027-Q1",
            "changed",
            {"value": 160, "confidence": None, "note": None},
            {"value": 120, "confidence": "off-track", "note": "Two deals slipped into April."},
        ),
        ("mql", "2027-03", "changed", {"volume": 70}, {"volume": 72}),
        ("mql", "2027-04", "added", None, {"volume": 66}),
    ]
    statuses = {c.node.id: (c.old, c.new) for c in diff.statuses}
    assert statuses == {
        # a level without a baseline is compared with its target: 80.5 of 200
        "sf-wins": ("at risk", "off track"),  # before: the worst outcome metric driving it
        "marketing": ("at risk", "off track"),
        "mkt-engine": ("on track", "off track"),
        "mkt-engine-wins": ("on track", "off track"),
        "mkt-accounts": ("at risk", "no data"),
        "mkt-accounts-wins": ("at risk", "no data"),
    }
    assert [c.node.kind for c in diff.statuses] == [
        "success_factor",
        "function",
        "plan",
        "plan",
        "metric",
        "metric",
    ]


def test_a_target_change_alone_changes_a_status(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    write(base, {**BASE, "actuals/2027-03-31.yaml": MARCH})
    write(head, {**BASE, "actuals/2027-03-31.yaml": MARCH})
    engine = BASE["functions/marketing/mkt-engine.yaml"].replace("target: 150", "target: 200")
    write(head, {"functions/marketing/mkt-engine.yaml": engine})
    diff = diff_playbooks(load(base), load(head))
    assert diff.actuals == [] and diff.as_of == ("2027-03-31", "2027-03-31")
    # 160 of 200 is 80 %: off track, and so is everything it rolls up into
    assert [(c.node.id, c.old, c.new) for c in diff.statuses] == [
        ("sf-wins", "at risk", "off track"),
        ("marketing", "at risk", "off track"),
        ("mkt-engine", "on track", "off track"),
        ("mkt-engine-wins", "on track", "off track"),
    ]
    text = to_markdown(diff)
    assert "actuals as of 2027-03-31 · 4 status changes" in text.splitlines()[0]


def test_a_removed_plan_takes_its_actuals_along(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    write(base, {**BASE, "actuals/2027-03-31.yaml": MARCH})
    write(head, {**BASE, "actuals/2027-03-31.yaml": MARCH})
    write(head, {"functions/marketing/mkt-accounts.yaml": None})
    diff = diff_playbooks(load(base), load(head))
    assert [(c.node.id, c.how) for c in diff.actuals] == [("mkt-accounts-wins", "removed")]
    assert "mkt-accounts" not in {c.node.id for c in diff.statuses}  # removed: not compared


def test_markdown_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sides(tmp_path)
    monkeypatch.chdir(tmp_path)  # files in findings as a user sees them
    diff = diff_playbooks(load("base"), load("head"))
    text = to_markdown(diff)
    first = text.splitlines()[0]
    assert first.endswith(
        " · actuals as of 2027-03-31 → 2027-04-30: 2 added, 2 changed, 1 removed · 6 status changes"
    )
    assert (
        "- metric **Wins from Demand engine** `mkt-engine-wins` of plan `mkt-engine`: "
        "on track → off track"
    ) in text
    check_golden("actuals.md", text)


def test_json(tmp_path: Path) -> None:
    base, head = sides(tmp_path)
    base_snap, head_snap = snapshot(load(base)), snapshot(load(head))
    data = json.loads(to_json(diff_snapshots(base_snap, head_snap)))
    summary = data["summary"]
    assert (summary["actuals_added"], summary["actuals_changed"]) == (2, 2)
    assert (summary["actuals_removed"], summary["statuses"]) == (1, 6)
    assert data["actuals"]["as_of"] == {"base": "2027-03-31", "head": "2027-04-30"}
    first = data["actuals"]["changes"][0]
    assert (first["node"]["id"], first["period"], first["how"]) == (
        "sf-wins",
        "2027-04-30",
        "added",
    )
    assert data["statuses"][0] == {
        "node": {
            "id": "sf-wins",
            "kind": "success_factor",
            "owner": "m",
            "owner_kind": "mission",
            "title": "Win designs",
        },
        "old": "at risk",
        "new": "off track",
    }


def test_the_what_changed_page_tells_statuses_and_actuals(tmp_path: Path) -> None:
    base, head = sides(tmp_path)
    after = load(head)
    diff = diff_playbooks(load(base), after)
    text = changes_page.sentences(diff, after, lambda node_id: f"{node_id}.md")
    engine = next(line for line in text.splitlines() if "(mkt-engine-wins.md)" in line[:60])
    assert "Status: on track → off track." in engine
    assert "Actual `2027-Q1` 160 → 120, owner's call *none* → off track, note changed." in engine
    mql = next(line for line in text.splitlines() if line.startswith("- [") and "(mql.md)" in line)
    assert "Actual `2027-03` 70 → 72." in mql and "Actual `2027-04` added 66." in mql
    assert "**Actual results** as of 2027-04-30 (before: 2027-03-31)." in text
    assert "Nothing in the plan itself changed." not in text


def test_a_snapshot_memo_keeps_records_not_facts(tmp_path: Path) -> None:
    """``mkdocs serve`` keeps node snapshots between builds; statuses and actuals are taken
    afresh from each load, even for a record the memo holds."""
    base, head = sides(tmp_path)
    memo: FieldsMemo = {}
    first = snapshot(load(base), memo)
    assert snapshot(load(base), memo) == first
    assert first.nodes["mkt-engine-wins"].facts["status"] == "on track"
    for _record, taken in list(memo.values()):  # the same records, facts of another load
        assert taken.facts == first.nodes[taken.id].facts
    after = snapshot(load(head), memo)
    assert after.nodes["mkt-engine-wins"].facts["status"] == "off track"
