"""The site's pages and their addresses: which pages a playbook has, where each node's page is,
and the links from one page to another (as Markdown targets and as browser URLs)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mission_playbook.model.ladder import Node
from mission_playbook.model.validate import ID_FORM
from mission_playbook.playbook import Playbook

#: Where each kind of node has its page ({id} is the node's id).
PAGE_OF = {
    "mission": "index.md",
    "intent": "intent.md",
    "success_factor": "factors/{id}.md",
    "key_task": "tasks/{id}.md",
    "function": "functions/{id}.md",
    "estimate": "estimates/{id}.md",
    "plan": "plans/{id}.md",
    "sla": "waterfall.md",
    "glossary": "glossary.md",
}

#: The template of each kind of node that has a page of its own, one page per node.
NODE_TEMPLATES = {
    "success_factor": "success_factor.md.j2",
    "key_task": "key_task.md.j2",
    "function": "function.md.j2",
    "estimate": "estimate.md.j2",
    "plan": "plan.md.j2",
}

#: The views of the whole playbook: (path, template, title).
VIEWS = (
    ("traceability.md", "traceability.md.j2", "Traceability"),
    ("metrics.md", "metrics.md.j2", "Metric ladder"),
    ("schedule.md", "schedule.md.j2", "Synchronization matrix"),
    ("customers.md", "customers.md.j2", "Customers and lifecycle"),
    ("coverage.md", "coverage.md.j2", "Coverage and findings"),
)


#: The scorecard (path, template, title): success factors and functions by status.
SCORECARD = ("scorecard.md", "scorecard.md.j2", "Scorecard")


#: The decision support matrix's page, when the playbook has assumption nodes.
DECISIONS = "decisions.md"


def has_decisions(playbook: Playbook) -> bool:
    """Whether the playbook has assumption nodes, and so a Decisions page."""
    return bool(playbook.assumptions.by_id)


@dataclass
class Page:
    """One page to render: its path, template, node and context."""

    path: str
    template: str
    title: str
    node: Node | None = None
    context: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the YAML file the page comes from (edit button)
    search: bool = True  # False: left out of the site's search index (the print pages)


def site_pages(playbook: Playbook, changes: tuple[str, str] | None = None) -> list[Page]:
    """Every page of the site, in a stable order; ``changes`` is the "What changed" page's
    (base, Markdown), when there is one."""
    ladder = playbook.ladder
    mission = playbook.mission
    out = [Page("index.md", "home.md.j2", mission.title if mission else "Playbook", mission)]
    if playbook.intent is not None:
        out.append(Page("intent.md", "intent.md.j2", "Commander's intent", playbook.intent))
    for kind, template in NODE_TEMPLATES.items():
        for node in ladder.of_kind(kind):
            if ID_FORM.fullmatch(node.id):  # a malformed id never becomes a path (PB013)
                out.append(Page(page_path(node), template, node.title, node))
    if playbook.as_of is not None:  # only with check-ins: the site without looks as before
        out.append(Page(*SCORECARD))
    out += [Page(path, template, title) for path, template, title in VIEWS]
    if has_decisions(playbook):
        out.append(Page(DECISIONS, "decisions.md.j2", "Decisions"))
    sla = next(ladder.of_kind("sla"), None)
    if sla is not None:
        out.append(Page("waterfall.md", "waterfall.md.j2", "Demand waterfall", sla))
    if changes is not None:
        base, text = changes
        context = {"changes": text, "base": base}
        out.append(Page("changes.md", "changes.md.j2", "What changed", context=context))
    glossary = next(ladder.of_kind("glossary"), None)
    if glossary is not None:
        out.append(Page("glossary.md", "glossary.md.j2", "Glossary", glossary))
    out += print_pages(playbook)
    for page in out:
        if page.node is not None:
            page.source = Path(page.node.doc.file)
    return out


#: The print page of the whole playbook's operation order, and of each function's.
PRINT_PAGE = "print.md"
FUNCTION_PRINT_PAGE = "print/{id}.md"


def print_pages(playbook: Playbook) -> list[Page]:
    """The operation order of the whole playbook and of each function (``views/order.py``):
    not in the navigation (the home page links them), not in the search index (their text is
    every other page's), no edit button (they come from every plan file)."""
    title = "Operation order"
    out = [Page(PRINT_PAGE, "print.md.j2", title, context={"function": None}, search=False)]
    for function in playbook.ladder.of_kind("function"):
        if ID_FORM.fullmatch(function.id):
            out.append(
                Page(
                    FUNCTION_PRINT_PAGE.format(id=function.id),
                    "print.md.j2",
                    f"{title}: {function.title}",
                    context={"function": function},
                    search=False,
                )
            )
    return out


def page_path(node: Node) -> str:
    """The docs path of a node's page, with an anchor for nodes shown within a page."""
    if node.kind in PAGE_OF:
        return PAGE_OF[node.kind].format(id=node.id)
    if node.kind == "metric" and node.owner is not None:
        return f"{page_path(node.owner)}#{node.id}"
    if node.kind == "stage":
        return f"waterfall.md#{node.id}"
    if node.kind == "assumption":
        return f"{DECISIONS}#{node.id}"
    return f"index.md#{node.id}"


def url_of(path: str, directory_urls: bool = True) -> str:
    """The site URL (relative to the site root) of a docs path."""
    path, _, anchor = path.partition("#")
    stem = path[: -len(".md")]
    if directory_urls:
        stem = (
            ""
            if stem == "index"
            else (stem[: -len("/index")] + "/" if stem.endswith("/index") else stem + "/")
        )
        url = stem
    else:
        url = stem + ".html"
    return url + (f"#{anchor}" if anchor else "")


def relative_url(from_path: str, to_path: str, directory_urls: bool = True) -> str:
    """A URL from one page to another, as a browser resolves it (links in HTML, diagrams)."""
    here = url_of(from_path, directory_urls).partition("#")[0]
    there, _, anchor = url_of(to_path, directory_urls).partition("#")
    base = here.split("/")[:-1]  # the folders of the page's URL
    target = there.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    rel = "../" * (len(base) - common) + "/".join(target[common:])
    return (rel or "./") + (f"#{anchor}" if anchor else "")


def relative_md(from_path: str, to_path: str) -> str:
    """A Markdown link target from one docs page to another (MkDocs resolves ``.md``)."""
    target, _, anchor = to_path.partition("#")
    if target == from_path and anchor:
        return f"#{anchor}"
    folder = from_path.rpartition("/")[0]
    if "/" not in folder:  # pages live at most one folder deep: the common, fast case
        if not folder:
            rel = target
        elif target.startswith(folder + "/"):
            rel = target[len(folder) + 1 :]
        else:
            rel = "../" + target
    else:
        rel = posixpath.relpath(target, folder)
    return rel + (f"#{anchor}" if anchor else "")


def link_from(page: str, playbook: Playbook) -> Callable[[str], str | None]:
    """A function giving the Markdown link target from ``page`` to a node's page, if any."""

    def link(node_id: str) -> str | None:
        node = playbook.nodes.get(node_id)
        if node is None or node.kind in ("people", "person"):  # people have no page
            return None
        return relative_md(page, page_path(node))

    return link
