"""The ladder drawn on a page: a node's neighbourhood and the overview of the whole ladder,
as Mermaid flowcharts whose boxes link to the nodes' pages (``views/diagrams.py`` writes
the Mermaid)."""

from __future__ import annotations

from mission_playbook.model.ladder import Node
from mission_playbook.views import diagrams, fragments
from mission_playbook.views.queries import Queries
from mission_playbook.views.sitemap import Page, page_path, relative_url

#: Diagram caps: boxes drawn per group before "N more".
MAX_UP, MAX_DOWN, MAX_OVERVIEW_TASKS = 12, 24, 40


class LadderDiagrams:
    """The diagrams of one build's pages."""

    def __init__(self, pb: Queries, directory_urls: bool = True) -> None:
        self.pb = pb
        self.directory_urls = directory_urls

    def _box(self, chart: diagrams.Flowchart, page: Page, node: Node, sub: str = "") -> str:
        url = relative_url(page.path, page_path(node), self.directory_urls)
        text = node.title if node.kind != "mission" else f"Mission: {node.title}"
        return chart.box(node.id, text, node.kind, url, sub)

    @staticmethod
    def _more(chart: diagrams.Flowchart, key: str, count: int, what: str) -> str:
        return chart.box(key, f"… and {count} more {what}", "more")

    def neighbourhood(self, page: Page) -> str:
        """The page's node, what it supports above and what supports it below (HTML)."""
        node = page.node
        if node is None:
            return ""
        pb = self.pb
        chart = diagrams.Flowchart("TB")
        me = self._box(chart, page, node)
        ups = pb.up(node) if node.kind != "function" else []
        downs = pb.down(node)
        if node.kind == "function":
            downs = pb.estimates_of(node)
            tasks = {t.id: t for e in downs for t in pb.up(e)}
            for task in list(tasks.values())[:MAX_UP]:
                chart.edge(self._box(chart, page, task), me)
        for parent in ups[:MAX_UP]:
            chart.edge(self._box(chart, page, parent), me)
        if len(ups) > MAX_UP:
            chart.edge(self._more(chart, "more-up", len(ups) - MAX_UP, "above"), me)
        for child in downs[:MAX_DOWN]:
            sub = ""
            if child.kind == "estimate":
                sub = plural(len(pb.down(child)), "plan")
            chart.edge(me, self._box(chart, page, child, sub))
        if len(downs) > MAX_DOWN:
            chart.edge(me, self._more(chart, "more-down", len(downs) - MAX_DOWN, "below"))
        if node.kind == "plan":
            for dep_id in list(dict.fromkeys(node.data.depends_on))[:MAX_UP]:
                dep = pb.node(dep_id)
                if dep is not None and dep.kind == "plan":
                    chart.edge(self._box(chart, page, dep, "depends on"), me, dashed=True)
        if len(chart.ids) == 1:
            return ""
        return fragments.fragment(diagrams.pre(chart.source()))

    def overview(self, page: Page) -> str:
        """The whole ladder at a glance (a fence): mission, success factors, key tasks,
        functions."""
        pb = self.pb
        mission = pb.playbook.mission
        if mission is None:
            return ""
        chart = diagrams.Flowchart("LR")
        top = self._box(chart, page, mission)
        for factor in pb.down(mission):
            chart.edge(top, self._box(chart, page, factor))
        tasks = pb.of_kind("key_task")
        for task in tasks[:MAX_OVERVIEW_TASKS]:
            me = self._box(chart, page, task)
            for factor in pb.up(task):
                chart.edge(chart.ids[factor.id], me)
        if len(tasks) > MAX_OVERVIEW_TASKS:
            self._more(chart, "more-tasks", len(tasks) - MAX_OVERVIEW_TASKS, "key tasks")
        for function in pb.of_kind("function"):
            estimates = pb.estimates_of(function)
            plans = pb.plans_of(function)
            sub = f"{plural(len(estimates), 'estimate')}, {plural(len(plans), 'plan')}"
            box = self._box(chart, page, function, sub)
            served = {t.id for e in estimates for t in pb.up(e)}
            for task in tasks[:MAX_OVERVIEW_TASKS]:
                if task.id in served:
                    chart.edge(chart.ids[task.id], box)
        return diagrams.fence(chart.source())


def plural(count: int, word: str) -> str:
    """``1 plan``, ``2 plans``."""
    return f"{count} {word}{'s' * (count != 1)}"
