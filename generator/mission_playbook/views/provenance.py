"""When and by whom each plan file last changed, read from git in one pass over the history.

:func:`history` runs one ``git log`` over the plans folder, newest commit first, and keeps for
each file the first commit that names it: its last change. It stops reading as soon as every
file has one, so a long history costs only as far back as the oldest file's last change. Not
in a git repository, or git missing: no history, and pages show none. A shallow clone knows
only its own commits (CI: check out with the whole history to show real dates).

Author names, e-mails and commit subjects come from whoever made the commits: pages treat them
as plan text (``views/textsafe.py``), never as HTML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mission_playbook.checks.review import REVIEWED, suspicions
from mission_playbook.model.kinds import Review
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.model.people import Someone, resolve

#: One commit a record: hash, author date (ISO 8601), author name, e-mail, subject.
FORMAT = "%x1e%H%x1f%aI%x1f%an%x1f%ae%x1f%s"
_COMMIT = re.compile(r"[0-9a-f]{7,64}")
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Revision:
    """The commit that last changed a file."""

    commit: str
    date: dt.date
    author: str
    email: str
    subject: str

    @property
    def short(self) -> str:
        return self.commit[:7]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None


def toplevel(folder: Path) -> Path | None:
    """The root of the git work tree holding ``folder``; None outside one (or without git)."""
    if not folder.is_dir():
        return None
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done is None or done.returncode != 0:
        return None
    return Path(os.fsdecode(done.stdout.rstrip(b"\n")))


def head(folder: Path) -> str | None:
    """The commit checked out in the git work tree holding ``folder``; None outside one."""
    if not folder.is_dir():
        return None
    done = _git(["rev-parse", "--verify", "-q", "HEAD"], folder)
    if done is None or done.returncode != 0:
        return None
    return done.stdout.decode("ascii", errors="replace").strip() or None


def _revision(header: bytes) -> Revision | None:
    parts = header.decode("utf-8", errors="replace").split("\x1f")
    if len(parts) != 5 or not _COMMIT.fullmatch(parts[0]):
        return None
    commit, when, author, email, subject = parts
    try:
        date = dt.datetime.fromisoformat(when).date()
    except ValueError:
        return None
    return Revision(commit, date, author, email, subject)


def history(plans: Path, files: Iterable[str]) -> dict[str, Revision]:
    """``{file: the commit that last changed it}`` for the plan ``files`` (named as the
    loader names them) that git knows; {} outside a git repository."""
    root = toplevel(plans)
    if root is None:
        return {}
    real_root = root.resolve()
    wanted: dict[str, str] = {}  # repository path -> file as named
    folders: dict[Path, str | None] = {}  # each folder resolved once, not once per file
    for file in files:
        path = Path(file)
        if path.is_symlink():
            continue  # git names the link, not what it points to
        if path.parent not in folders:
            try:
                folders[path.parent] = path.parent.resolve().relative_to(real_root).as_posix()
            except (ValueError, OSError):
                folders[path.parent] = None
        folder = folders[path.parent]
        if folder is not None:
            wanted[path.name if folder == "." else f"{folder}/{path.name}"] = file
    if not wanted:
        return {}
    try:
        spec = plans.resolve().relative_to(real_root).as_posix()
    except ValueError:
        return {}
    command = [
        "git",
        "-c",
        "core.quotepath=off",
        "log",
        "-z",
        "--name-only",
        "--no-renames",
        f"--format={FORMAT}",
        "--",
        spec,
    ]
    try:
        process = subprocess.Popen(
            command, cwd=real_root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return {}
    found: dict[str, Revision] = {}
    assert process.stdout is not None
    try:
        buffer = b""
        while len(found) < len(wanted):
            chunk = process.stdout.read(_CHUNK)
            records = (buffer + chunk).split(b"\x1e")
            buffer = records.pop() if chunk else b""
            for record in records:
                _take(record, wanted, found)
            if not chunk:
                break
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.terminate()
        process.wait()
    return found


def _take(record: bytes, wanted: dict[str, str], found: dict[str, Revision]) -> None:
    """One commit's record: its header, then the files it changed, each ending in NUL."""
    header, _, names = record.partition(b"\x00")
    if not header:
        return
    revision = _revision(header)
    if revision is None:
        return
    for raw in names.lstrip(b"\n").split(b"\x00"):
        name = os.fsdecode(raw)
        file = wanted.get(name)
        if file is not None and file not in found:
            found[file] = revision


def commit_url(repo_url: str | None, commit: str) -> str | None:
    """The web page of a commit on the code host of ``repo_url`` (GitHub's and GitLab's
    ``/commit/<hash>``), or None without a repository address."""
    if not repo_url or not repo_url.startswith(("https://", "http://")):
        return None
    if not _COMMIT.fullmatch(commit):
        return None
    return f"{repo_url.rstrip('/')}/commit/{commit}"


# --- what a node page shows ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suspect:
    """A parent that changed since the review, and the last change of its file."""

    parent: Node
    fields: tuple[str, ...]
    uncovered: bool
    since: Revision | None
    since_url: str | None


@dataclass(frozen=True, slots=True)
class Provenance:
    """A node page's review state and its YAML file's last change."""

    reviewable: bool  # the node is of a kind that is reviewed
    review: Review | None  # its stamp
    reviewer: str | None  # who reviewed it, as shown: a person of the playbook, or the text
    suspects: tuple[Suspect, ...]
    revision: Revision | None
    revision_url: str | None
    reviews_used: bool  # some node of the playbook has a stamp (else "not reviewed" is noise)

    def __bool__(self) -> bool:
        return self.review is not None or self.revision is not None or self.unreviewed

    @property
    def unreviewed(self) -> bool:
        """A node the playbook's reviews should cover that has no stamp."""
        return self.reviewable and self.review is None and self.reviews_used


class Provenances:
    """The provenance of every node page of one build."""

    def __init__(
        self, ladder: Ladder, revisions: dict[str, Revision], repo_url: str | None = None
    ) -> None:
        self.ladder = ladder
        self.revisions = revisions
        self.repo_url = repo_url
        self.reviews_used = any(
            getattr(n.data, "review", None) is not None
            for n in ladder.nodes.values()
            if n.kind in REVIEWED
        )
        self._people: dict[str, Someone] | None = None

    def _url(self, revision: Revision | None) -> str | None:
        return commit_url(self.repo_url, revision.commit) if revision is not None else None

    def reviewer(self, by: str | None) -> str | None:
        """A stamp's ``by`` as shown: the person it names by handle or id, else the text."""
        if not by:
            return None
        if self._people is None:
            self._people = {}
            for node in self.ladder.of_kind("person"):
                someone = resolve(node.data, self.ladder)
                if someone is not None:
                    self._people[node.id] = someone
                    if someone.handle:
                        self._people.setdefault(someone.handle, someone)
        someone = self._people.get(by)
        return str(someone) if someone is not None else by

    def of(self, node: Node | None) -> Provenance | None:
        if node is None:
            return None
        revision = self.revisions.get(node.doc.file)
        review = getattr(node.data, "review", None) if node.kind in REVIEWED else None
        suspects = tuple(
            Suspect(
                s.parent,
                s.fields,
                s.uncovered,
                self.revisions.get(s.parent.doc.file),
                self._url(self.revisions.get(s.parent.doc.file)),
            )
            for s in suspicions(node, self.ladder)
        )
        return Provenance(
            node.kind in REVIEWED,
            review,
            self.reviewer(review.by) if review is not None else None,
            suspects,
            revision,
            self._url(revision),
            self.reviews_used,
        )
