"""Provenance on node pages: the last commit of each plan file, read from git in one pass, and
the node's review state (reviewed, or suspect since a change above it)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mission_playbook.authoring.review import review
from mission_playbook.model.config import Settings
from mission_playbook.playbook import load
from mission_playbook.views import pages, provenance
from mission_playbook.views.provenance import Revision, commit_url, history
from test_plugin import FIXTURE, Build

PLANS = Path("plans")
ABM = "plans/functions/marketing/mkt-abm.yaml"
MARKETING = "plans/functions/marketing.yaml"
REPO_URL = "https://example.invalid/octet/playbook"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=base | (env or {}),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit(repo: Path, message: str, when: str, author: str = "Ann Author") -> str:
    """Commit everything, dated ``when`` (ISO 8601), by ``author``; the commit's hash."""
    stamp = f"{when}T09:30:00+01:00"
    env = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "author@example.invalid",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": "Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.invalid",
        "GIT_COMMITTER_DATE": stamp,
    }
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD")


def edit(path: str, old: str, new: str) -> None:
    text = Path(path).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    Path(path).write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The small playbook in a git repository with three dated commits; the working folder."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("site", "__pycache__"))
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    commits = {"first": commit(root, "The first playbook", "2027-01-04")}
    edit(ABM, "title: Account-based programs", "title: Account-based marketing")
    commits["abm"] = commit(root, "Rename the ABM plan", "2027-02-10", "Bo Builder")
    edit(MARKETING, "name: Marketing", "name: Marketing and Communications")
    commits["marketing"] = commit(root, "Marketing's new name", "2027-03-15", "Cy Chief")
    return commits


def test_each_file_has_its_last_commit(repo: dict[str, str]) -> None:
    pb = load(PLANS)
    found = history(PLANS, pb.files)
    assert set(found) == set(pb.files)
    assert found[ABM] == Revision(
        repo["abm"],
        dt.date(2027, 2, 10),
        "Bo Builder",
        "author@example.invalid",
        "Rename the ABM plan",
    )
    assert found[MARKETING].commit == repo["marketing"]
    assert found["plans/mission.yaml"].date == dt.date(2027, 1, 4)
    assert found["plans/mission.yaml"].subject == "The first playbook"
    assert found[ABM].short == repo["abm"][:7]


def test_a_file_not_committed_yet_has_none(repo: dict[str, str]) -> None:
    new = PLANS / "functions" / "marketing" / "mkt-new.yaml"
    shutil.copy(ABM, new)
    edit(str(new), "id: mkt-abm", "id: mkt-new")
    found = history(PLANS, [ABM, new.as_posix()])
    assert list(found) == [ABM]


def test_the_history_is_read_in_one_pass(
    repo: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def popen(args: list[str], *rest: Any, **kwargs: Any) -> Any:  # subprocess.run uses it too
        started.append(list(args))
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(provenance.subprocess, "Popen", popen)
    files = load(PLANS).files
    assert len(history(PLANS, files)) == len(files) > 5
    logs = [a for a in started if "log" in a]
    assert len(logs) == 1  # one git log for the folder, not one per file
    assert logs[0][-2:] == ["--", "plans"]
    assert len(started) == 2  # and one rev-parse to find the repository


def test_under_serve_the_history_is_read_again_only_after_a_commit(
    repo: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit is not a commit: a rebuild keeps the last commits it read; a commit, or a new
    plan file, reads them again."""
    from mission_playbook.plugin import PlaybookPlugin

    read: list[int] = []
    real_history = provenance.history

    def counting(plans: Path, files: Any) -> dict[str, Revision]:
        read.append(1)
        return real_history(plans, files)

    monkeypatch.setattr(provenance, "history", counting)
    plugin = PlaybookPlugin()
    plugin.on_startup(command="serve", dirty=True)
    plugin.settings = Settings(plans=PLANS)

    def last_commits() -> dict[str, Revision]:
        plugin.playbook = load(PLANS)
        return plugin._history()

    first = last_commits()
    edit(ABM, "title: Account-based marketing", "title: Account-based growth")
    assert last_commits() == first and len(read) == 1  # an edit: kept
    commits = commit(Path.cwd(), "Growth", "2027-04-01")
    after = last_commits()
    assert len(read) == 2 and after[ABM].commit == commits != first[ABM].commit
    plugin.on_shutdown()


def test_outside_a_git_repository_there_is_no_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    shutil.copytree(FIXTURE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    assert history(PLANS, load(PLANS).files) == {}
    page = pages.render_pages(load(PLANS))["plans/mkt-abm.md"]
    assert "playbook-provenance" not in page


def test_commit_links_need_a_web_address() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert commit_url(REPO_URL + "/", sha) == f"{REPO_URL}/commit/{sha}"
    assert commit_url(None, sha) is None
    assert commit_url("javascript:alert(1)//", sha) is None
    assert commit_url(REPO_URL, "not a hash") is None


def render(**options: Any) -> dict[str, str]:
    pb = load(PLANS)
    return pages.render_pages(pb, pages.Options(history=history(PLANS, pb.files), **options))


def test_a_node_page_shows_when_by_whom_and_in_which_commit(repo: dict[str, str]) -> None:
    page = render(repo_url=REPO_URL)["plans/mkt-abm.md"]
    sha = repo["abm"]
    assert (
        "<p><small><strong>Last changed</strong> on 2027-02-10 by Bo Builder in "
        f'<a href="{REPO_URL}/commit/{sha}"><code>{sha[:7]}</code></a>: Rename the ABM plan'
        "</small></p>"
    ) in page
    estimate = render()["estimates/est-mkt-accounts.md"]  # in the marketing file; no link
    assert (
        "<strong>Last changed</strong> on 2027-03-15 by Cy Chief in "
        f"<code>{repo['marketing'][:7]}</code>: Marketing's new name"
    ) in estimate
    assert "Reviewed" not in estimate and "Not reviewed" not in estimate  # no stamps at all


def test_authors_and_subjects_are_plan_text(repo: dict[str, str]) -> None:
    edit(ABM, "title: Account-based marketing", "title: ABM")
    commit(
        Path.cwd(),
        "<script>alert(1)</script> [x](javascript:alert(2)) {: onclick=alert(3)}",
        "2027-04-01",
        author='Eve &lt;script&gt; "quoted" [y](javascript:alert(4))',
    )
    page = render(repo_url=REPO_URL)["plans/mkt-abm.md"]
    line = next(x for x in page.splitlines() if "Last changed" in x)
    assert "<script" not in line and "javascript:" not in line and "&lt;script" not in line
    assert "<a href" in line  # the commit, and nothing else, is a link
    assert line.count("<a ") == 1
    assert (
        'by Eve &amp;\u2060lt;script&amp;\u2060gt; "quoted" [y]\u2060(javascript\u2060:alert(4)) in'
        in line
    )
    assert ": &lt;\u2060script&gt;alert(1)&lt;\u2060/script&gt; [x]\u2060(javascript\u2060:" in line


def test_review_state_reviewed_then_suspect_since_a_commit(repo: dict[str, str]) -> None:
    review(PLANS, Settings(), "mkt-abm", by="Bo Builder", date=dt.date(2027, 3, 20))
    commit(Path.cwd(), "Review the ABM plan", "2027-03-20", "Bo Builder")
    page = render()["plans/mkt-abm.md"]
    assert (
        "<p><small><strong>Reviewed</strong> on 2027-03-20 by Bo Builder, against what it "
        "supports as it is now.</small></p>"
    ) in page
    # another reviewable node now says it has no stamp
    assert "<strong>Not reviewed yet</strong>" in render()["plans/mkt-campaigns.md"]

    edit(MARKETING, "supports: [kt-accounts]\n", "supports: [kt-accounts]\n    conclusion: Yes.\n")
    changed = commit(Path.cwd(), "Revise the accounts estimate", "2027-04-02", "Cy Chief")
    page = render(repo_url=REPO_URL)["plans/mkt-abm.md"]
    assert re.search(
        r'<div class="admonition warning">\n<p class="admonition-title">Suspect: reviewed on '
        r"2027-03-20 by Bo Builder, before a change above it</p>\n<ul>\n"
        r'<li>Estimate <a href="../../estimates/est-mkt-accounts/">[^<]+</a>: its '
        r"<code>conclusion</code> changed; its file last changed on 2027-04-02 in "
        rf'<a href="{REPO_URL}/commit/{changed}"><code>{changed[:7]}</code></a></li>',
        page,
    ), page[page.index("playbook-provenance") :][:900]
    assert "<code>playbook review mkt-abm</code>" in page


@pytest.mark.slow  # a site build / pre-commit's hook in a subprocess
def test_the_site_shows_provenance_and_the_option_turns_it_off(
    repo: dict[str, str], tmp_path: Path
) -> None:
    config = Path("mkdocs.yml")
    config.write_text(
        config.read_text(encoding="utf-8").replace("edit_uri:", f"repo_url: {REPO_URL}\nedit_uri:"),
        encoding="utf-8",
    )
    on = Build(Path.cwd(), tmp_path / "site-on", strict=True)
    on.start()
    off_root = tmp_path / "off"
    shutil.copytree(Path.cwd(), off_root)
    edit(str(off_root / "mkdocs.yml"), "severity: {}", "severity: {}\n      provenance: false")
    off = Build(off_root, tmp_path / "site-off", strict=True)
    off.start()
    html = on.ok().html("plans/mkt-abm.md")
    assert f'<a href="{REPO_URL}/commit/{repo["abm"]}"><code>{repo["abm"][:7]}</code></a>' in html
    assert "playbook-provenance" not in off.ok().html("plans/mkt-abm.md")
