"""Why a node exists: every path from it up the ladder, grouped by the success factor each
one serves (a plan that supports two estimates, or an estimate that answers two key tasks,
has several)."""

from __future__ import annotations

from dataclasses import dataclass

from mission_playbook.model.ladder import Ladder, Node

#: Paths listed on a page before "… and N more".
MAX_PATHS = 12


@dataclass(frozen=True, slots=True)
class Reason:
    """A success factor the node serves, and the paths to it: each path from just below the
    factor down to just above the node (empty when the node sits right below it)."""

    factor: Node
    paths: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True, slots=True)
class Trace:
    reasons: tuple[Reason, ...]
    more: int  # paths not listed

    @property
    def direct(self) -> bool:
        """Whether every reason is a success factor right above the node (no path to show)."""
        return all(p == () for r in self.reasons for p in r.paths)


def paths_up(ladder: Ladder, node: Node, limit: int = MAX_PATHS) -> Trace:
    """The paths up from ``node`` (a function's go through its estimates), grouped by
    success factor in the order met; at most ``limit`` paths, the rest counted."""
    starts = [node]
    if node.kind == "function":
        starts = [e for e in ladder.of_kind("estimate") if e.owner is node]
    found: dict[str, tuple[Node, list[tuple[Node, ...]]]] = {}
    total = 0

    def climb(current: Node, below: tuple[Node, ...], seen: frozenset[str]) -> None:
        nonlocal total
        if current.kind == "success_factor":
            total += 1
            if total <= limit:
                found.setdefault(current.id, (current, []))[1].append(below)
            return
        for parent in ladder.up(current):
            if parent.id not in seen:
                climb(
                    parent,
                    (parent, *below) if parent.kind != "success_factor" else below,
                    seen | {parent.id},
                )

    for start in starts:
        head = (start,) if start is not node else ()
        climb(start, head, frozenset({start.id}))
    reasons = tuple(Reason(factor, tuple(paths)) for factor, paths in found.values())
    return Trace(reasons, max(0, total - limit))
