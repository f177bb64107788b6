"""The metric ladder: which metrics drive which success factor (PB010).

Metrics are tied to business outcomes, not to the program that produced them: a leading
or activity metric must drive an outcome, and a plan's metrics must reach a success factor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mission_playbook.model.diagnostics import Findings, Severity
from mission_playbook.model.ladder import Ladder, Node


@dataclass(frozen=True, slots=True)
class Driver:
    """A metric that drives a success factor, directly (depth 1) or through others."""

    metric: Node
    depth: int


def reaches(ladder: Ladder, metric: Node) -> Node | None:
    """The success factor a metric's ``drives`` chain ends at, if any."""
    seen = {metric.id}
    current = metric
    while True:
        target_id = current.data.drives
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
    """Success factor id → the metrics that drive it, nearest first."""
    out: dict[str, list[Driver]] = defaultdict(list)
    for metric in ladder.of_kind("metric"):
        factor = reaches(ladder, metric)
        if factor is None:
            continue
        depth, current = 1, metric
        while current.data.drives != factor.id:
            current = ladder.nodes[current.data.drives]
            depth += 1
        out[factor.id].append(Driver(metric, depth))
    for drivers in out.values():
        drivers.sort(key=lambda d: (d.depth, d.metric.id))
    return dict(out)


def check(ladder: Ladder, findings: Findings) -> None:
    """PB010: a leading or activity metric that drives nothing; a plan that reaches no factor."""
    reached: dict[str, bool] = {}
    for metric in ladder.of_kind("metric"):
        factor = reaches(ladder, metric)
        reached[metric.id] = factor is not None
        if metric.data.type == "outcome" or factor is not None:
            continue
        drives = metric.data.drives
        if drives is None:
            plan = metric.owner.id if metric.owner else "?"
            findings.add(
                "PB010",
                f"the {metric.data.type} metric '{metric.id}' of plan '{plan}' "
                "drives nothing: set 'drives' to the outcome metric or success factor it moves",
                metric.loc("id"),
            )
        elif drives in ladder.nodes and ladder.nodes[drives].kind == "metric":
            findings.add(
                "PB010",
                f"the {metric.data.type} metric '{metric.id}' drives '{drives}', whose chain of "
                "'drives' never reaches a success factor",
                metric.loc("drives"),
            )
    for node in ladder.of_kind("plan"):
        metrics = node.data.metrics
        if any(reached.get(m.id) for m in metrics):
            continue
        what = "has no metrics" if not metrics else "has no metric that reaches a success factor"
        findings.add(
            "PB010",
            f"plan '{node.id}' {what}: tie it to a business outcome, not to the program itself",
            node.loc("metrics") if metrics else node.loc("id"),
            severity=Severity.WARNING,
        )
