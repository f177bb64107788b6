"""Assumptions and branch plans in the plan diff: what a change (new check-ins, a new
trip-wire, a new branch plan) does to the decisions the plan waits on.

Both sides are snapshots (``compare/snapshot.py``), whose ``facts`` hold each assumption's
state and each branch plan's dormancy; nothing here reads the model.
"""

from __future__ import annotations

from mission_playbook.compare.snapshot import NodeSnapshot, Snapshot

#: The order changes are listed in: what now needs a decision first.
STATE_ORDER = {"tripped": 0, "holding": 1, "untested": 2}


def state_changes(
    base: Snapshot, head: Snapshot
) -> list[tuple[NodeSnapshot, str | None, str, str]]:
    """Assumption nodes whose state differs from the base's (a new node's base state is
    None): (the node, the state before, the state now, its latest actual in words). A new
    node that is untested is no change of state."""
    found = []
    for node in head.nodes.values():
        now = node.facts.get("state")
        if node.kind != "assumption" or not isinstance(now, str):
            continue
        before = base.nodes.get(node.id)
        old = before.facts.get("state") if before is not None and before.kind == node.kind else None
        if old == now or (old is None and now == "untested"):
            continue
        found.append((node, old if isinstance(old, str) else None, now, _latest(node)))
    found.sort(key=lambda c: (STATE_ORDER.get(c[2], 9), c[0].id))
    return found


def branch_changes(base: Snapshot, head: Snapshot) -> list[tuple[NodeSnapshot, str, str]]:
    """Branch plans added or triggered, or dormant again: (the plan, its assumption, how)."""
    found = []
    for node in head.nodes.values():
        now, assumption = node.facts.get("branch"), node.facts.get("branch_of")
        if node.kind != "plan" or not isinstance(now, str) or not isinstance(assumption, str):
            continue
        before = base.nodes.get(node.id)
        old = before.facts.get("branch") if before is not None else None
        if old is None:
            how = "added, triggered" if now == "triggered" else "added"
        elif old != now:
            how = "triggered" if now == "triggered" else "dormant again"
        else:
            continue
        found.append((node, assumption, how))
    found.sort(key=lambda c: (c[2] != "triggered", c[0].id))
    return found


def _latest(node: NodeSnapshot) -> str:
    latest = node.facts.get("latest")
    return latest if isinstance(latest, str) else ""
