"""The ladder as diagrams a reader can read: laid out for the page's column.

Every diagram runs left to right, higher rung first, in at most three columns of boxes, so
that it fits the column of a desktop screen at the theme's text size (``views/diagrams.py``
draws them at their own size); a long list of boxes makes a diagram taller, never wider.

- Around a node (its page's "Where it sits on the ladder"): what it supports on the left,
  the node in the middle, what supports it on the right (a plan's dependencies, dashed, on
  the left too). A function's page shows its estimates and the key tasks each one answers.
- The overview on the home page (``overview`` in templates): one diagram per success
  factor, its key tasks and the functions whose estimates answer each one, so no edge
  crosses another success factor's.
"""

from __future__ import annotations

from mission_playbook.model.kinds import Plan
from mission_playbook.model.ladder import Node
from mission_playbook.views import diagrams, fragments
from mission_playbook.views.queries import Queries
from mission_playbook.views.sitemap import Page, page_path, relative_url

#: Boxes drawn per column before "… and N more".
MAX_UP, MAX_DOWN = 12, 24
#: Success factors with a diagram of their own on the home page; key tasks and functions
#: drawn in each.
MAX_FACTORS, MAX_FACTOR_TASKS, MAX_FACTOR_FUNCTIONS = 20, 12, 12


def plural(count: int, word: str) -> str:
    """``1 plan``, ``2 plans``."""
    return f"{count} {word}{'s' * (count != 1)}"


class LadderDiagrams:
    """The diagrams of one build's pages."""

    def __init__(self, pb: Queries, directory_urls: bool = True) -> None:
        self.pb = pb
        self.ladder = pb.ladder
        self.directory_urls = directory_urls

    def _box(self, chart: diagrams.Flowchart, page: Page, node: Node, sub: str = "") -> str:
        url = relative_url(page.path, page_path(node), self.directory_urls)
        text = node.title if node.kind != "mission" else f"Mission: {node.title}"
        return chart.box(node.id, text, node.kind, url, sub)

    @staticmethod
    def _more(chart: diagrams.Flowchart, key: str, count: int, what: str) -> str:
        return chart.box(key, f"… and {count} more {what}", "more")

    def neighbourhood(self, page: Page) -> str:
        """The page's node between what it supports and what supports it, as an HTML
        fragment (empty when the node has no link to draw)."""
        node = page.node
        if node is None:
            return ""
        if node.kind == "function":
            return self._function(page, node)
        chart = diagrams.Flowchart("LR")
        ups = self.ladder.up(node)
        for parent in ups[:MAX_UP]:
            self._box(chart, page, parent)
        if len(ups) > MAX_UP:
            self._more(chart, "more-up", len(ups) - MAX_UP, "above")
        deps = (
            list(dict.fromkeys(node.record(Plan).depends_on))[:MAX_UP]
            if node.kind == "plan"
            else []
        )
        for dep_id in deps:
            dep = self.ladder.nodes.get(dep_id)
            if dep is not None and dep.kind == "plan":
                self._box(chart, page, dep, "comes first")
        me = self._box(chart, page, node)
        for parent in ups[:MAX_UP]:
            chart.edge(chart.ids[parent.id], me)
        if len(ups) > MAX_UP:
            chart.edge(chart.ids["more-up"], me)
        for dep_id in deps:
            if dep_id in chart.ids and dep_id != node.id:
                chart.edge(chart.ids[dep_id], me, dashed=True)
        downs = self.ladder.down(node)
        for child in downs[:MAX_DOWN]:
            sub = plural(len(self.ladder.down(child)), "plan") if child.kind == "estimate" else ""
            chart.edge(me, self._box(chart, page, child, sub))
        if len(downs) > MAX_DOWN:
            chart.edge(me, self._more(chart, "more-down", len(downs) - MAX_DOWN, "below"))
        if len(chart.ids) == 1:
            return ""
        return fragments.fragment(diagrams.pre(chart.source()))

    def _function(self, page: Page, function: Node) -> str:
        """A function's estimates (right) and the key tasks each answers (left)."""
        chart = diagrams.Flowchart("LR")
        estimates = self.pb.estimates_of(function)
        shown = estimates[:MAX_DOWN]
        tasks = list({t.id: t for e in shown for t in self.ladder.up(e)}.values())[:MAX_UP]
        for task in tasks:
            self._box(chart, page, task)
        for estimate in shown:
            sub = plural(len(self.ladder.down(estimate)), "plan")
            box = self._box(chart, page, estimate, sub)
            for task in self.ladder.up(estimate):
                if task.id in chart.ids:
                    chart.edge(chart.ids[task.id], box)
        if len(estimates) > MAX_DOWN:
            self._more(chart, "more-down", len(estimates) - MAX_DOWN, "estimates")
        if not chart.ids:
            return ""
        return fragments.fragment(diagrams.pre(chart.source()))

    def factors(self, page: Page) -> list[tuple[Node, str]]:
        """Per success factor (up to ``MAX_FACTORS``): its key tasks and, for each, the
        functions whose estimates answer it, as an HTML fragment ("" when it has none)."""
        mission = next(self.ladder.of_kind("mission"), None)
        out = []
        factors = self.ladder.down(mission) if mission is not None else []
        for factor in factors[:MAX_FACTORS]:
            chart = diagrams.Flowchart("LR")
            top = self._box(chart, page, factor)
            tasks = self.ladder.down(factor)
            functions: set[str] = set()
            for task in tasks[:MAX_FACTOR_TASKS]:
                box = self._box(chart, page, task)
                chart.edge(top, box)
                answering = {e.owner.id: e.owner for e in self.ladder.down(task) if e.owner}
                for fid, function in answering.items():
                    if fid not in functions and len(functions) >= MAX_FACTOR_FUNCTIONS:
                        continue
                    functions.add(fid)
                    chart.edge(box, self._box(chart, page, function))
            if len(tasks) > MAX_FACTOR_TASKS:
                more = len(tasks) - MAX_FACTOR_TASKS
                chart.edge(top, self._more(chart, "more-tasks", more, "key tasks"))
            drawn = fragments.fragment(diagrams.pre(chart.source())) if tasks else ""
            out.append((factor, drawn))
        return out
