"""Mermaid diagrams: labels escaped, no injected line, and within Mermaid's limits.

Mermaid's limits are 50,000 characters and 500 edges per diagram; past them it draws an
error instead of the diagram. Every label is user text, so it is encoded to entity codes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthetic
from mission_playbook import load
from mission_playbook.views import diagrams, ladder_diagrams, pages
from mission_playbook.views.diagrams import MAX_EDGES, MAX_TEXT, Flowchart, label

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "small"

SAFE_OUTPUT = re.compile(r"[A-Za-z0-9 ,.\-_/()'?!+:#;]*")
ENTITY = re.compile(r"#(\d+);")
EDGE = re.compile(r"^\s+n\d+ (?:-->|-\.->) n\d+$", re.M)

HOSTILE = [
    'say "hi"',
    "box[ends] here",
    "box{curly} and (round) and [square] and <angle>",
    '%%{init: {"securityLevel": "loose", "theme": "dark"}}%%',
    "%% a comment",
    "click n0 call alert(1)",
    'click n0 href "javascript:alert(1)"',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`backticks` and ```fences```",
    "#35; is a hash; and ; semicolons",
    "line one\nline two\r\nline three",
    'end\n  n0 --> n1\n  click n1 href "https://evil.example"',
    '"]\n  n9["injected',
    "a|pipe|b & ampersand * star ~ tilde = equals",
    "unicode: café, naïve, 漢字, emoji 🚀, RTL \u202e",
    "\x00nul \x1b[31mescape\x07 bell",
    "-->|label| n1 --- n2 ==> n3",
    "style n0 fill:#f00",
    "classDef x fill:red; class n0 x",
    "{{ 7 * 7 }} {% raw %}",
]

# The lines a flowchart may have; labels only in the safe alphabet (plus the " · " between
# a box's title and its note).
SAFE = r"[A-Za-z0-9 ,.\-_/()'?!+:#;]*"
OPEN = r'(?:\(\["|\{\{"|\["|\[\["|\[/"|\(")'
CLOSE = r'(?:"\]\)|"\}\}|"\]|"\]\]|"/\]|"\))'
FLOWCHART_LINE = re.compile(
    "|".join(
        [
            r"flowchart (?:TB|TD|BT|LR|RL)",
            rf"  n\d+{OPEN}{SAFE}(?: · {SAFE})?{CLOSE}",
            r'  click n\d+ href "[A-Za-z0-9._/#\-]*"',
            r"  n\d+ --> n\d+",
            r"  n\d+ -\.-> n\d+",
        ]
    )
)


#: Lines that Mermaid reads as a statement of their own, in any kind of diagram.
STATEMENT = re.compile(r"\s*(?:click|style|classDef|class|linkStyle|%%)\b", re.I)


def decode(text: str) -> str:
    return ENTITY.sub(lambda m: chr(int(m.group(1))), text)


def mermaid_blocks(text: str) -> list[str]:
    return diagrams.sources(text)


# --- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_label_escapes_everything_mermaid_reads(text: str) -> None:
    out = label(text, limit=10_000)
    assert SAFE_OUTPUT.fullmatch(out), out
    for raw in ("%%", '"', "<", ">", "[", "]", "{", "}", "`", "\n", "\r", "|", "\\"):
        assert raw not in out
    # '#' and ';' appear only inside entity codes
    assert ENTITY.sub("", out).count("#") == 0
    assert ENTITY.sub("", out).count(";") == 0
    # and the reader sees exactly what was written (whitespace runs become one space)
    assert decode(out) == " ".join(text.split())


def test_label_keeps_plain_text_readable() -> None:
    assert label("Win new 8-bit designs, fast (2027)!") == "Win new 8-bit designs, fast (2027)!"
    assert label("Who? Sales/Marketing: yes + no's") == "Who? Sales/Marketing: yes + no's"
    assert label('say "hi"') == "say #34;hi#34;"
    assert label("a#b;c") == "a#35;b#59;c"


def test_label_truncates_long_text() -> None:
    out = label("word " * 40)
    assert out.endswith("#8230;")
    assert len(decode(out)) == diagrams.MAX_LABEL
    assert len(decode(label("x" * 500, 20))) == 20
    assert label("x" * 60) == "x" * 60
    # a mission's title, after "Mission: ", is not cut
    title = "Mission: Convert the world from 4-bit to 8-bit microcontrollers"
    assert decode(label(title)) == title


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_label_round_trips_any_text(text: str) -> None:
    out = label(text, limit=10_000)
    assert SAFE_OUTPUT.fullmatch(out)
    assert decode(out) == " ".join(text.split())


# --- Flowchart -------------------------------------------------------------------------


def test_flowchart_boxes_edges_and_links() -> None:
    chart = Flowchart("LR")
    a = chart.box("mission-x", 'Hostile "title"', "mission", "./")
    b = chart.box("kt-1", "Task", "key_task", "../../tasks/kt-1/")
    assert chart.box("kt-1", "ignored", "plan") == b  # one box per key
    c = chart.box("more", "… and 3 more", "more")
    chart.edge(a, b)
    chart.edge(b, c, dashed=True)
    assert chart.source() == diagrams.CONFIG + (
        "flowchart LR\n"
        '  n0(["Hostile #34;title#34;"])\n'
        '  click n0 href "./"\n'
        '  n1["Task"]\n'
        '  click n1 href "../../tasks/kt-1/"\n'
        '  n2["#8230; and 3 more"]\n'
        "  n0 --> n1\n"
        "  n1 -.-> n2\n"
    )
    html = diagrams.pre(chart.source())
    assert html.startswith('<div class="playbook-diagram" tabindex="0" role="group"')
    assert '<pre class="mermaid" data-search-exclude><code>---\nconfig:' in html
    assert "  n0 --&gt; n1\n" in html  # escaped once, as HTML
    assert diagrams.sources(html) == [chart.source()]


def test_flowcharts_are_drawn_at_their_own_size() -> None:
    """Mermaid may not shrink a diagram to the column (its text would shrink with it)."""
    config = diagrams.CONFIG
    assert config.startswith("---\nconfig:\n  flowchart:\n") and config.endswith("---\n")
    assert "    useMaxWidth: false\n" in config
    assert Flowchart().source().startswith(config)


@pytest.mark.parametrize(
    "url", ['x" onclick="y', "javascript:alert(1)", "a b", "../x/\n  click n0", "%%{init}%%"]
)
def test_flowchart_refuses_an_unsafe_url(url: str) -> None:
    with pytest.raises(ValueError, match="unsafe URL"):
        Flowchart().box("k", "t", "plan", url)


def test_flowchart_renders_up_to_500_edges_and_refuses_more() -> None:
    chart = Flowchart()
    ids = [chart.box(f"k{i}", "x", "plan") for i in range(MAX_EDGES + 1)]
    for i in range(MAX_EDGES):
        chart.edge(ids[0], ids[i + 1])
    assert chart.source().count(" --> ") == MAX_EDGES
    chart.edge(ids[1], ids[2])
    with pytest.raises(ValueError, match="too large"):
        chart.source()


def test_flowchart_refuses_more_than_50000_characters() -> None:
    chart = Flowchart()
    for i in range(MAX_TEXT // 60 + 10):
        chart.box(f"k{i}", "y" * 60, "plan")
    with pytest.raises(ValueError, match="too large"):
        chart.source()


# --- diagrams of a hostile playbook ----------------------------------------------------


def hostile_playbook(tmp_path: Path) -> Path:
    """The small playbook with hostile text in every title a diagram shows."""
    root = tmp_path / "hostile"
    shutil.copytree(FIXTURE / "plans", root)
    titles = {
        "mission.yaml": ("title: Make widgets the default choice", 0),
        "intent.yaml": ("title: Build enough qualified demand", 1),
        "functions/marketing.yaml": ("name: Marketing", 2),
        "functions/sales.yaml": ("title: Pursuit capacity", 3),
        "functions/marketing/mkt-campaigns.yaml": ("title: Demand campaigns", 4),
        "functions/sales/sales-followup.yaml": ("title: Follow up every MQL within two days", 5),
        "functions/marketing/mkt-abm.yaml": ("title: Account-based programs", 6),
    }
    for file, (line, i) in titles.items():
        path = root / file
        key = line.split(":", 1)[0]
        hostile = f"{HOSTILE[i]} | {HOSTILE[-1 - i]} | {HOSTILE[12]}"
        text = path.read_text(encoding="utf-8")
        assert line in text
        path.write_text(
            text.replace(line, f"{key}: {json.dumps(hostile, ensure_ascii=False)}", 1),
            encoding="utf-8",
        )
    # a success factor title too
    mission = root / "mission.yaml"
    text = mission.read_text(encoding="utf-8")
    text = text.replace(
        "title: Win new designs",
        f"title: {json.dumps(HOSTILE[13] + HOSTILE[3], ensure_ascii=False)}",
    )
    mission.write_text(text, encoding="utf-8")
    return root


def test_hostile_titles_inject_no_diagram_line(tmp_path: Path) -> None:
    playbook = load(hostile_playbook(tmp_path))
    assert playbook.errors == 0, [str(d) for d in playbook.diagnostics]
    rendered = pages.render_pages(playbook)
    flowcharts, bad = 0, []
    for path, text in rendered.items():
        for block in mermaid_blocks(text):
            assert block.startswith(diagrams.CONFIG), f"{path}: {block[:40]!r}"
            lines = block.removeprefix(diagrams.CONFIG).splitlines()
            if lines[0].startswith("flowchart"):
                flowcharts += 1
                bad += [f"{path}: {line}" for line in lines if not FLOWCHART_LINE.fullmatch(line)]
                continue
            for line in lines:  # other kinds of diagram: no directive, comment or statement
                if "%%" in line or "<" in line or STATEMENT.match(line):
                    bad.append(f"{path}: {line}")
    bad = list(dict.fromkeys(bad))
    assert not bad, "lines a diagram did not mean to have:\n" + "\n".join(bad)
    assert flowcharts >= 12
    for path, text in rendered.items():
        assert "<script" not in text, path
        assert "<img" not in text, path


def test_hostile_titles_still_read_as_written(tmp_path: Path) -> None:
    playbook = load(hostile_playbook(tmp_path))
    text = pages.render_pages(playbook)["plans/mkt-campaigns.md"]
    block = mermaid_blocks(text)[0].removeprefix(diagrams.CONFIG)
    box = next(line for line in block.splitlines() if line.startswith("  n") and '("' in line)
    shown = decode(box[box.index('("') + 2 : -len('")')])
    assert shown == " ".join(playbook.nodes["mkt-campaigns"].title.split())


# --- limits on large playbooks ---------------------------------------------------------


def check_limits(rendered: dict[str, str]) -> tuple[int, int]:
    """Every diagram of every page within Mermaid's limits; the largest edges and size."""
    most_edges = largest = 0
    for path, text in rendered.items():
        for block in mermaid_blocks(text):
            edges = len(EDGE.findall(block))
            assert edges < MAX_EDGES, f"{path}: {edges} edges"
            assert len(block) < MAX_TEXT, f"{path}: {len(block)} characters"
            most_edges, largest = max(most_edges, edges), max(largest, len(block))
    return most_edges, largest


def wide_playbook(root: Path, functions: int, plans: int) -> Path:
    """Many functions with many long-titled plans with milestones: wide schedule views."""
    plans_dir = root / "plans"
    (plans_dir / "functions").mkdir(parents=True)
    (plans_dir / "mission.yaml").write_text(
        "kind: mission\nid: wide\ntitle: Wide\nstatement: A wide playbook.\n"
        "horizon: {start: 2027-01-01, end: 2027-12-31}\n"
        "success_factors:\n  - id: sf\n    title: The factor\n",
        encoding="utf-8",
    )
    (plans_dir / "intent.yaml").write_text(
        "kind: intent\nid: intent\npurpose: Go wide.\n"
        "key_tasks:\n  - id: kt\n    title: The task\n    supports: [sf]\n",
        encoding="utf-8",
    )
    long_title = "A supporting plan with a long and descriptive title number"
    for f in range(functions):
        (plans_dir / "functions" / f"fn-{f}.yaml").write_text(
            f"kind: function\nid: fn-{f}\nname: Function number {f}\n"
            f"estimates:\n  - id: est-{f}\n    title: Estimate {f}\n    supports: [kt]\n",
            encoding="utf-8",
        )
        docs = []
        for p in range(plans):
            docs.append(
                f"kind: plan\nid: p-{f}-{p}\ntitle: {long_title} {f}-{p}\nfunction: fn-{f}\n"
                f"supports: [est-{f}]\nstart: 2027-02-01\nend: 2027-11-30\n"
                "milestones:\n"
                + "".join(
                    f"  - title: {long_title} milestone {m}\n    date: 2027-0{m + 3}-15\n"
                    for m in range(3)
                )
                + f"metrics:\n  - id: m-{f}-{p}\n    name: Wins\n    type: outcome\n"
                "    drives: sf\n"
            )
        (plans_dir / "functions" / f"fn-{f}-plans.yaml").write_text(
            "---\n".join(docs), encoding="utf-8"
        )
    return plans_dir


def test_every_diagram_stays_within_limits_however_many_functions(tmp_path: Path) -> None:
    """Caps per group are not enough when the number of groups is unbounded."""
    playbook = load(wide_playbook(tmp_path, functions=6, plans=45))
    assert playbook.errors == 0, [str(d) for d in playbook.diagnostics][:5]
    check_limits(pages.render_pages(playbook))


def test_every_diagram_stays_within_limits_with_many_children(tmp_path: Path) -> None:
    playbook = load(wide_playbook(tmp_path, functions=1, plans=100))
    assert playbook.errors == 0
    rendered = pages.render_pages(playbook)
    edges, _ = check_limits(rendered)
    assert edges <= ladder_diagrams.MAX_UP + ladder_diagrams.MAX_DOWN + 1
    assert "and 76 more below" in rendered["estimates/est-0.md"]


@pytest.mark.slow
@pytest.mark.parametrize("n", [1000, 10_000])
def test_every_diagram_of_a_generated_playbook_stays_within_limits(tmp_path: Path, n: int) -> None:
    synthetic.generate(n, tmp_path / "pb")
    playbook = load(tmp_path / "pb" / "plans")
    assert playbook.errors == 0
    rendered = pages.render_pages(playbook)
    assert len(rendered) > n * 0.9
    edges, largest = check_limits(rendered)
    assert edges > 20 and largest > 1000  # the check did see real diagrams
