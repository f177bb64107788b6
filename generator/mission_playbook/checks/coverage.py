"""Coverage and orphans, defined once (docs/model.md, "The ladder") for everything that shows
them: the check (PB006, PB007 in ``checks/links.py``), its summary line, the home and coverage
pages, and the plan diff.

A link is a ``supports`` entry that names a node of the rung just above; an entry naming an
unknown id (PB004) or a node of another kind (PB005) links nothing. So:

- an **orphan** is a key task, estimate or plan with no link up (its ``supports`` is missing,
  empty, or names nothing of the rung above);
- an **uncovered** node is a success factor, key task or estimate with no link from below;
- a rung's **coverage** is how many of its nodes are linked: success factors, key tasks and
  estimates with something below them, plans with something above them.

A **dormant branch plan** (``Ladder.dormant``: a plan with ``branch_of`` whose assumption has not
tripped, ``checks/assumptions.py``) is left out of all three: it is no orphan, it is not counted
among the plans, and it covers nothing, until its assumption trips.
"""

from __future__ import annotations

from dataclasses import dataclass

from mission_playbook.model.ladder import SUPPORTS, Ladder, Node

#: The kinds that can be orphans: those whose ``supports`` points one rung up.
ORPHAN_KINDS = tuple(SUPPORTS)  # key task, estimate, plan
#: The kinds that can be uncovered: those something below must support.
UNCOVERED_KINDS = ("success_factor", "key_task", "estimate")
#: The rungs of the summary and the coverage table: (kind, plural label).
RUNGS = (
    ("success_factor", "success factors"),
    ("key_task", "key tasks"),
    ("estimate", "estimates"),
    ("plan", "plans"),
)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many nodes a rung has and how many are linked into the ladder."""

    kind: str
    label: str
    total: int
    covered: int

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 1.0


def linked_up(ladder: Ladder, node: Node) -> bool:
    """Whether the node supports something on the rung above (the mission for a factor)."""
    return bool(ladder.parents.get(node.id))


def linked_down(ladder: Ladder, node: Node) -> bool:
    """Whether something on the rung below supports the node (a dormant branch plan does not
    count)."""
    children = ladder.children.get(node.id)
    if not children:
        return False
    dormant = ladder.dormant
    return not dormant or any(c.id not in dormant for c in children)


def orphans(ladder: Ladder) -> list[Node]:
    """Key tasks, estimates and plans that support nothing on the ladder, in file order
    (dormant branch plans left out)."""
    dormant = ladder.dormant
    return [
        n
        for n in ladder.nodes.values()
        if n.kind in SUPPORTS and not linked_up(ladder, n) and n.id not in dormant
    ]


def uncovered(ladder: Ladder) -> list[Node]:
    """Success factors, key tasks and estimates that nothing below supports, in file order."""
    return [
        n for n in ladder.nodes.values() if n.kind in UNCOVERED_KINDS and not linked_down(ladder, n)
    ]


def coverage(ladder: Ladder) -> list[Coverage]:
    """Per rung of :data:`RUNGS`: its nodes, and how many are linked (dormant branch plans
    left out)."""
    totals = {kind: 0 for kind, _label in RUNGS}
    covered = dict(totals)
    dormant = ladder.dormant
    for node in ladder.nodes.values():
        kind = node.kind
        if kind in totals and node.id not in dormant:
            totals[kind] += 1
            linked = linked_up(ladder, node) if kind == "plan" else linked_down(ladder, node)
            covered[kind] += linked
    return [Coverage(kind, label, totals[kind], covered[kind]) for kind, label in RUNGS]
