"""The operation order: what the print pages hold (``print.md.j2``).

Military planners publish a plan as an operation order in five paragraphs; the playbook's
method maps onto it: 1 Situation (the operating environment), 2 Mission (the statement and
the success factors), 3 Execution (the commander's intent, each function's concept, its
estimates' conclusions and its supporting plans as tasks, and the coordinating
instructions: synchronization matrix, waterfall, commitments), 4 Sustainment (budgets),
5 Command and signal (leaders, owners, the funnel's stages and systems of record, the
glossary).

The whole playbook has one order (``print.md``); each function has its own
(``print/<function>.md``), whose paragraph 3 gives that function only. A print page is
self-contained: a node it shows has an anchor on it (``n-<id>``), and references to it link
there; a reference to a node the page does not show is plain text, so the page reads the
same on paper and in the PDF, which is printed from that page alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from mission_playbook.model.kinds import Plan
from mission_playbook.model.ladder import Node
from mission_playbook.playbook import Playbook

#: The prefix of a node's anchor on a print page (``n-mkt-demand-engine``).
ANCHOR = "n-"
#: The kinds every order shows, whatever its function.
SHARED_KINDS = (
    "mission", "success_factor", "market", "customer", "intent", "key_task", "sla", "stage",
    "glossary",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Order:
    """One operation order: the whole playbook's (``function`` None) or a function's."""

    function: Node | None
    functions: list[Node]  # whose concept, estimates and tasks paragraph 3 gives
    estimates: dict[str, list[Node]]  # by function id
    plans: dict[str, list[Node]]  # by function id, in file order
    shown: frozenset[str]  # the ids of the nodes with an anchor on the page

    def shows(self, node: Node | None) -> bool:
        """Whether the page shows ``node`` (so a reference to it links to its anchor)."""
        return node is not None and node.id in self.shown

    @property
    def all_plans(self) -> list[Node]:
        return [p for f in self.functions for p in self.plans.get(f.id, [])]

    def has_budgets(self) -> bool:
        """Whether any plan of the order has a budget (reads plans up to the first that has)."""
        return any(p.record(Plan).budget is not None for p in self.all_plans)

    def owners(self) -> list[tuple[str, list[Node]]]:
        """The owners of the order's plans, as written, each with their plans; plans without
        an owner last, under ``""``."""
        by_owner: dict[str, list[Node]] = defaultdict(list)
        for plan in self.all_plans:
            by_owner[" ".join(str(plan.record(Plan).owner or "").split())].append(plan)
        return sorted(by_owner.items(), key=lambda item: (not item[0], item[0].lower()))

    def budgets(self) -> list[tuple[Node, list[Node], float | int | None, list[Node]]]:
        """Per function of the order: its plans with a budget, the sum of those written as
        numbers (None when there is none), and those written otherwise ("TBD")."""
        out = []
        for function in self.functions:
            budgets = [(p, p.record(Plan).budget) for p in self.plans.get(function.id, [])]
            plans = [p for p, b in budgets if b is not None]
            numbers = [b for _, b in budgets if isinstance(b, int | float)]
            others = [p for p, b in budgets if isinstance(b, str)]
            out.append((function, plans, sum(numbers) if numbers else None, others))
        return out


def order(
    playbook: Playbook,
    function: Node | None = None,
    by_function: Mapping[str, list[Node]] | None = None,
) -> Order:
    """The order of the whole playbook, or of one function (``by_function``: the plans of each
    function, when the caller has them: then no other function's plan is read)."""
    ladder = playbook.ladder
    functions = [function] if function is not None else list(ladder.of_kind("function"))
    ids = {f.id for f in functions}
    estimates: dict[str, list[Node]] = defaultdict(list)
    for estimate in ladder.of_kind("estimate"):
        if estimate.function in ids:
            estimates[str(estimate.function)].append(estimate)
    plans: dict[str, list[Node]] = defaultdict(list)
    if by_function is not None:  # read no plan of another function (plugin/reads.py)
        for f in functions:
            plans[f.id] = list(by_function.get(f.id, []))
    else:
        for plan in ladder.of_kind("plan"):
            if plan.function in ids:
                plans[str(plan.function)].append(plan)
    if function is None:
        shown = frozenset(ladder.nodes)
    else:
        mine = [function, *estimates[function.id], *plans[function.id]]
        shown = frozenset(
            [n.id for n in ladder.nodes.values() if n.kind in SHARED_KINDS]
            + [n.id for n in mine]
            + [m.id for p in plans[function.id] for m in _metrics(ladder.nodes, p)]
            # the assumptions of the mission and of this function (the decision matrix)
            + [
                a.id
                for a in ladder.of_kind("assumption")
                if a.owner is not None and (a.owner.kind == "mission" or a.owner.id == function.id)
            ]
        )
    return Order(function, functions, dict(estimates), dict(plans), shown)


def _metrics(nodes: dict[str, Node], plan: Node) -> list[Node]:
    """A plan's metrics as nodes."""
    found = (nodes.get(m.id) for m in plan.record(Plan).metrics)
    return [m for m in found if m is not None and m.kind == "metric" and m.owner is plan]
