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

import functools
import html
import json
import posixpath
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mission_playbook.checks import metrics, schedule, waterfall
from mission_playbook.model.ladder import LABELS, Node
from mission_playbook.model.validate import ID_FORM
from mission_playbook.playbook import Playbook
from mission_playbook.views import diagrams, fragments, readiness, textsafe
from mission_playbook.views.glossary import Glossary

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

#: Diagram caps: boxes drawn per group before "N more".
MAX_UP, MAX_DOWN, MAX_OVERVIEW_TASKS = 12, 24, 40
#: Rows of a list or table before the rest are summarised as "… and N more".
MAX_LIST = 30
#: Gantt bars per function before the rest are summarised in one bar.
MAX_BARS = 40

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
    # links in HTML fragments as .md paths, for a builder that resolves them in HTML (Zensical)
    md_links: bool = False


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
            if target.startswith(here + "#"):
                url = target[len(here) :]  # "#anchor" on this page
            elif self.options.md_links:
                url = relative_md(here, target)
            else:
                url = relative_url(here, target, self.options.directory_urls)
            shown = self.inline_html(text if text is not None else node.title)
            return f'<a href="{html.escape(url)}">{shown}</a>'

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
            "breadcrumb": lambda: self.breadcrumb(page, a),
            "diagram": lambda: self.neighbourhood(page),
            "overview": lambda: self.overview(page),
        }

    # --- building blocks used by templates ---------------------------------------------

    def breadcrumb(self, page: Page, link: Callable[..., str]) -> str:
        """The trace up to the mission (HTML): why this exists."""
        if page.node is None or page.node.kind in ("mission", "intent", "sla", "glossary"):
            return ""
        trail = self.ladder.trace(page.node)
        if page.node.kind == "function":
            trail = [n for n in trail if n.kind == "mission"] + [page.node]
        if trail and trail[0].kind != "mission" and self.playbook.mission is not None:
            trail = [self.playbook.mission, *trail]
        parts = [link(n, n.title if n.kind != "mission" else "Mission") for n in trail[:-1]]
        parts.append(f"<strong>{self.inline_html(page.node.title)}</strong>")
        return " › ".join(parts)

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

    def uncovered(self) -> dict[str, list[Node]]:
        """Nodes with nothing below them, and nodes that reach nothing above them."""
        out: dict[str, list[Node]] = {}
        for kind in ("success_factor", "key_task", "estimate"):
            out[f"uncovered {LABELS[kind]}s"] = [
                n for n in self.ladder.of_kind(kind) if not self.down(n)
            ]
        for kind in ("key_task", "estimate", "plan"):
            out[f"orphan {LABELS[kind]}s"] = [
                n for n in self.ladder.of_kind(kind) if not self.up(n)
            ]
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

    def gantt(self) -> str:
        """The synchronization matrix as a Gantt chart: a section per function."""
        sections = []
        functions = self.of_kind("function")
        # a bar and up to 3 milestones per plan, lines under ~100 characters: stay well
        # under Mermaid's 50,000 characters however many functions there are
        cap = min(MAX_BARS, max(2, 450 // max(1, len(functions)) // 4))
        for function in functions:
            dated = [p for p in self.plans_of(function) if p.data.start and p.data.end]
            ordered = schedule.topological(dated)
            bars = []
            for plan in ordered[:cap]:
                bars.append(
                    diagrams.Bar(plan.id, plan.title, str(plan.data.start), str(plan.data.end))
                )
                for ms in plan.data.milestones[:3]:
                    if ms.date is not None:
                        bars.append(diagrams.Bar(plan.id, ms.title, str(ms.date), "", True))
            if len(ordered) > cap:
                rest = ordered[cap:]
                first = min(str(p.data.start) for p in rest)
                last = max(str(p.data.end) for p in rest)
                bars.append(diagrams.Bar("more", f"{len(rest)} more plans", first, last))
            if bars:
                sections.append((function.title, bars))
        return diagrams.fence(diagrams.gantt(sections)) if sections else ""

    def quarter_table(self) -> tuple[list[str], list[tuple[Node, list[list[Node]]]]]:
        """Functions × quarters of the horizon: the plans active in each quarter."""
        dated = [p for p in self.ladder.of_kind("plan") if p.data.start and p.data.end]
        if not dated:
            return [], []
        mission = self.playbook.mission
        horizon = mission.data.horizon if mission is not None else None
        first = (horizon.start if horizon and horizon.start else None) or min(
            p.data.start for p in dated
        )
        last = (horizon.end if horizon and horizon.end else None) or max(p.data.end for p in dated)
        spans = schedule.quarters(first, last)
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

    def funnel_chart(self) -> str:
        """The waterfall as a chart: volume needed (bars) and committed (line) per stage."""
        w = self.waterfall()
        if w is None or not w.stages:
            return ""
        labels = [
            name if len(name := s.stage.data.name or s.stage.id) <= 14 else s.stage.id.upper()
            for s in w.stages
        ]
        needed = [s.needed for s in w.stages]
        series = [needed]
        if all(s.committed is not None for s in w.stages):
            series.append([int(s.committed or 0) for s in w.stages])
        chart = diagrams.bar_chart(f"Volume needed a {w.period}", labels, series, f"per {w.period}")
        return diagrams.fence(chart)

    def sensitivity(self) -> list[tuple[Node, int, int]]:
        w = self.waterfall()
        if w is None:
            return []
        return [
            (self.ladder.nodes[stage_id], volume, saved)
            for stage_id, volume, saved in waterfall.sensitivity(w.sla.data)
            if stage_id in self.ladder.nodes
        ]

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

    # --- diagrams ----------------------------------------------------------------------

    def _box(self, chart: diagrams.Flowchart, page: Page, node: Node, sub: str = "") -> str:
        url = relative_url(page.path, page_path(node), self.options.directory_urls)
        text = node.title if node.kind != "mission" else f"Mission: {node.title}"
        return chart.box(node.id, text, node.kind, url, sub)

    def _more(self, chart: diagrams.Flowchart, key: str, count: int, what: str) -> str:
        return chart.box(key, f"… and {count} more {what}", "more")

    def neighbourhood(self, page: Page) -> str:
        """The node, what it supports above and what supports it below, as a diagram."""
        node = page.node
        if node is None:
            return ""
        chart = diagrams.Flowchart("TB")
        me = self._box(chart, page, node)
        ups = self.up(node) if node.kind != "function" else []
        downs = self.down(node)
        if node.kind == "function":
            downs = self.estimates_of(node)
            tasks = {t.id: t for e in downs for t in self.up(e)}
            for task in list(tasks.values())[:MAX_UP]:
                chart.edge(self._box(chart, page, task), me)
        for parent in ups[:MAX_UP]:
            chart.edge(self._box(chart, page, parent), me)
        if len(ups) > MAX_UP:
            chart.edge(self._more(chart, "more-up", len(ups) - MAX_UP, "above"), me)
        for child in downs[:MAX_DOWN]:
            sub = ""
            if child.kind == "estimate":
                sub = plural(len(self.down(child)), "plan")
            chart.edge(me, self._box(chart, page, child, sub))
        if len(downs) > MAX_DOWN:
            chart.edge(me, self._more(chart, "more-down", len(downs) - MAX_DOWN, "below"))
        if node.kind == "plan":
            for dep_id in list(dict.fromkeys(node.data.depends_on))[:MAX_UP]:
                dep = self.node(dep_id)
                if dep is not None and dep.kind == "plan":
                    chart.edge(self._box(chart, page, dep, "depends on"), me, dashed=True)
        if len(chart.ids) == 1:
            return ""
        return fragments.fragment(diagrams.pre(chart.render()))

    def overview(self, page: Page) -> str:
        """The whole ladder at a glance: mission, success factors, key tasks, functions."""
        mission = self.playbook.mission
        if mission is None:
            return ""
        chart = diagrams.Flowchart("LR")
        top = self._box(chart, page, mission)
        for factor in self.down(mission):
            chart.edge(top, self._box(chart, page, factor))
        tasks = self.of_kind("key_task")
        for task in tasks[:MAX_OVERVIEW_TASKS]:
            me = self._box(chart, page, task)
            for factor in self.up(task):
                chart.edge(chart.ids[factor.id], me)
        if len(tasks) > MAX_OVERVIEW_TASKS:
            self._more(chart, "more-tasks", len(tasks) - MAX_OVERVIEW_TASKS, "key tasks")
        for function in self.of_kind("function"):
            estimates = self.estimates_of(function)
            plans = self.plans_of(function)
            sub = f"{plural(len(estimates), 'estimate')}, {plural(len(plans), 'plan')}"
            box = self._box(chart, page, function, sub)
            served = {t.id for e in estimates for t in self.up(e)}
            for task in tasks[:MAX_OVERVIEW_TASKS]:
                if task.id in served:
                    chart.edge(chart.ids[task.id], box)
        return diagrams.fence(chart.render())


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


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique(nodes: Iterable[Node]) -> list[Node]:
    return list({n.id: n for n in nodes}.values())
