"""The synchronization of plans over time: PB008 dependency cycles, PB009 schedule.

Cycles are found with Tarjan's strongly connected components (iterative, linear time);
each cycle is reported once, with every plan and link in it.
"""

from __future__ import annotations

import datetime as dt

from mission_playbook.model.diagnostics import Findings
from mission_playbook.model.kinds import Plan
from mission_playbook.model.ladder import Ladder, Node


def dependency_graph(ladder: Ladder) -> dict[str, list[str]]:
    """Plan id → the plan ids it depends on (only ids that are plans)."""
    graph: dict[str, list[str]] = {}
    for node in ladder.of_kind("plan"):
        graph[node.id] = [
            d
            for d in dict.fromkeys(node.record(Plan).depends_on)
            if (t := ladder.nodes.get(d)) is not None and t.kind == "plan"
        ]
    return graph


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion; components in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            edges = graph.get(v, [])
            if i < len(edges):
                work.append((v, i + 1))
                w = edges[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                components.append(component)
    return components


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One concrete cycle per strongly connected component that has one."""
    out = []
    for component in strongly_connected(graph):
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, []):
            continue
        path, seen, v = [start], {start}, start
        while True:  # every member has an edge inside the component: follow one
            nxt = min(w for w in graph[v] if w in members)
            if nxt == start or nxt in seen:
                path = path[path.index(nxt) :] if nxt in seen else path
                out.append(path)
                break
            path.append(nxt)
            seen.add(nxt)
            v = nxt
    return out


def check_cycles(ladder: Ladder, findings: Findings) -> list[list[str]]:
    """PB008 for every cycle in ``depends_on``; returns the cycles found."""
    found = cycles(dependency_graph(ladder))
    for cycle in found:
        nodes = [ladder.nodes[p] for p in cycle]
        edges = [
            n.loc("depends_on", n.record(Plan).depends_on.index(nodes[(k + 1) % len(nodes)].id))
            for k, n in enumerate(nodes)
        ]
        chain = " → ".join([*cycle, cycle[0]])
        findings.add(
            "PB008",
            f"plans depend on each other in a circle, so none of them can start: {chain}",
            edges[0],
            related=edges[1:],
        )
    return found


def check_schedule(
    ladder: Ladder, horizon: tuple[dt.date | None, dt.date | None], findings: Findings
) -> None:
    """PB009: dates outside the mission horizon, reversed dates, and starting too early."""
    first, last = horizon
    for node in ladder.of_kind("plan"):
        d = node.record(Plan)
        if d.start and d.end and d.end < d.start:
            findings.add(
                "PB009",
                f"plan '{node.id}' ends ({d.end}) before it starts ({d.start})",
                node.loc("end"),
            )
        for field, day in (("start", d.start), ("end", d.end)):
            if day is None:
                continue
            if (first and day < first) or (last and day > last):
                findings.add(
                    "PB009",
                    f"plan '{node.id}' {field}s on {day}, outside the mission horizon "
                    f"({first or '…'} to {last or '…'})",
                    node.loc(field),
                )
        for i, milestone in enumerate(d.milestones):
            day = milestone.date
            if day is not None and ((d.start and day < d.start) or (d.end and day > d.end)):
                findings.add(
                    "PB009",
                    f"milestone '{milestone.title}' of plan '{node.id}' falls on {day}, outside "
                    f"the plan's own dates ({d.start or '…'} to {d.end or '…'})",
                    node.loc("milestones", i, "date"),
                )
        _check_dependencies(ladder, node, findings)


def _check_dependencies(ladder: Ladder, node: Node, findings: Findings) -> None:
    plan = node.record(Plan)
    start = plan.start
    if start is None:
        return
    for i, dep_id in enumerate(plan.depends_on):
        dep = ladder.nodes.get(dep_id)
        if dep is None or not isinstance(dep.data, Plan) or dep.data.end is None:
            continue
        if start < dep.data.end:
            findings.add(
                "PB009",
                f"plan '{node.id}' starts on {start}, before '{dep_id}', which it depends on, "
                f"ends on {dep.data.end}",
                node.loc("depends_on", i),
                related=[dep.loc("end")],
            )


def topological(plans: list[Node]) -> list[Node]:
    """Plans ordered so that each comes after what it depends on (then by start date)."""
    by_id = {p.id: p for p in plans}
    order: list[Node] = []
    state: dict[str, int] = {}
    for plan in sorted(plans, key=lambda p: (p.record(Plan).start or dt.date.max, p.id)):
        stack = [(plan, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                if state.get(node.id):
                    continue
                state[node.id] = 1
            deps = [by_id[d] for d in node.record(Plan).depends_on if d in by_id]
            if i < len(deps):
                stack.append((node, i + 1))
                if not state.get(deps[i].id):
                    stack.append((deps[i], 0))
                continue
            state[node.id] = 2
            order.append(node)
    return order


def quarters(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Calendar quarters from ``start`` to ``end``: (label, first day, last day)."""
    out = []
    year, q = start.year, (start.month - 1) // 3
    while dt.date(year, q * 3 + 1, 1) <= end:
        first = dt.date(year, q * 3 + 1, 1)
        last = dt.date(year + (q == 3), (q * 3 + 3) % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((f"{year} Q{q + 1}", first, last))
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return out
