"""The metric ladder: which metrics drive which success factor (PB010).

Metrics are tied to business outcomes, not to the program that produced them: a leading
or activity metric must drive an outcome, and a plan's metrics must reach a success factor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mission_playbook.model.diagnostics import Findings, Severity
from mission_playbook.model.kinds import Metric, Plan
from mission_playbook.model.ladder import Ladder, Node


@dataclass(frozen=True, slots=True)
class Driver:
    """A metric that drives a success factor, directly (depth 1) or through others; it
    drives ``parent``: the success factor, or the metric one level up the tree."""

    metric: Node
    depth: int
    parent: Node | None = None


def reaches(ladder: Ladder, metric: Node) -> Node | None:
    """The success factor a metric's ``drives`` chain ends at, if any."""
    seen = {metric.id}
    current = metric
    while True:
        target_id = current.record(Metric).drives
        target = ladder.nodes.get(target_id) if target_id else None
        if target is None:
            return None
        if target.kind == "success_factor":
            return target
        if target.kind != "metric" or target.id in seen:
            return None
        seen.add(target.id)
        current = target


def metric_ladder(ladder: Ladder) -> dict[str, list[Driver]]:
    """Success factor id → the metrics that drive it, as a tree in reading order: each
    metric followed by the metrics that drive it (depth first, siblings by id). Made once
    per ladder: the statuses and the views share it (do not change it)."""
    return ladder.derived("metric_ladder", _metric_ladder)


def _metric_ladder(ladder: Ladder) -> dict[str, list[Driver]]:
    driven_by: dict[str, list[Node]] = defaultdict(list)
    factors: dict[str, Node] = {}
    for metric in ladder.of_kind("metric"):
        factor = reaches(ladder, metric)
        if factor is not None:
            driven_by[str(metric.record(Metric).drives)].append(metric)
            factors[factor.id] = factor
    out: dict[str, list[Driver]] = {}
    for factor_id, factor in factors.items():
        drivers: list[Driver] = []
        stack = [(m, 1, factor) for m in sorted(driven_by[factor_id], key=_by_id, reverse=True)]
        while stack:
            metric, depth, parent = stack.pop()
            drivers.append(Driver(metric, depth, parent))
            below = sorted(driven_by.get(metric.id, []), key=_by_id, reverse=True)
            stack += [(m, depth + 1, metric) for m in below]
        out[factor_id] = drivers
    return out


def _by_id(node: Node) -> str:
    return node.id


def check(ladder: Ladder, findings: Findings) -> None:
    """PB010: a leading or activity metric that drives nothing; a plan that reaches no factor."""
    reached: dict[str, bool] = {}
    for metric in ladder.of_kind("metric"):
        factor = reaches(ladder, metric)
        reached[metric.id] = factor is not None
        data = metric.record(Metric)
        if data.type == "outcome" or factor is not None:
            continue
        drives = data.drives
        if drives is None:
            plan = metric.owner.id if metric.owner else "?"
            findings.add(
                "PB010",
                f"the {data.type} metric '{metric.id}' of plan '{plan}' "
                "drives nothing: set 'drives' to the outcome metric or success factor it moves",
                metric.loc("id"),
            )
        elif drives in ladder.nodes and ladder.nodes[drives].kind == "metric":
            findings.add(
                "PB010",
                f"the {data.type} metric '{metric.id}' drives '{drives}', whose chain of "
                "'drives' never reaches a success factor",
                metric.loc("drives"),
            )
    for node in ladder.of_kind("plan"):
        metrics = node.record(Plan).metrics
        if any(reached.get(m.id) for m in metrics):
            continue
        what = "has no metrics" if not metrics else "has no metric that reaches a success factor"
        findings.add(
            "PB010",
            f"plan '{node.id}' {what}: tie it to a business outcome, not to the program itself",
            node.loc("metrics") if metrics else node.loc("id"),
            severity=Severity.WARNING,
        )
