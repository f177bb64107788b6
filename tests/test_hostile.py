"""Hostile plan files: loading never crashes, never hangs, never executes, never leaves ``plans/``.

Every file of the corpus in ``tests/hostile/`` is dropped next to the minimal valid playbook of
``conftest.py`` and loaded; ``tests/hostile/expected.json`` gives, for each, why it is there and
the findings it must give in that file: code, line, column and a piece of the message (an empty
list: accepted as harmless). Nothing else may be reported, nothing may hang, and nothing
may run. Cases too big to keep as files (megabytes of brackets, a file over the size limit) are
generated here, as are symbolic links, a named pipe, output outside the output folder and a
failing ``make site``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE, write_playbook
from mission_playbook import cli
from mission_playbook.model import files
from mission_playbook.model import writing as output
from mission_playbook.model.config import Settings
from mission_playbook.model.diagnostics import Findings
from mission_playbook.playbook import Playbook, load
from mission_playbook.views import pages
from test_fuzz_render import html_problems, page_html

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "hostile"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))
#: A hang guard (pytest-timeout), not a benchmark: these inputs take milliseconds, while the
#: failures they guard against (an alias bomb expanded, libyaml composing megabytes of nesting,
#: a link loop followed) take hours. Timing is the benchmarks' concern, not the tests'.
hang_guard = pytest.mark.timeout(120)
MARKER = "PWNED"  # what the python/... tags of the corpus would create if they ever ran


def load_with(
    tmp_path: Path, name: str, content: bytes, settings: Settings | None = None
) -> Playbook:
    """Load the base playbook plus ``plans/hostile/<name>``."""
    root = write_playbook(tmp_path, BASE)
    (root / "hostile").mkdir(exist_ok=True)
    (root / "hostile" / name).write_bytes(content)
    return load(Path("plans"), settings)


def findings_in(playbook: Playbook, name: str) -> list[tuple[str, int, int, str]]:
    return [
        (d.code, d.location.line, d.location.column, d.message)
        for d in playbook.diagnostics
        if d.location.file == f"plans/hostile/{name}"
    ]


def others(playbook: Playbook, name: str) -> list[str]:
    return [str(d) for d in playbook.diagnostics if d.location.file != f"plans/hostile/{name}"]


# --- the corpus ------------------------------------------------------------------------------


def test_every_corpus_file_has_an_expectation() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml")}
    assert files == set(EXPECTED)
    for name, entry in EXPECTED.items():
        assert entry["why"], name
        assert (CORPUS / name).stat().st_size <= 16_384, f"{name}: keep the corpus small"


@hang_guard
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    playbook = load_with(tmp_path, name, (CORPUS / name).read_bytes())
    got = findings_in(playbook, name)
    want = EXPECTED[name]["findings"]
    assert [g[:3] for g in got] == [tuple(w[:3]) for w in want], got
    for (_, _, _, message), (*_, fragment) in zip(got, want, strict=True):
        assert fragment in message
        assert "\n" not in message and "Traceback" not in message
    assert others(playbook, name) == []
    assert not (tmp_path / MARKER).exists() and not (REPO / MARKER).exists()
    if not playbook.errors:  # what is accepted renders (with errors, nothing is rendered)
        pages.render_pages(playbook)


@hang_guard
def test_alias_bomb_is_refused_without_expanding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tracemalloc.start()
    try:
        playbook = load_with(tmp_path, "alias-bomb.yaml", (CORPUS / "alias-bomb.yaml").read_bytes())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f[0] for f in findings_in(playbook, "alias-bomb.yaml")] == ["PB001"]
    assert peak < 32 * 2**20, f"the bomb used {peak / 2**20:.0f} MB"


# --- generated: too big to keep as files ------------------------------------------------------


@hang_guard
@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("brackets.yaml", b"title: " + b"[" * 5_000_000, (1, 72)),
        ("braces.yaml", b"title: " + b"{a: " * 1_250_000, (1, 264)),
        ("dashes.yaml", b"- " * 2_500_000 + b"x\n", (1, 131)),
        ("questions.yaml", b"? " * 2_500_000 + b"x\n", (1, 131)),
    ],
)
def test_megabytes_of_nesting_are_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, where: tuple
) -> None:
    """libyaml's work per token grows with the depth: composing these would take hours."""
    monkeypatch.chdir(tmp_path)
    playbook = load_with(tmp_path, name, content)
    got = findings_in(playbook, name)
    assert [g[:3] for g in got] == [("PB001", *where)]
    assert "deeper than 64" in got[0][3]


@hang_guard
def test_a_very_long_line_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    title = "Long " * 200_000  # one line of a million characters
    glossary = f"kind: glossary\nid: long\nterms:\n  - term: Long\n    definition: {title}\n"
    playbook = load_with(tmp_path, "long.yaml", glossary.encode())
    assert playbook.diagnostics == []
    assert pages.render_pages(playbook)["glossary.md"].count("Long") >= 200_000


@hang_guard
def test_many_empty_documents_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    playbook = load_with(tmp_path, "separators.yaml", b"---\n" * 50_000)
    assert playbook.diagnostics == []


def test_a_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(plans=Path("plans"), cache=False, max_file_size=10_000)
    text = b"kind: glossary\nid: big\nterms: []\n" + b"# padding\n" * 2_000
    playbook = load_with(tmp_path, "big.yaml", text, settings)
    got = findings_in(playbook, "big.yaml")
    assert [g[:3] for g in got] == [("PB001", 1, 1)]
    assert "over the limit of 10,000" in got[0][3]
    assert others(playbook, "big.yaml") == []


def test_a_file_that_grows_while_read_is_read_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size said when the file was opened is a hint: the bytes read are what count."""
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def older(fd: int) -> os.stat_result:  # the size from before the file grew to 100
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(files.os, "fstat", older)
    findings = Findings()
    assert files.read_bytes(path, "growing.yaml", findings, max_bytes=1_000) == b"x" * 100
    assert files.read_bytes(path, "growing.yaml", findings, max_bytes=50) is None
    assert [d.message for d in findings.items] == [
        "the file is 51 bytes, over the limit of 50; split it"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a pipe would block for ever: it is reported, never read."""
    monkeypatch.chdir(tmp_path)
    root = write_playbook(tmp_path, BASE)
    os.mkfifo(root / "pipe.yaml")
    playbook = load(Path("plans"))
    assert [(d.code, d.location.file) for d in playbook.diagnostics] == [
        ("PB001", "plans/pipe.yaml")
    ]
    assert "not a regular file" in playbook.diagnostics[0].message


# --- symbolic links -------------------------------------------------------------------------

SECRET_PLAN = """\
kind: plan
id: from-outside
title: A plan from outside the plans folder
function: marketing
supports: [est-a]
"""


@pytest.fixture
def linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base playbook, and a folder beside it with a plan that must never be read."""
    monkeypatch.chdir(tmp_path)
    root = write_playbook(tmp_path, BASE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET_PLAN, encoding="utf-8")
    return root


def test_a_link_to_a_file_outside_is_not_followed(linked: Path) -> None:
    (linked / "secret.yaml").symlink_to(linked.parent / "outside" / "secret.yaml")
    (linked / "absolute.yaml").symlink_to((linked.parent / "outside" / "secret.yaml").resolve())
    playbook = load(Path("plans"))
    assert "from-outside" not in playbook.nodes
    assert playbook.diagnostics == []
    assert not any("secret" in f or "absolute" in f for f in playbook.files)


def test_a_link_to_a_folder_outside_is_not_followed(linked: Path) -> None:
    (linked / "functions" / "elsewhere").symlink_to(linked.parent / "outside")
    (linked / "root").symlink_to("/", target_is_directory=True)
    playbook = load(Path("plans"))
    assert "from-outside" not in playbook.nodes
    assert playbook.diagnostics == []


@hang_guard
def test_link_loops_end(linked: Path) -> None:
    (linked / "self.yaml").symlink_to("self.yaml")  # a link to itself
    (linked / "a.yaml").symlink_to("b.yaml")
    (linked / "b.yaml").symlink_to("a.yaml")
    (linked / "functions" / "up").symlink_to("..", target_is_directory=True)  # a folder loop
    (linked / "functions" / "here").symlink_to(".", target_is_directory=True)
    playbook = load(Path("plans"))
    assert set(playbook.nodes) >= {"m", "intent", "marketing", "plan-a"}
    # the looping files are outside nothing but lead nowhere: each is a located finding
    assert not any(d.code != "PB001" for d in playbook.diagnostics), playbook.diagnostics
    assert {d.location.file for d in playbook.diagnostics} <= {
        "plans/self.yaml",
        "plans/a.yaml",
        "plans/b.yaml",
    }


def test_a_link_inside_the_plans_folder_is_followed(linked: Path) -> None:
    (linked / "shared").mkdir()
    (linked / "shared" / "extra.yaml").write_text(
        SECRET_PLAN.replace("from-outside", "shared-plan"), encoding="utf-8"
    )
    (linked / "functions" / "marketing" / "linked").symlink_to(
        linked / "shared", target_is_directory=True
    )
    playbook = load(Path("plans"))
    assert "shared-plan" in playbook.nodes
    assert not any(d.code == "PB003" for d in playbook.diagnostics), "a folder read twice"


# --- file names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "x`<img src=x onerror=alert(1)>`.yaml",
        'x" onmouseover="alert(1)" y=".yaml',
        "x<script>alert(1)<\u2215script>.yaml",
        "x](javascript:alert(1)).yaml",
        "x|y\\`z.yaml",
    ],
)
def test_a_hostile_file_name_is_only_text_on_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A plan whose file name is an attack, with a warning so that the coverage page lists it."""
    monkeypatch.chdir(tmp_path)
    plan = "kind: plan\nid: named\ntitle: Named\nfunction: marketing\nsupports: [est-a]\n"
    playbook = load_with(tmp_path, name, plan.encode())
    assert [d.code for d in playbook.diagnostics] == ["PB010"]  # no metrics: a warning
    rendered = pages.render_pages(playbook)
    problems = {path: html_problems(page_html(text)) for path, text in rendered.items()}
    assert {path: found for path, found in problems.items() if found} == {}
    assert "plan 'named' has no metrics" in rendered["coverage.md"]


# --- ids, output folder ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_id", ["../../../escape", "/tmp/owned", "a/../../b", "..", "x\\..\\..\\y", "ok/../.."]
)
def test_an_id_that_would_leave_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_id: str
) -> None:
    """PB013 before the id becomes a path; render refuses; write_tree would refuse anyway."""
    monkeypatch.chdir(tmp_path)
    plan = f"kind: plan\nid: {json.dumps(bad_id)}\ntitle: T\nfunction: marketing\n"
    playbook = load_with(tmp_path, "escape.yaml", (plan + "supports: [est-a]\n").encode())
    assert "PB013" in [f[0] for f in findings_in(playbook, "escape.yaml")]
    out = tmp_path / "out"
    assert cli.main(["render", "--plans", "plans", "--out", str(out)]) == 1
    assert not out.exists()
    try:  # forced anyway: a diagram refuses the URL, or write_tree the path, or it is inside
        output.write_tree(out, pages.render_pages(playbook))
    except ValueError as exc:
        assert "outside the output folder" in str(exc) or "unsafe URL" in str(exc)
        assert not out.exists()
    else:
        written = [p.resolve() for p in out.rglob("*")]
        assert all(p.is_relative_to(out.resolve()) for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plans"] or not out.exists()
    assert not (tmp_path / "escape.md").exists() and not Path("/tmp/owned.md").exists()


@pytest.mark.parametrize("bad", ["", ".", "nul\x00.md", "../../etc/passwd", "a/./../../b.md"])
def test_write_tree_refuses_odd_paths_and_keeps_the_old_folder(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.md").write_text("old\n", encoding="utf-8")
    with pytest.raises((ValueError, OSError)):
        output.write_tree(out, {"index.md": "new\n", bad: "evil\n"})
    assert [p.name for p in out.iterdir()] == ["old.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "a staging folder was left"


# --- `make site`: a failed build keeps the previous site --------------------------------------


def make(project: Path) -> subprocess.CompletedProcess[str]:
    """``make site`` in ``project`` with the repository's Makefile and virtual environment
    (``-o`` keeps make from rebuilding the venv or fetching Mermaid)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        ["make", "-o", ".venv/.stamp", "-o", "mermaid", "site"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_site_keeps_the_old_site_when_the_build_fails(tmp_path: Path) -> None:
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "mkdocs").is_file():
        pytest.skip("run the tests with the project's virtual environment")
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "small", project)
    shutil.copy(REPO / "Makefile", project / "Makefile")
    (project / ".venv").symlink_to(venv, target_is_directory=True)

    first = make(project)
    assert first.returncode == 0, first.stdout + first.stderr
    site = project / "site"
    assert (site / "index.html").is_file()
    (site / "marker.txt").write_text("the previous site\n", encoding="utf-8")
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))

    plan = project / "plans" / "functions" / "marketing" / "mkt-abm.yaml"
    good = plan.read_text(encoding="utf-8")
    plan.write_text(good.replace("supports: [", "supports: [no-such-estimate, "), "utf-8")
    failed = make(project)
    assert failed.returncode != 0
    assert "PB004" in failed.stdout + failed.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert (site / "marker.txt").read_text(encoding="utf-8") == "the previous site\n"
    assert not (project / "site.new").exists() and not (project / "site.old").exists()

    plan.write_text(good, encoding="utf-8")
    again = make(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (site / "index.html").is_file() and not (site / "marker.txt").exists()
    assert not (project / "site.new").exists() and not (project / "site.old").exists()


def test_a_file_reached_by_links_is_read_once(linked: Path) -> None:
    marketing = linked / "functions" / "marketing"
    (marketing / "again.yaml").symlink_to("plan-a.yaml")
    (linked / "shared").mkdir()
    (linked / "shared" / "plan.data").write_text(
        SECRET_PLAN.replace("from-outside", "shared-plan"), encoding="utf-8"
    )
    (marketing / "x-link.yaml").symlink_to(linked / "shared" / "plan.data")
    (marketing / "y-link.yaml").symlink_to(linked / "shared" / "plan.data")
    playbook = load(Path("plans"))
    assert not any(d.code == "PB003" for d in playbook.diagnostics), playbook.diagnostics
    assert "shared-plan" in playbook.nodes
    names = [f for f in playbook.files if f.startswith("plans/functions/marketing/")]
    assert names == [  # the file by its own name; a file only linked to by its first link
        "plans/functions/marketing/plan-a.yaml",
        "plans/functions/marketing/x-link.yaml",
    ]
