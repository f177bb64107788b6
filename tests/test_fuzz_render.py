"""Hostile text in every text field: the check and the pages never fail, and no page carries HTML.

A complete, valid playbook is written with text drawn by hypothesis (or taken from a list of
known attacks) in every free-text field: titles, names, statements, objectives, estimates,
risks, stage definitions, glossary terms and definitions. It must load without a PB001, render
without an exception, and every page, converted with the site's Markdown extensions, must be
safe HTML (``assert_safe_html``): no ``<script``, no ``on*=`` attribute, no ``javascript:``,
``data:`` or ``vbscript:`` URL, no tag outside the few the templates make, no image, and no
text that would turn into a tag if a script re-read it as HTML (Material's tooltips do). Every
Mermaid diagram must consist of the lines the generator writes and nothing else.

``PAYLOADS`` and ``hostile_plans`` are shared with the browser test (``browser/test_injection``).
"""

from __future__ import annotations

import datetime as dt
import html
import html.parser
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mermaid2 import fence_mermaid_custom  # type: ignore[import-untyped]

from mission_playbook.playbook import load
from mission_playbook.views import diagrams, pages, textsafe
from mission_playbook.views.fragments import FragmentExtension
from mission_playbook.views.glossary import Glossary

#: Runs when a payload runs: the browser test asserts it never does.
RUN = "window.__pwned=1;alert(1)"

PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src=x onerror="{RUN}">',
    f"<svg/onload={RUN}>",
    f"<iframe src=javascript:{RUN}></iframe>",
    f'<a href="javascript:{RUN}">a link</a>',
    f"<details open ontoggle={RUN}>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}>",
    f"</title><script>{RUN}</script>",
    f"</textarea></noscript><img src=x onerror={RUN}>",
    f'" onmouseover="{RUN}" x="',
    f"' onmouseover='{RUN}' x='",
    f"[a link](javascript:{RUN})",
    f"[a link](JaVaScRiPt:{RUN})",
    f"[a link](  javascript:{RUN})",
    f"[a link](<javascript:{RUN}>)",
    f"[a link](jav\tascript:{RUN})",
    f"[a link](jav\nascript:{RUN})",
    f"[a link](jav&#x09;ascript:{RUN})",
    f"[a link](&#106;avascript:{RUN})",
    f"[a link](&#x6A;avascript:{RUN})",
    f"[a link](javascript&colon;{RUN})",
    f"[a link](java\\script:{RUN})",
    f"[a link](\\javascript:{RUN})",
    "[a link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a link](vbscript:msgbox(1))",
    f"![an image](javascript:{RUN})",
    "![an image](https://evil.example/pixel.png)",
    "![an image](//evil.example/pixel.png)",
    f"a [reference][r] link\n\n[r]: javascript:{RUN}",
    f'a [reference][r] link\n\n[r]: <javascript:{RUN}> "title"',
    f"[r]:\n  javascript:{RUN}\n\n[r]",
    f"<javascript:{RUN}>",
    "<https://evil.example/autolink>",
    "<mailto:someone@evil.example>",
    f"&lt;img src=x onerror={RUN}&gt;",
    f"&#60;img src=x onerror={RUN}&#62;",
    f"&LT;img src=x onerror={RUN}&GT;",
    f"&ltimg src=x onerror={RUN}&gt",
    f"&\\#60;img src=x onerror={RUN}&\\#62;",
    f"<\\!-- a comment --> <\\![an image](javascript:{RUN})",
    f"[a link](https://ok.example){{onclick={RUN}}}",
    f"[a link](https://ok.example){{: href=javascript:{RUN} }}",
    f"a paragraph\n{{: onmouseover={RUN} }}",
    f"# a heading {{: onclick={RUN} }}",
    f"a heading\n{{#mermaid .mermaid onclick={RUN}}}",
    f'[a link](https://ok.example "<img src=x onerror={RUN}>")',
    f"*[HTML]: <img src=x onerror={RUN}>\n\nHTML and more",
    f'!!! note "<img src=x onerror={RUN}>"\n    an admonition',
    "!!! md-header md-dialog mermaid\n    an admonition dressed as the site",
    "```mermaid\nflowchart TB\n  A-->B\n  click A call alert(1)\n```",
    "~~~ .mermaid\nflowchart TB\n  A-->B\n~~~",
    "```{.mermaid}\n%%{init: {'securityLevel': 'loose'}}%%\nflowchart TB\n  A-->B\n```",
    "%%{init: {'securityLevel': 'loose', 'startOnLoad': true}}%%",
    '"]) \n  click n0 href "javascript:alert(1)"\n  n9(["',
    'A"] --> B["<img src=x onerror=alert(1)>',
    "click n0 call alert(1)",
    "dateFormat YYYY",
    "section injected",
    "todayMarker stroke-width:50px",
    "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "\u202e\u2066 reversed text \u2069",
    "\x1b[31m red \x1b[0m \x07 \x08",
    "| a | b |\n|---|---|\n| <script>x</script> | y |",
    "<!-- a comment --> <![CDATA[ x ]]> <?php echo 1; ?>",
    f"`<script>{RUN}</script>`",
    f"\\<script>{RUN}</script>",
    f"\\\\[a link](javascript:{RUN})",
    f"[a \\] link](javascript:{RUN})",
    "\\",
    "---\ntitle: front matter\n---",
    "[TOC]",
    "R&D, AT&T, <24 hours, a < b > c, x&&y, 5 > 3",
]

#: Tags the templates and Markdown make; anything else came from a plan.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "small", "span",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
TAG_START = re.compile(r"<[A-Za-z/!?]")

EXTENSIONS = ["abbr", "admonition", "attr_list", "tables", "toc", "pymdownx.superfences"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": True},
    "pymdownx.superfences": {
        "custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_mermaid_custom}]
    },
}


def to_html(text: str) -> str:
    """Markdown as the site converts it (the extensions of mkdocs.yml, and the plugin's)."""
    html_text: str = markdown.markdown(
        text, extensions=[*EXTENSIONS, FragmentExtension()], extension_configs=EXTENSION_CONFIGS
    )
    return html_text


def page_html(page: str) -> str:
    """A rendered page as the site converts it: its front matter (the title) dropped."""
    assert page.startswith("---\ntitle: ")
    return to_html(page.split("\n---\n", 1)[1])


class _Inspector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r}")
            if name in URL_ATTRIBUTES:
                url = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(33)))).lower()
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r}")
                if tag != "a":
                    self.problems.append(f"<{tag} {name}=...>: loads something")
            if TAG_START.search(value):
                self.problems.append(f"markup in {name}={value!r}")
            if name == "class" and any(c.startswith("md-") for c in value.split()):
                self.problems.append(f"the theme's class {value!r}")

    def handle_data(self, data: str) -> None:
        if TAG_START.search(data):
            self.problems.append(f"markup in text {data!r}")


def html_problems(html_text: str) -> list[str]:
    """Why a converted page is unsafe; empty when it is safe."""
    problems = []
    if re.search(r"<script", html_text, re.I):
        problems.append("<script")
    inspector = _Inspector()
    inspector.feed(html_text)
    inspector.close()
    return problems + inspector.problems


# --- Mermaid: only the lines the generator writes ------------------------------------------

_LABEL = r"(?:[A-Za-z0-9 ,.\-_/()'?!+:]|#\d+;)*"
_OPEN = r'(?:\(\["|\{\{"|\["|\[\["|\[/"|\(")'
_CLOSE = r'(?:"\]\)|"\}\}|"\]|"\]\]|"/\]|"\))'
_PLAIN = r"[A-Za-z0-9 ,.\-_/()'?!+&…\u2060]*"
_DATE = r"\d{4}-\d\d-\d\d"
MERMAID_LINE = re.compile(
    "|".join(
        [
            r"flowchart (?:TB|LR)",
            rf"  n\d+{_OPEN}{_LABEL}(?: · {_LABEL})?{_CLOSE}",
            r'  click n\d+ href "[A-Za-z0-9._/#\-]*"',
            r"  n\d+ -\.?-> n\d+",
            r"gantt",
            r"  dateFormat YYYY-MM-DD",
            r"  axisFormat %b %Y",
            rf"  (?:title|section) {_PLAIN}",
            rf"  {_PLAIN} :(?:milestone, {_DATE}, 0d|{_DATE}, {_DATE})",
            r"xychart-beta",
            rf'  title "{_PLAIN}"',
            rf'  x-axis \["{_PLAIN}"(?:, "{_PLAIN}")*\]',
            rf'  y-axis "{_PLAIN}" 0 --> \d+',
            r"  (?:bar|line) \[\d+(?:, \d+)*\]",
        ]
    )
)
GANTT_STATEMENT = re.compile(
    r"  (?:gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes"
    r"|todaymarker|weekday|weekend|title|acctitle|accdescr|section|click|\d{4}-\d\d-\d\d)\b",
    re.I,
)


def mermaid_problems(text: str) -> list[str]:
    """Lines of the page's diagrams that the generator does not write."""
    problems = []
    for source in diagrams.sources(text):
        if not source.startswith(diagrams.CONFIG):
            problems.append(f"diagram without the generator's settings: {source[:40]!r}")
        lines = source.removeprefix(diagrams.CONFIG).splitlines()
        for line in lines:
            if not MERMAID_LINE.fullmatch(line):
                problems.append(f"diagram line {line!r}")
        if lines and lines[0] == "gantt":
            tasks = [x for x in lines[3:] if not x.startswith(("  title ", "  section "))]
            problems += [f"Gantt statement {x!r}" for x in tasks if GANTT_STATEMENT.match(x)]
    return problems


# --- a playbook with hostile text in every field ---------------------------------------------


def _quote(text: str) -> str:
    """A YAML double-quoted scalar holding exactly ``text``."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFFFD or code >= 0x10000) and code not in (
            0x2028,
            0x2029,
            0xFEFF,
        ):
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out) + '"'


def to_yaml(value: Any) -> str:
    """Flow-style YAML (one line) for plain values; strings always quoted, dates as dates."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_yaml(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _quote(str(value))


def hostile_plans(text: Callable[[str], str]) -> dict[str, str]:
    """A complete, valid playbook (path under plans/ → YAML) whose every free-text field is
    ``text(field)``; ids, dates, numbers and kinds are fixed so that it checks clean."""
    d = dt.date
    mission = {
        "kind": "mission",
        "id": "m",
        "title": text("mission title"),
        "statement": text("statement"),
        "commander": text("commander"),
        "horizon": {"start": d(2027, 1, 1), "end": d(2027, 12, 31)},
        "success_factors": [
            {
                "id": "sf-a",
                "title": text("success factor title"),
                "description": text("success factor description"),
                "metric": {"name": text("measure"), "unit": text("unit"), "baseline": 1,
                           "target": 10, "direction": "increase", "by": d(2027, 12, 31)},
            },
            {
                "id": "sf-b",
                "title": text("second success factor"),
                "metric": {"name": text("measure"), "baseline": text("baseline"),
                           "target": text("target")},
            },
        ],
        "environment": {
            "markets": [{"id": "mk-a", "name": text("market"), "priority": text("priority")}],
            "customers": [{"id": "cu-a", "name": text("customer"), "market": "mk-a", "rank": 1}],
            "competitors": [text("competitor")],
            "facts": [text("fact")],
            "assumptions": [text("assumption")],
        },
    }  # fmt: skip
    intent = {
        "kind": "intent",
        "id": "intent",
        "purpose": text("purpose"),
        "vision": text("vision"),
        "design": text("design"),
        "end_state": [{"condition": text("end state"), "measured_by": "sf-a"}],
        "key_tasks": [
            {"id": "kt-a", "title": text("key task"), "description": text("key task text"),
             "supports": ["sf-a"], "priority": text("key task priority"), "markets": ["mk-a"]},
            {"id": "kt-b", "title": text("key task"), "supports": ["sf-b"], "priority": 2},
        ],
        "guidance": [text("guidance")],
        "constraints": [text("constraint")],
    }  # fmt: skip

    def function(fid: str, estimates: list[tuple[str, str]]) -> dict[str, Any]:
        return {
            "kind": "function",
            "id": fid,
            "name": text("function name"),
            # a leader as text, and as a person written in place
            "leader": text("leader") if fid == "marketing" else {
                "name": text("leader"), "role": text("leader role"), "handle": "@sales-lead",
                "email": "lead@example.com"},
            "role": text("role"),
            "mission_analysis": {
                "specified_tasks": [{"task": text("specified task"), "from": "kt-a"}],
                "implied_tasks": [text("implied task")],
                "facts": [text("fact")],
                "assumptions": [text("assumption")],
                "constraints": [text("constraint")],
                "risks": [{"risk": text("risk"), "likelihood": text("likelihood"),
                           "impact": text("impact"), "mitigation": text("mitigation")}],
            },
            "estimates": [
                {"id": eid, "title": text("estimate"), "supports": [kt],
                 "situation": text("situation"), "capabilities": text("capabilities"),
                 "shortfalls": text("shortfalls"), "conclusion": text("conclusion"),
                 "recommendation": text("recommendation")}
                for eid, kt in estimates
            ],
            "concept": text("concept"),
        }  # fmt: skip

    def plan(pid: str, fid: str, est: str, metric: str, **more: Any) -> dict[str, Any]:
        return {
            "kind": "plan",
            "id": pid,
            "title": text("plan title"),
            "function": fid,
            "owner": text("owner"),
            "supports": [est],
            "objective": text("objective"),
            "start": d(2027, 2, 1),
            "end": d(2027, 3, 31),
            "lifecycle_stage": "opportunity",
            "markets": ["mk-a"],
            "customers": ["cu-a"],
            "milestones": [{"title": text("milestone"), "date": d(2027, 3, 1)}],
            "budget": text("budget"),
            "metrics": [
                {"id": metric, "name": text("metric"), "unit": text("metric unit"),
                 "target": text("metric target"), "per": "quarter", "type": "outcome",
                 "drives": "sf-a" if fid == "marketing" else "sf-b"},
            ],
            **more,
        }  # fmt: skip

    stage_ids = ["inquiry", "mql", "won"]
    sla = {
        "kind": "sla",
        "id": "sla",
        "parties": ["marketing", "sales"],
        "period": "quarter",
        "revenue_target": 1_000_000,
        "run_rate_share": 0.5,
        "average_deal": 10_000,
        "stages": [
            {"id": sid, "name": text("stage name"), "owner": "marketing" if i < 2 else "sales",
             **({"conversion": 0.5} if i < 2 else {}), "definition": text("stage definition"),
             "entry": text("entry"), "exit": text("exit"),
             "system_of_record": text("system of record")}
            for i, sid in enumerate(stage_ids)
        ],
    }  # fmt: skip
    glossary = {
        "kind": "glossary",
        "id": "glossary",
        "terms": [
            {"term": text("term"), "definition": text("definition"), "aliases": [text("alias")]},
            {"term": "Plan", "definition": text("definition of a common word")},
        ],
    }
    docs = {
        "mission.yaml": mission,
        "intent.yaml": intent,
        "functions/marketing.yaml": function("marketing", [("est-a", "kt-a")]),
        "functions/sales.yaml": function("sales", [("est-b", "kt-b")]),
        "functions/marketing/plan-a.yaml": plan("plan-a", "marketing", "est-a", "met-a"),
        "functions/sales/plan-b.yaml": plan(
            "plan-b", "sales", "est-b", "met-b", depends_on=["plan-a"], start=d(2027, 4, 1),
            owner={"person": "p-a"},
            end=d(2027, 6, 30), milestones=[{"title": text("milestone"), "date": d(2027, 5, 1)}]
        ),
        "sla.yaml": sla,
        "glossary.yaml": glossary,
        "people.yaml": {
            "kind": "people", "id": "people",
            "people": [{"id": "p-a", "name": text("person"), "role": text("person role"),
                        "handle": "@p-a"}]},
    }  # fmt: skip
    return {path: to_yaml(doc) + "\n" for path, doc in docs.items()}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def check_and_render(root: Path) -> dict[str, str]:
    """Load, assert no finding but what hostile text may cause, render every page."""
    playbook = load(root)
    codes = {d.code for d in playbook.diagnostics}
    assert "PB001" not in codes, [str(d) for d in playbook.diagnostics]
    return pages.render_pages(playbook)


def title_problems(page: str) -> list[str]:
    """The front matter's title: MkDocs themes print it as it is (no escaping), so no tag and
    no character reference may form in it."""
    title = json.loads(page.split("\n", 2)[1].removeprefix("title: "))
    if TAG_START.search(title) or re.search(r"&#?\w+;", title):
        return [f"markup in the page title {title!r}"]
    return []


def assert_safe(rendered: dict[str, str]) -> None:
    problems = {}
    for path, text in rendered.items():
        found = html_problems(page_html(text)) + mermaid_problems(text) + title_problems(text)
        if found:
            problems[path] = found
    assert problems == {}


# --- tests -----------------------------------------------------------------------------------


def cycle(texts: list[str]) -> Callable[[str], str]:
    source: Iterator[str] = itertools.cycle(texts)
    return lambda field: next(source)


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_known_attacks_in_every_field(tmp_path: Path, offset: int) -> None:
    """Every payload lands in several fields (shifted, so each meets each kind of field)."""
    texts = PAYLOADS[offset:] + PAYLOADS[:offset]
    playbook_root = write(tmp_path / "plans", hostile_plans(cycle(texts)))
    playbook = load(playbook_root)
    assert playbook.diagnostics == [], [str(d) for d in playbook.diagnostics]
    assert_safe(pages.render_pages(playbook))


def test_known_attacks_as_a_single_field(tmp_path: Path) -> None:
    """All payloads in one text: they cannot combine into something that runs."""
    joined = "\n\n".join(PAYLOADS)
    root = write(tmp_path / "plans", hostile_plans(lambda field: joined))
    assert_safe(check_and_render(root))


#: Characters that mean something to Markdown, HTML, URLs, YAML or Mermaid, and look-alikes.
SPECIAL = [
    *"<>&\"'`[](){}!#*_|\\:;/=%-+.~^$@ \t\n",
    "\u2060", "\u200b", "\u00a0", "\u202e", "\x0b", "\x1b", "\u0085", "\u2028", "\ufeff",
    "\uff1c", "\u2039", "\U0001f600",
]  # fmt: skip
WORDS = [
    "javascript", "data", "vbscript", "script", "img", "onerror", "onclick", "src", "href",
    "http", "https", "mailto", "mermaid", "click", "call", "init", "lt", "gt", "amp", "#60",
    "#x3c", "#106", "colon", "Tab", "NewLine", "alert(1)", "x", "A", "a", "```", "~~~", "%%",
    "!!!", "*[", "]:", "](", "<<", "section", "dateFormat", "title", "class", "style",
]  # fmt: skip
hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.sampled_from(WORDS)), max_size=24).map("".join),
    st.text(max_size=40),
    st.tuples(st.sampled_from(PAYLOADS), st.text(alphabet="".join(SPECIAL), max_size=8)).map(
        lambda t: t[1] + t[0] + t[1]
    ),
)


#: More examples for a long run: PLAYBOOK_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_render.py
EXAMPLES = int(os.environ.get("PLAYBOOK_FUZZ_EXAMPLES", "40"))


@pytest.mark.slow  # a long property run
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(hostile_text, min_size=1, max_size=12))
def test_hostile_text_never_fails_and_never_reaches_a_page(
    tmp_path: Path, texts: list[str]
) -> None:
    root = tmp_path / "fuzz" / "plans"
    write(root, hostile_plans(cycle(texts)))
    assert_safe(check_and_render(root))


@pytest.mark.slow  # a long property run
@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(text=hostile_text)
def test_every_filter_gives_safe_html(text: str) -> None:
    """Each filter alone, in the places templates put it."""
    for snippet in (
        textsafe.markdown_block(text),
        f"# {textsafe.markdown_inline(text)}",
        f"- {textsafe.markdown_inline(text)}",
        f"[{textsafe.markdown_inline(text)}](../plans/p.md)",
        f"| a | b |\n|---|---|\n| {textsafe.table_cell(text)} | `{textsafe.code(text)}` |",
        f"**{textsafe.markdown_inline(text)}** {{: #x }}",
        f"### {textsafe.markdown_inline(text)} {{: #plans-x }}",
        "text HTML" + Glossary([("HTML", text, [text])]).abbreviations("HTML " + text),
    ):
        assert html_problems(to_html(snippet)) == [], (text, snippet)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a < b and c > d", "a &lt; b and c &gt; d"),
        ("R&D and AT&T", "R&amp;D and AT&amp;T"),
        ("<b>bold</b>", "&lt;\u2060b&gt;bold&lt;\u2060/b&gt;"),
        ("&lt;b&gt;", "&amp;\u2060lt;b&amp;\u2060gt;"),
        ("[a link](https://example.com/x)", '<a href="https://example.com/x">a link</a>'),
        ("[a link](../plans/other.md)", '<a href="../plans/other.md">a link</a>'),
        ("[a link](mailto:a@example.com)", '<a href="mailto:a@example.com">a link</a>'),
        ("[a link](javascript:x)", "[a link]\u2060(javascript\u2060:x)"),
        ("![an image](https://example.com/i.png)", '!\u2060<a href="https://example.com/i.png">'),
        ("a {b} c", "a {b} c"),
        ("`a < b && c`", "<code>a &lt; b &amp;&amp; c</code>"),
    ],
)
def test_the_policy_reads_as_written(text: str, shown: str) -> None:
    """Plain text, links and code read as written; HTML and entities show as typed."""
    assert shown in to_html(textsafe.markdown_block(text))


@pytest.mark.parametrize("text", ["&#60script", "&#x3c;b", "&ltimg", "&lt", "&\\#60b", "&amp"])
def test_references_without_a_semicolon_never_decode(text: str) -> None:
    """HTML decodes "&#60" and the legacy names ("&lt") without ";": Material re-inserts a
    title's text as HTML, so none may decode to a "<"."""
    shown = to_html(textsafe.markdown_block(text))
    assert "&amp;\u2060" in shown and html_problems(shown) == []
    assert "<" not in html.unescape(re.sub(r"<[^>]*>", "", shown))


def test_admonitions_of_known_types_only() -> None:
    note = to_html(textsafe.markdown_block('!!! warning "Mind the gap"\n    Text.'))
    assert '<div class="admonition warning">' in note
    dressed = to_html(textsafe.markdown_block("!!! md-header md-dialog\n    Text."))
    assert "admonition" not in dressed and "md-header" in dressed  # shown as text


def test_mermaid_fences_in_plan_text_are_shown_as_code() -> None:
    html_text = to_html(textsafe.markdown_block("```mermaid\nflowchart TB\n  A-->B\n```"))
    assert "mermaid" not in html_text and "flowchart TB" in html_text


def test_plain_titles_are_safe_unescaped() -> None:
    """``plain`` is for templates that do not escape (MkDocs page and navigation titles)."""
    for text in PAYLOADS:
        shown = textsafe.plain(text)
        assert not TAG_START.search(shown) and not re.search(r"&#?\w+;", shown), shown
        assert shown.replace("\u2060", "") == re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text)
