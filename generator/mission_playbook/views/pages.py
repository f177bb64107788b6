"""Rendering a playbook into Markdown pages: a pure function of the model and templates.

Pages are Markdown with blocks of HTML: what the generator knows exactly (fields, tables,
links, diagrams) is written as HTML fragments (``views/fragments.py``), prose from the
plans as Markdown.

``render(playbook, options)`` returns ``{docs path: Markdown}``; it writes nothing. The MkDocs
plugin adds these pages to a build, and ``playbook render`` writes them to a folder, so the
content does not depend on MkDocs. Templates are Jinja2 files: the packaged defaults, each
overridable by a playbook's own ``templates/`` folder, a whole file or one block at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import math
import posixpath
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from mission_playbook.checks import metrics, schedule, waterfall
from mission_playbook.checks.waterfall import Lever, StageNeed
from mission_playbook.model.ladder import LABELS, Node
from mission_playbook.model.validate import ID_FORM
from mission_playbook.playbook import Playbook
from mission_playbook.views import fragments, funnel, readiness, textsafe, timeline, trace
from mission_playbook.views.glossary import Glossary
from mission_playbook.views.ladder_diagrams import LadderDiagrams

PACKAGED_TEMPLATES = Path(__file__).parent / "templates"
_BLANK_RUNS = re.compile(r"\n{3,}")


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates: in memory for the life of the process, and the packaged ones on
    disk too, beside them in ``__pycache__`` as Python keeps a module's bytecode.

    Compiling the packaged templates cost a build about 0.14 s, and under ``mkdocs serve``
    each rebuild again. Jinja keys each entry by the template's name and file and checks it
    against the source's checksum, so an edited template is compiled again. Templates of a
    playbook's own folder are kept in memory only: its files come from pull requests. On
    disk, each file's name starts with a stamp of the product's code and Jinja's version (a
    change to a filter changes code Jinja may have folded into a template) and a write
    removes the files of other stamps; a folder that cannot be written is simply not used,
    and none is written under ``PYTHONDONTWRITEBYTECODE`` (:func:`compile_packaged` writes).

    The environment's settings are fixed in :func:`environment`, so one store serves every
    renderer of the process, with one rule: Jinja applies a filter to a constant while
    compiling, so a filter whose result depends on the playbook (``text``: the glossary) must
    take the context (``jinja2.pass_context``), which Jinja never applies early; otherwise one
    playbook's glossary would stay in the code the next build runs.
    """

    def __init__(self, folder: Path | None = None, write: bool | None = None) -> None:
        self.code: dict[str, bytes] = {}
        self.folder = folder
        self.write = not sys.dont_write_bytecode if write is None else write
        self.packaged: set[str] = set()  # keys of the templates kept on disk
        self._stamp: str | None = None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = super().get_cache_key(name, filename)
        if filename is not None and Path(filename).parent == PACKAGED_TEMPLATES:
            self.packaged.add(key)
        return key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is None and bucket.key in self.packaged and self.folder is not None:
            try:
                code = (self.folder / self._file(bucket.key)).read_bytes()
            except OSError:
                return
        if code is not None:
            try:
                bucket.bytecode_from_string(code)
            except Exception:  # a damaged file (Jinja unpickles its header): compile again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code[bucket.key] = bucket.bytecode_to_string()
        if bucket.key in self.packaged and self.folder is not None and self.write:
            self._write(self._file(bucket.key), code)

    def _file(self, key: str) -> str:
        if self._stamp is None:
            from mission_playbook.model.cache import code_stamp

            self._stamp = code_stamp()[:16] + "-" + jinja2.__version__
        return f"{self._stamp}-{key}.jinja"

    def _write(self, name: str, code: bytes) -> None:
        from mission_playbook.model.cache import write_atomic

        assert self.folder is not None
        write_atomic(self.folder / name, code)
        stamp = name.rsplit("-", 1)[0]
        try:
            for old in self.folder.glob("*.jinja"):
                if not old.name.startswith(stamp + "-"):
                    old.unlink(missing_ok=True)
        except OSError:
            return


_COMPILED = CompiledTemplates(PACKAGED_TEMPLATES / "__pycache__")


def environment(
    templates: Path | None, text: Callable[..., str], compiled: CompiledTemplates | None = None
) -> jinja2.Environment:
    """The templates' environment: a playbook's own folder first, then the packaged ones.

    ``text`` marks glossary terms in plan text; it must take the context (see
    :class:`CompiledTemplates`). ``compiled`` defaults to the process's store.
    """
    packaged = jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None and templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders += [jinja2.PrefixLoader({"default": packaged}), packaged]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # the output is Markdown: text is escaped by the filters below
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a Renderer lives for one build: no stat of the templates per page
        bytecode_cache=_COMPILED if compiled is None else compiled,
    )

    @jinja2.pass_context
    def amount_html(context: Any, value: object, unit: object = None, per: object = None) -> str:
        """``amount`` in an HTML fragment: ``225 MQLs a month``, the text through ``text``."""
        if value is None or value == "":
            return ""
        shown = [text(context, value) if isinstance(value, str) else textsafe.number(value)]
        if unit:
            shown.append(text(context, unit))
        if per:
            shown.append(f"a {html.escape(str(per))}")
        return " ".join(shown)

    env.filters.update(
        md=textsafe.markdown_block,
        inline=_memo(textsafe.markdown_inline),
        cell=_memo(textsafe.table_cell),
        number=textsafe.number,
        amount=textsafe.amount,
        text=text,  # plan text in an HTML fragment
        amount_html=amount_html,
        html=fragments.fragment,  # {% filter html %}<table>...</table>{% endfilter %}
        markdown=fragments.TemplateMarkdown(),  # {% filter markdown %}...{% endfilter %}
    )
    env.globals.update(label=lambda kind: LABELS.get(kind, kind))
    return env


def compile_packaged() -> list[str]:
    """Compile the packaged templates into their ``__pycache__``, as installing a package
    compiles its modules (``make site`` and ``make serve`` do it first); the names compiled."""
    store = CompiledTemplates(_COMPILED.folder, write=True)
    env = environment(None, jinja2.pass_context(lambda _context, value: str(value)), store)
    names = [n for n in env.list_templates(extensions=["j2"]) if "/" not in n]
    for name in names:
        env.get_template(name)  # read from the folder if there already, else compiled into it
    return names


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

#: Nodes shown as a section of another node's page.
ANCHORED = {"metric", "market", "customer", "stage"}

#: Rows of a list or table before the rest are summarised as "… and N more".
MAX_LIST = 30

#: The views of the whole playbook: (path, template, title).
VIEWS = (
    ("traceability.md", "traceability.md.j2", "Traceability"),
    ("metrics.md", "metrics.md.j2", "Metric ladder"),
    ("schedule.md", "schedule.md.j2", "Synchronization matrix"),
    ("customers.md", "customers.md.j2", "Customers and lifecycle"),
    ("coverage.md", "coverage.md.j2", "Coverage and findings"),
)


@dataclass
class Options:
    """How pages are rendered: template overrides and where the plan files live."""

    templates: Path | None = None
    source_root: Path | None = None  # edit links are relative to this folder
    directory_urls: bool = True
    changes: tuple[str, str] | None = None  # (base, Markdown) for the "What changed" page


@dataclass
class Page:
    """One page to render: its path, template, node and context."""

    path: str
    template: str
    title: str
    node: Node | None = None
    context: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the YAML file the page comes from (edit button)


def page_path(node: Node) -> str:
    """The docs path of a node's page, with an anchor for nodes shown within a page."""
    if node.kind in PAGE_OF:
        return PAGE_OF[node.kind].format(id=node.id)
    if node.kind == "metric" and node.owner is not None:
        return f"{page_path(node.owner)}#{node.id}"
    if node.kind == "stage":
        return f"waterfall.md#{node.id}"
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


def _memo(fn: Callable[[object], str]) -> Callable[[object], str]:
    """Remember a text filter's results: titles are escaped once, not once per link."""
    cached = functools.lru_cache(maxsize=1 << 16)(fn)

    def filt(value: object) -> str:
        return cached(value) if isinstance(value, str) else fn(value)

    return filt


_inline = _memo(textsafe.markdown_inline)


class Renderer:
    """Renders every page of a playbook; one instance per build."""

    def __init__(self, playbook: Playbook, options: Options | None = None) -> None:
        self.playbook = playbook
        self.options = options or Options()
        self.ladder = playbook.ladder
        self.dependents: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            for dep in dict.fromkeys(plan.data.depends_on):
                target = self.ladder.nodes.get(dep)
                if target is not None and target.kind == "plan":
                    self.dependents[dep].append(plan)
        self.plans_by_function: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            self.plans_by_function[str(plan.function)].append(plan)
        self.estimates_by_function: dict[str, list[Node]] = defaultdict(list)
        for estimate in self.ladder.of_kind("estimate"):
            if estimate.owner is not None:
                self.estimates_by_function[estimate.owner.id].append(estimate)
        self.metric_ladder = metrics.metric_ladder(self.ladder)
        self.glossary = Glossary(
            (t.term, t.definition, t.aliases)
            for g in self.ladder.of_kind("glossary")
            for t in g.data.terms
        )
        self.inline_html = fragments.InlineHtml(self.glossary)
        self.inline_unmarked = fragments.InlineHtml()
        self.diagrams = LadderDiagrams(self.ladder, self.estimates_of, self.plans_of)
        self.env = environment(self.options.templates, self._text)

    # --- Jinja -------------------------------------------------------------------------

    @jinja2.pass_context  # never applied while compiling: see CompiledTemplates
    def _text(self, _context: jinja2.runtime.Context, value: object) -> str:
        return self.inline_html(value)

    # --- the pages ---------------------------------------------------------------------

    def pages(self) -> list[Page]:
        """Every page of the site, in a stable order."""
        pb = self.playbook
        out = [
            Page(
                "index.md", "home.md.j2", pb.mission.title if pb.mission else "Playbook", pb.mission
            ),
        ]
        if pb.intent is not None:
            out.append(Page("intent.md", "intent.md.j2", "Commander's intent", pb.intent))
        templates = {
            "success_factor": "success_factor.md.j2",
            "key_task": "key_task.md.j2",
            "function": "function.md.j2",
            "estimate": "estimate.md.j2",
            "plan": "plan.md.j2",
        }
        for kind, template in templates.items():
            for node in self.ladder.of_kind(kind):
                if ID_FORM.fullmatch(node.id):  # a malformed id never becomes a path (PB013)
                    out.append(Page(page_path(node), template, node.title, node))
        out += [Page(path, template, title) for path, template, title in VIEWS]
        for node in self.ladder.of_kind("sla"):
            out.append(Page("waterfall.md", "waterfall.md.j2", "Demand waterfall", node))
            break
        if self.options.changes is not None:
            base, text = self.options.changes
            context = {"changes": text, "base": base}
            out.append(Page("changes.md", "changes.md.j2", "What changed", context=context))
        glossary = next(self.ladder.of_kind("glossary"), None)
        if glossary is not None:
            out.append(Page("glossary.md", "glossary.md.j2", "Glossary", glossary))
        for page in out:
            if page.node is not None:
                page.source = Path(page.node.doc.file)
        return out

    def render(self) -> dict[str, str]:
        """``{docs path: Markdown}`` for every page."""
        return {page.path: self.render_page(page) for page in self.pages()}

    def render_page(self, page: Page) -> str:
        context = self.context(page)
        text = self.env.get_template(page.template).render(context)
        # themes print titles as they are (<title>, navigation): no markup may reach them
        title = json.dumps(textsafe.plain(" ".join(page.title.split())), ensure_ascii=False)
        front = f"---\ntitle: {title}\n---\n\n"
        # glossary terms in fragments are marked already: define those of the Markdown only
        body = text.strip("\n") + "\n" + self.glossary.abbreviations(fragments.markdown_of(text))
        return front + _BLANK_RUNS.sub("\n\n", body)

    def context(self, page: Page) -> dict[str, Any]:
        here = page.path

        def link(node: Node | None, text: str | None = None) -> str:
            if node is None:
                return ""
            shown = _inline(text if text is not None else node.title)
            return f"[{shown}]({relative_md(here, page_path(node))})"

        def link_id(node_id: str, text: str | None = None) -> str:
            node = self.ladder.nodes.get(node_id)
            return link(node, text) if node is not None else f"`{textsafe.code(node_id)}`"

        def href(path: str) -> str:
            return relative_md(here, path)

        def a(node: Node | None, text: str | None = None) -> str:
            """A link in an HTML fragment."""
            if node is None:
                return ""
            target = page_path(node)
            url = (
                target[len(here) :]  # "#anchor" on this page
                if target.startswith(here + "#")
                else relative_url(here, target, self.options.directory_urls)
            )
            shown = self.inline_html(text if text is not None else node.title)
            return f'<a href="{html.escape(url)}">{shown}</a>'

        def url(node: Node) -> str:
            """The URL of a node's page from this one, escaped for an HTML attribute."""
            target = page_path(node)
            if target.startswith(here + "#"):
                return html.escape(target[len(here) :])
            return html.escape(relative_url(here, target, self.options.directory_urls))

        def url_path(path: str) -> str:
            """The URL of a page (its docs path) from this one, for an HTML attribute."""
            return html.escape(relative_url(here, path, self.options.directory_urls))

        def a_id(node_id: str, text: str | None = None) -> str:
            node = self.ladder.nodes.get(node_id)
            return a(node, text) if node is not None else f"<code>{html.escape(node_id)}</code>"

        return {
            **page.context,
            "page": page,
            "title": page.title,
            "node": page.node,
            "data": page.node.data if page.node is not None else None,
            "playbook": self.playbook,
            "pb": self,
            "link": link,
            "link_id": link_id,
            "href": href,
            "a": a,
            "a_id": a_id,
            "url": url,
            "url_path": url_path,
            "date": timeline.short_date,
            "breadcrumb": lambda: self.breadcrumb(page, a),
            "diagram": lambda: self.neighbourhood(page),
            "overview": lambda: self.factor_diagrams(page),
        }

    # --- building blocks used by templates ---------------------------------------------

    def breadcrumb(self, page: Page, link: Callable[..., str]) -> str:
        """Why this exists (HTML): every path up to a success factor, grouped by factor."""
        node = page.node
        if node is None or node.kind in ("mission", "intent", "sla", "glossary"):
            return ""
        if node.kind == "success_factor":
            mission = self.playbook.mission
            return f"it serves {link(mission, 'the mission')}." if mission is not None else ""
        found = self.paths_up(node)
        if not found.reasons:
            return "<em>nothing yet: it is not linked to a success factor.</em>"
        if found.direct:
            factors = [link(r.factor) for r in found.reasons]
            return "it serves " + _and(factors) + "."
        if len(found.reasons) == 1 and len(found.reasons[0].paths) == 1 and not found.more:
            path = [found.reasons[0].factor, *found.reasons[0].paths[0]]
            return " › ".join(link(n) for n in path)
        items = []
        for reason in found.reasons:
            paths = [" › ".join(link(n) for n in path) for path in reason.paths]
            if len(paths) == 1:
                items.append(f"<li>{link(reason.factor)} › {paths[0]}</li>")
            else:
                inner = "".join(f"<li>{p}</li>" for p in paths)
                items.append(f"<li>{link(reason.factor)}<ul>{inner}</ul></li>")
        if found.more:
            items.append(f"<li><em>… and {found.more} more</em></li>")
        return f"<ul>{''.join(items)}</ul>"

    def up(self, node: Node) -> list[Node]:
        return self.ladder.up(node)

    def down(self, node: Node) -> list[Node]:
        return self.ladder.down(node)

    def of_kind(self, kind: str) -> list[Node]:
        return list(self.ladder.of_kind(kind))

    def node(self, node_id: str) -> Node | None:
        return self.ladder.nodes.get(node_id)

    def estimates_of(self, function: Node) -> list[Node]:
        return self.estimates_by_function.get(function.id, [])

    def plans_of(self, function: Node) -> list[Node]:
        return self.plans_by_function.get(function.id, [])

    def plans_under(self, node: Node) -> list[Node]:
        """Every plan below a node on the ladder."""
        return [n for n in self.ladder.descendants(node) if n.kind == "plan"]

    #: Rows a list or table shows before "… and N more" (pages stay small at any scale).
    max_list = MAX_LIST

    def drivers(self, factor: Node) -> list[metrics.Driver]:
        return self.metric_ladder.get(factor.id, [])

    def drivers_by_function(self, factor: Node) -> list[tuple[Node | None, dict[str, int]]]:
        """Per function: how many outcome, leading and activity metrics drive a factor."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for d in self.drivers(factor):
            counts[str(d.metric.function)][str(d.metric.data.type)] += 1
        return [(self.node(f), dict(c)) for f, c in sorted(counts.items())]

    def waterfall(self) -> waterfall.Waterfall | None:
        return self.playbook.waterfalls[0] if self.playbook.waterfalls else None

    def matrix(self) -> tuple[list[Node], list[Node], dict[tuple[str, str], list[Node]]]:
        """Key tasks × functions: the plans of each function under each key task."""
        tasks = self.of_kind("key_task")
        functions = self.of_kind("function")
        cells: dict[tuple[str, str], list[Node]] = defaultdict(list)
        for task in tasks:
            for estimate in self.down(task):
                for plan in self.down(estimate):
                    cells[(task.id, str(plan.function))].append(plan)
        return tasks, functions, cells

    #: The headings of the coverage page: what nothing below serves, what serves nothing above.
    UNCOVERED: ClassVar[dict[str, str]] = {
        "success_factor": "Success factors no key task serves",
        "key_task": "Key tasks no estimate answers",
        "estimate": "Estimates no supporting plan carries out",
    }
    UNLINKED: ClassVar[dict[str, str]] = {
        "key_task": "Key tasks that serve no success factor",
        "estimate": "Estimates that answer no key task",
        "plan": "Supporting plans that support no estimate",
    }

    def uncovered(self) -> dict[str, list[Node]]:
        """Nodes with nothing below them, and nodes that reach nothing above them."""
        out: dict[str, list[Node]] = {}
        for kind, heading in self.UNCOVERED.items():
            out[heading] = [n for n in self.ladder.of_kind(kind) if not self.down(n)]
        for kind, heading in self.UNLINKED.items():
            out[heading] = [n for n in self.ladder.of_kind(kind) if not self.up(n)]
        return out

    def dependents_of(self, plan: Node) -> list[Node]:
        return self.dependents.get(plan.id, [])

    def readiness(self) -> list[readiness.Prerequisite]:
        return readiness.assess(self.ladder)

    # --- views of the whole playbook ----------------------------------------------------

    def lifecycle(self) -> list[str]:
        mission = self.playbook.mission
        return list(mission.data.lifecycle) if mission is not None else []

    def by_function(self, plans: Iterable[Node]) -> dict[str, list[Node]]:
        out: dict[str, list[Node]] = defaultdict(list)
        for plan in plans:
            out[str(plan.function)].append(plan)
        return out

    def lifecycle_matrix(self) -> dict[str, dict[str, list[Node]]]:
        """Lifecycle stage → function → the plans acting at that stage."""
        rows: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            rows[str(plan.data.lifecycle_stage or "")].append(plan)
        stages = [*self.lifecycle(), ""]
        return {s: self.by_function(rows.get(s, [])) for s in stages if s or rows.get(s)}

    def customer_matrix(self) -> list[tuple[Node, dict[str, list[Node]]]]:
        """Top customers (by market, then rank) → function → plans acting on the account."""
        acting: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            for customer in dict.fromkeys(plan.data.customers):
                acting[customer].append(plan)
        markets = {m.id: i for i, m in enumerate(self.ladder.of_kind("market"))}
        customers = sorted(
            self.ladder.of_kind("customer"),
            key=lambda c: (markets.get(c.data.market or "", len(markets)), c.data.rank or 999),
        )
        return [(c, self.by_function(acting.get(c.id, []))) for c in customers]

    def quarter_table(self) -> tuple[list[str], list[tuple[Node, list[list[Node]]]]]:
        """Functions × quarters of the horizon: the plans active in each quarter."""
        dated = [p for p in self.ladder.of_kind("plan") if p.data.start and p.data.end]
        if not dated:
            return [], []
        spans = schedule.quarters(*self.horizon(dated))
        rows = []
        for function in self.of_kind("function"):
            cells = [
                [
                    p
                    for p in self.plans_of(function)
                    if p.data.start
                    and p.data.end
                    and p.data.start <= q_end
                    and p.data.end >= q_start
                ]
                for _, q_start, q_end in spans
            ]
            rows.append((function, cells))
        return [label for label, _, _ in spans], rows

    def unscheduled(self) -> list[Node]:
        return [p for p in self.ladder.of_kind("plan") if not (p.data.start and p.data.end)]

    def cycles(self) -> list[list[Node]]:
        return [[self.ladder.nodes[i] for i in cycle] for cycle in self.playbook.cycles]

    def owners(self) -> dict[str, list[Node]]:
        """Function id → the waterfall stages it owns."""
        w = self.waterfall()
        out: dict[str, list[Node]] = defaultdict(list)
        for need in w.stages if w else []:
            out[str(need.stage.data.owner)].append(need.stage)
        return out

    def metrics_without_factor(self) -> list[Node]:
        reached = {d.metric.id for drivers in self.metric_ladder.values() for d in drivers}
        return [m for m in self.ladder.of_kind("metric") if m.id not in reached]

    # --- the reader's site: diagrams, timeline, funnel, paths up, words -----------------
    # (queries for the templates; the layout and arithmetic live in ladder_diagrams,
    # timeline, funnel, trace, checks.waterfall and checks.metrics)

    def _url_from(self, page: Page) -> Callable[[Node], str]:
        def url(node: Node) -> str:
            return relative_url(page.path, page_path(node), self.options.directory_urls)

        return url

    def neighbourhood(self, page: Page) -> str:
        """The node between what it supports and what supports it, as a diagram."""
        if page.node is None:
            return ""
        return self.diagrams.neighbourhood(page.node, self._url_from(page))

    def factor_diagrams(self, page: Page) -> list[tuple[Node, str]]:
        """The ladder at a glance: a diagram per success factor (its key tasks and the
        functions answering each)."""
        return self.diagrams.factors(self._url_from(page))

    def horizon(self, dated: list[Node]) -> tuple[dt.date, dt.date]:
        """The mission's horizon, or the span of the dated plans where it says nothing."""
        mission = self.playbook.mission
        horizon = mission.data.horizon if mission is not None else None
        first = (horizon.start if horizon and horizon.start else None) or min(
            p.data.start for p in dated
        )
        last = (horizon.end if horizon and horizon.end else None) or max(p.data.end for p in dated)
        return first, last

    def timeline(self) -> timeline.Timeline | None:
        """The synchronization matrix: each function's dated plans over the horizon."""
        dated = [p for p in self.ladder.of_kind("plan") if p.data.start and p.data.end]
        if not dated:
            return None
        first, last = self.horizon(dated)
        return timeline.layout(self.of_kind("function"), self.plans_of, first, last)

    def funnel(self) -> list[funnel.FunnelBar]:
        w = self.waterfall()
        return funnel.bars(w.stages) if w is not None else []

    def levers(self) -> list[Lever]:
        w = self.waterfall()
        return waterfall.levers(w) if w is not None else []

    def paths_up(self, node: Node) -> trace.Trace:
        return trace.paths_up(self.ladder, node)

    def plans_serving(self, node: Node) -> list[tuple[Node | None, list[Node]]]:
        """The plans below a node, by function (in the functions' order)."""
        by = self.by_function(self.plans_under(node))
        functions = [f for f in self.of_kind("function") if f.id in by]
        known = {f.id for f in functions}
        return [(f, by[f.id]) for f in functions] + [
            (None, plans) for fid, plans in by.items() if fid not in known
        ]

    def stage_name(self, stage_id: str) -> str:
        """A waterfall stage by its name (its id when it has none)."""
        stage = self.ladder.nodes.get(stage_id)
        if stage is None or stage.kind != "stage":
            return stage_id
        return str(stage.data.name or stage_id)

    @staticmethod
    def lifecycle_name(stage_id: str) -> str:
        """A customer lifecycle stage in words: ``on-the-radar`` → ``On the radar``."""
        words = stage_id.replace("-", " ")
        return words[:1].upper() + words[1:]

    def unmarked(self, value: object) -> str:
        """Plan text in HTML without its glossary terms marked (the glossary itself)."""
        return self.inline_unmarked(value)

    @staticmethod
    def attr(value: object) -> str:
        """Plan text, one line without markup, escaped for HTML (an attribute, a cell)."""
        return html.escape(textsafe.plain(" ".join(str(value).split())), quote=True)

    @staticmethod
    def term_id(term: str) -> str:
        """The anchor of a glossary term on the glossary page."""
        return "term-" + slug(term)

    def findings(self) -> list[Any]:
        """The check's errors, then its warnings (the health of the playbook)."""
        order = {"error": 0, "warning": 1}
        found = [d for d in self.playbook.diagnostics if d.severity.value in order]
        return sorted(found, key=lambda d: order[d.severity.value])

    def revenue_of(self, need: StageNeed) -> int:
        """The revenue of the deals a last stage yields, as shown (whole deals)."""
        w = self.waterfall()
        if w is None or need.yielded is None:
            return 0
        return int(need.yielded * waterfall.exact(w.sla.data.average_deal))

    @staticmethod
    def percent(value: object, up: bool = False) -> str:
        """A share as a percentage to a tenth at most: ``15%``, ``74.1%`` (``up``: rounded
        up, for a conversion that must at least be reached)."""
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            return ""
        tenths = (Fraction(str(value)) if isinstance(value, float) else Fraction(value)) * 1000
        shown = Fraction(math.ceil(tenths) if up else round(tenths), 10)
        text = f"{float(shown):.1f}".removesuffix(".0")
        return f"{text}%"

    @property
    def currency(self) -> str:
        mission = self.playbook.mission
        return str(mission.data.currency or "") if mission is not None else ""

    def money(self, value: object) -> str:
        """An amount of money with the playbook's currency: ``USD 10,000,000``, ``$10,000,000``."""
        amount = self.inline_html(value) if isinstance(value, str) else textsafe.number(value)
        currency = html.escape(self.currency)
        if not currency:
            return amount
        return f"{currency}\u00a0{amount}" if currency[-1:].isalpha() else f"{currency}{amount}"


def link_from(page: str, playbook: Playbook) -> Callable[[str], str | None]:
    """A function giving the Markdown link target from ``page`` to a node's page, if any."""

    def link(node_id: str) -> str | None:
        node = playbook.nodes.get(node_id)
        return relative_md(page, page_path(node)) if node is not None else None

    return link


def render(playbook: Playbook, options: Options | None = None) -> dict[str, str]:
    """Every page of a playbook as Markdown: ``{docs path: text}``."""
    return Renderer(playbook, options).render()


def sources(playbook: Playbook, options: Options | None = None) -> dict[str, Path]:
    """The YAML file behind each page that has one (for edit buttons)."""
    return {p.path: p.source for p in Renderer(playbook, options).pages() if p.source is not None}


def plural(count: int, word: str) -> str:
    """``1 plan``, ``2 plans``."""
    return f"{count} {word}{'s' * (count != 1)}"


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique(nodes: Iterable[Node]) -> list[Node]:
    return list({n.id: n for n in nodes}.values())
