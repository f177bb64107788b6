"""``playbook diff``: plan changes between git revisions or folders, compared as models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mission_playbook import load
from mission_playbook.cli import main
from mission_playbook.compare.diff import PlanDiff, diff_playbooks, diff_snapshots
from mission_playbook.compare.revisions import RevisionError, _extract, load_revision
from mission_playbook.compare.snapshot import Snapshot, snapshot
from mission_playbook.views.changes import to_json, to_markdown

GOLDEN = Path(__file__).parent / "golden" / "diff"

MISSION = """\
kind: mission
id: m
title: Win the 8-bit market
statement: Convert customers to 8-bit in 2027.
horizon: {start: 2027-01-01, end: 2027-12-31}
environment:
  markets: [{id: auto, name: Automotive}, {id: rail, name: Rail}]
success_factors:
  - id: sf-wins
    title: Win designs
    metric: {name: Design wins, target: 200, direction: increase}
  - id: sf-share
    title: Grow share
"""

INTENT = """\
kind: intent
id: intent
purpose: Make 8-bit the default.
key_tasks:
  - id: kt-demand
    title: Build demand
    supports: [sf-wins]
  - id: kt-accounts
    title: Win top accounts
    supports: [sf-share]
"""

MARKETING = """\
kind: function
id: marketing
name: Marketing
estimates:
  - id: est-demand
    title: Demand capacity
    supports: [kt-demand]
  - id: est-accounts
    title: Account coverage
    supports: [kt-accounts]
  - id: est-events
    title: Event reach
    supports: [kt-demand]
"""


def plan(
    pid: str,
    title: str,
    supports: str,
    target: int = 100,
    extra: str = "",
    metric: str | None = None,
) -> str:
    """A plan file with one outcome metric."""
    return (
        f"kind: plan\nid: {pid}\ntitle: {title}\nfunction: marketing\n"
        f"supports: [{supports}]\nstart: 2027-02-01\nend: 2027-06-30\n{extra}"
        f"metrics:\n  - id: {metric or pid + '-wins'}\n    name: Wins from {title}\n"
        f"    type: outcome\n    target: {target}\n    per: quarter\n    drives: sf-wins\n"
    )


BASE: dict[str, str] = {
    "mission.yaml": MISSION,
    "intent.yaml": INTENT,
    "functions/marketing.yaml": MARKETING,
    "functions/marketing/mkt-engine.yaml": plan(
        "mkt-engine", "Demand engine", "est-demand", 150, "owner: Rachel\nmarkets: [auto]\n"
    ),
    "functions/marketing/mkt-accounts.yaml": plan("mkt-accounts", "Account plays", "est-accounts"),
    "functions/marketing/mkt-shows.yaml": plan("mkt-shows", "Trade shows", "est-events"),
    "functions/marketing/mkt-old-name.yaml": plan("mkt-old-name", "Webinars", "est-demand"),
    "functions/marketing/mkt-mover.yaml": plan(
        "mkt-mover", "Partner program", "est-accounts", extra="depends_on: [mkt-gone]\n"
    ),
}


def head_files() -> dict[str, str | None]:
    """The change: one of each kind (None deletes a file)."""
    return {
        # added
        "functions/marketing/mkt-new.yaml": plan("mkt-new", "Reference stories", "est-accounts"),
        # removed: est-events loses its only plan (coverage, PB007 introduced)
        "functions/marketing/mkt-shows.yaml": None,
        # renamed: same content, new id
        "functions/marketing/mkt-old-name.yaml": None,
        "functions/marketing/mkt-new-name.yaml": plan(
            "mkt-new-name", "Webinars", "est-demand", metric="mkt-old-name-wins"
        ),
        # fields changed and a metric target changed
        "functions/marketing/mkt-engine.yaml": plan(
            "mkt-engine",
            "Demand engine v2",
            "est-demand",
            225,
            "owner: Rachel <b>Nguyen</b>\nmarkets: [auto, rail]\n",
        ),
        # re-parented, and PB004 (unknown mkt-gone) fixed
        "functions/marketing/mkt-mover.yaml": plan("mkt-mover", "Partner program", "est-demand"),
    }


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write(root: Path, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository: the base playbook committed, then the change committed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("outside the plans folder\n", encoding="utf-8")
    write(root / "plans", dict(BASE))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    write(root / "plans", head_files())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def the_diff(repo: Path) -> PlanDiff:
    base = load_revision("base", "plans", repo)
    head = load_revision("HEAD", "plans", repo)
    return diff_playbooks(base, head)


# --- the model diff ------------------------------------------------------------------------


def test_every_kind_of_change(repo: Path) -> None:
    diff = the_diff(repo)
    assert [(e.node.kind, e.node.id) for e in diff.added] == [
        ("plan", "mkt-new"),
        ("metric", "mkt-new-wins"),
    ]
    assert diff.added[0].supports == ["est-accounts"]
    assert [(e.node.kind, e.node.id) for e in diff.removed] == [
        ("plan", "mkt-shows"),
        ("metric", "mkt-shows-wins"),
    ]
    assert [(r.old.id, r.new.id) for r in diff.renamed] == [("mkt-old-name", "mkt-new-name")]
    changed = {c.node.id: {f.field: f for f in c.fields} for c in diff.changed}
    assert set(changed) == {"mkt-engine", "mkt-engine-wins"}
    engine = changed["mkt-engine"]
    assert (engine["title"].old, engine["title"].new) == ("Demand engine", "Demand engine v2")
    assert engine["markets"].added == ["rail"] and engine["markets"].removed == []
    assert "target" not in changed["mkt-engine-wins"]  # reported as a target change
    assert set(changed["mkt-engine-wins"]) == {"name"}
    assert [(r.node.id, r.relation, r.old, r.new) for r in diff.reparented] == [
        ("mkt-mover", "supports", ["est-accounts"], ["est-demand"])
    ]
    assert [(lk.source.id, lk.relation, lk.target.id) for lk in diff.links_removed] == [
        ("mkt-mover", "depends_on", "mkt-gone")
    ]
    assert diff.links_added == []
    assert [(t.owner.id, t.metric, t.old, t.new) for t in diff.targets] == [
        ("mkt-engine", "mkt-engine-wins", 150, 225)
    ]
    coverage = {c.kind: c for c in diff.coverage}
    assert (coverage["estimate"].before_covered, coverage["estimate"].after_covered) == (3, 2)
    assert (coverage["plan"].before_total, coverage["plan"].after_total) == (5, 5)
    assert not coverage["key_task"].changed
    assert [(f.code, f.file) for f in diff.introduced] == [
        ("PB007", "plans/functions/marketing.yaml")
    ]
    assert "est-events" in diff.introduced[0].message
    assert [f.code for f in diff.fixed] == ["PB004"]
    assert "mkt-gone" in diff.fixed[0].message


def test_rename_follows_a_renamed_parent(tmp_path: Path) -> None:
    base_dir, head_dir = tmp_path / "a", tmp_path / "b"
    write(base_dir, dict(BASE))
    write(head_dir, dict(BASE))
    renamed = MARKETING.replace("est-accounts", "est-top-accounts")
    write(
        head_dir,
        {
            "functions/marketing.yaml": renamed,
            "functions/marketing/mkt-accounts.yaml": plan(
                "mkt-accounts", "Account plays", "est-top-accounts"
            ),
            "functions/marketing/mkt-mover.yaml": plan(
                "mkt-mover",
                "Partner program",
                "est-top-accounts",
                extra="depends_on: [mkt-gone]\n",
            ),
        },
    )
    diff = diff_playbooks(load(base_dir), load(head_dir))
    assert [(r.old.id, r.new.id) for r in diff.renamed] == [("est-accounts", "est-top-accounts")]
    assert not diff.added and not diff.removed and not diff.changed
    assert not diff.reparented and not diff.links_added and not diff.links_removed
    assert not diff.introduced and not diff.fixed


def test_no_change(tmp_path: Path) -> None:
    write(tmp_path, dict(BASE))
    pb = load(tmp_path)
    diff = diff_playbooks(pb, load(tmp_path))
    assert not diff.model_changed and not diff.introduced and not diff.fixed
    text = to_markdown(diff)
    assert text == (
        "**Plan changes:** no change to the model · coverage unchanged · findings unchanged\n"
    )


def test_a_diff_leaves_its_snapshots_as_they_were(tmp_path: Path) -> None:
    """The plugin keeps the base's snapshot across rebuilds: diffing must not change it, and
    the snapshot read back from the cache's JSON gives the same diff."""
    base_dir, head_dir = tmp_path / "a", tmp_path / "b"
    write(base_dir, dict(BASE))
    write(head_dir, dict(BASE))
    write(head_dir, head_files())
    write(head_dir, {"mission.yaml": MISSION.replace("target: 200", "target: 250")})
    base, head = snapshot(load(base_dir)), snapshot(load(head_dir))
    before = json.dumps(base.to_json()), json.dumps(head.to_json())
    first = to_json(diff_snapshots(base, head))
    assert (json.dumps(base.to_json()), json.dumps(head.to_json())) == before
    assert to_json(diff_snapshots(base, head)) == first
    assert first == to_json(diff_playbooks(load(base_dir), load(head_dir)))
    kept = Snapshot.from_json(json.loads(before[0]))
    assert kept is not None and to_json(diff_snapshots(kept, head)) == first
    targets = json.loads(first)["targets"]
    assert [(t["owner"]["id"], t["old"], t["new"]) for t in targets] == [
        ("sf-wins", 200, 250),
        ("mkt-engine", 150, 225),
    ]


# --- output --------------------------------------------------------------------------------


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with UPDATE_GOLDENS=1"
    assert text == path.read_text(encoding="utf-8")


def test_markdown_golden(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "base", "HEAD")
    assert (code, err) == (0, "")
    assert out.startswith("**Plan changes:** ")
    assert "<b>" not in out and "Nguyen" in out  # plan text is escaped, not HTML
    check_golden("change.md", out)


def test_markdown_links_golden(repo: Path) -> None:
    diff = the_diff(repo)

    def pages(node_id: str) -> str | None:
        return f"../plans/{node_id}.md" if node_id.startswith("mkt-") else None

    text = to_markdown(diff, pages, fold=False)
    assert "[Reference stories](../plans/mkt-new.md)" in text
    assert "../plans/mkt-shows.md" not in text  # removed nodes have no page
    assert "<details>" not in text
    check_golden("change-linked.md", text)


def test_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "base", "HEAD", "--format", "json")
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert data["summary"]["renamed"] == 1
    assert [n["node"]["id"] for n in data["nodes"]["added"]] == ["mkt-new", "mkt-new-wins"]
    assert data["nodes"]["renamed"][0]["old"]["id"] == "mkt-old-name"
    assert data["targets"] == [
        {
            "metric": "mkt-engine-wins",
            "name": "Wins from Demand engine v2",
            "new": 225,
            "old": 150,
            "owner": {
                "id": "mkt-engine",
                "kind": "plan",
                "owner": None,
                "owner_kind": None,
                "title": "Demand engine v2",
            },
        }
    ]
    assert data["links"]["reparented"][0]["new"] == ["est-demand"]
    plans = next(c for c in data["coverage"] if c["kind"] == "plan")
    assert plans["changed"] is False
    assert [f["code"] for f in data["findings"]["introduced"]] == ["PB007"]
    assert [f["code"] for f in data["findings"]["fixed"]] == ["PB004"]
    assert out == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert to_json(the_diff(repo)) == out  # stable


# --- sides: revisions, the work tree, folders ----------------------------------------------


def test_work_tree_is_the_default_head(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "plans", {"functions/marketing/mkt-draft.yaml": plan("mkt-draft", "Draft", "")})
    code, out, _err = run(capsys, "HEAD", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [n["node"]["id"] for n in data["nodes"]["added"]] == ["mkt-draft", "mkt-draft-wins"]
    assert [f["code"] for f in data["findings"]["introduced"]] == ["PB006"]
    assert data["findings"]["introduced"][0]["file"] == ("plans/functions/marketing/mkt-draft.yaml")


def test_folders_as_base_and_head(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old-plans"
    write(old, dict(BASE))
    code, out, _err = run(capsys, str(old), "plans", "--format", "json")
    assert code == 0
    assert json.loads(out)["nodes"]["renamed"][0]["new"]["id"] == "mkt-new-name"
    code, out, _err = run(capsys, str(old), "--format", "json")  # folder vs the work tree
    assert code == 0 and json.loads(out)["summary"]["renamed"] == 1


def test_folders_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a", dict(BASE))
    write(tmp_path / "b", dict(BASE))
    write(tmp_path / "b", head_files())
    code, out, _err = run(capsys, str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0
    assert out.startswith("**Plan changes:** 1 plan and 1 metric added, 1 plan and 1 metric")
    assert str(tmp_path / "a" / "functions") in out  # a fixed finding, in the base folder


def test_plans_in_a_subfolder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub = repo / "docs"
    sub.mkdir()
    git(repo, "mv", "plans", "docs/plans")
    git(repo, "commit", "-q", "-m", "move")
    write(sub / "plans", {"functions/marketing/mkt-x.yaml": plan("mkt-x", "X", "est-events")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a plan")
    os.chdir(sub)
    code, out, err = run(capsys, "HEAD~1", "HEAD", "--plans", "plans", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [n["node"]["id"] for n in data["nodes"]["added"]] == ["mkt-x", "mkt-x-wins"]
    assert [f["code"] for f in data["findings"]["fixed"]] == ["PB007"]
    assert data["findings"]["fixed"][0]["file"] == "plans/functions/marketing.yaml"
    # before the plans folder existed there, everything is added
    code, out, _err = run(capsys, "base", "--plans", "plans", "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["added"] > 10


def test_revision_is_read_from_git_not_the_work_tree(repo: Path) -> None:
    (repo / "plans" / "mission.yaml").write_text("kind: mission\n", encoding="utf-8")
    head = load_revision("HEAD", "plans", repo)
    assert head.errors == 1  # only the PB007 the change introduced
    assert str(head.root) == str(repo / "plans")
    assert all(f.startswith("plans/") for f in head.files)


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~99", "--output=x"])
def test_bad_revision(repo: Path, capsys: pytest.CaptureFixture[str], rev: str) -> None:
    code, out, err = run(capsys, "--", rev) if rev.startswith("-") else run(capsys, rev)
    assert (code, out) == (2, "")
    assert err == f"playbook: '{rev}' is neither a plans folder nor a git revision\n"
    assert not (repo / "x").exists()


def test_bad_revision_from_the_command_line(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mission_playbook", "diff", "nope", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "playbook: 'nope' is neither a plans folder nor a git revision"


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path / "plans", dict(BASE))
    assert main(["diff", "HEAD"]) == 2


def test_archive_members_outside_the_folder_are_refused(tmp_path: Path) -> None:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("plans/ok.yaml", "plans/../evil.yaml"):
            info = tarfile.TarInfo(name)
            info.size = 0
            tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(RevisionError, match="outside 'plans'"):
        _extract(buffer.getvalue(), "plans", tmp_path)
    assert not (tmp_path / "evil.yaml").exists()
