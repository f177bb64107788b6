"""``playbook codeowners``: who must approve a change to each plan file, as a CODEOWNERS file.

Each plan file is owned by the handles of the people who answer for what it holds:

- a supporting plan: its owner and its function's leader;
- a function (its analysis and estimates): its leader;
- the mission, the commander's intent, the glossary and the people list: the commander;
- the SLA: the leaders of its parties (of every stage's owner when it names no parties).

Owners are people with a ``handle`` (``docs/model.md``, "People"); an owner written as text,
or a person without a handle, cannot be asked for a review, so the file is listed among the
gaps with who lacks one, never silently left out. A file name that CODEOWNERS cannot hold
exactly (white space, ``#``, ``!``, ``[``, ``]``, ``*``, ``?``, ``\\``: GitHub reads them as
syntax) is a gap too.

The rules are written between two marker lines, so that rules a repository writes by hand
above or below them are kept; the file is created when missing. GitHub applies the last rule
that matches a path, so the block goes at the end of a file that has none yet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mission_playbook.model import kinds
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.model.people import Someone, resolve

BEGIN = "# BEGIN playbook codeowners"
END = "# END playbook codeowners"
HEADER = (
    f"{BEGIN}: written by `playbook codeowners` from the owners in the plans;\n"
    "# change owners there and run it again (CI runs `playbook codeowners --check`).\n"
)
#: Characters CODEOWNERS reads as syntax, or that break its lines.
UNSAFE_PATH = re.compile(r"[\s#!\[\]*?\\]|[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Gap:
    """A file that gets no rule, or an owner missing from its rule, and why."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class Owners:
    """The rules (repository path → handles, in order) and the gaps found on the way."""

    rules: dict[str, list[str]] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    def block(self) -> str:
        """The rules as the text between (and including) the marker lines: one line a file,
        in path order, one space apart (so that a new rule changes one line of a diff)."""
        body = "".join(f"{path} {' '.join(h)}\n" for path, h in sorted(self.rules.items()))
        return f"{HEADER}{body}{END}\n"


def _who(node: Node) -> str:
    return f"{node.label} '{node.id}'"


def _answerable(node: Node, ladder: Ladder) -> list[tuple[str, Someone | None]]:
    """(what they answer as, the person) for a document node of a plan file."""
    data = node.data
    if isinstance(data, kinds.Plan):
        function = ladder.nodes.get(data.function)
        fdata = function.data if function is not None else None
        leader = fdata.leader if isinstance(fdata, kinds.Function) else None
        return [
            (f"the owner of {_who(node)}", resolve(data.owner, ladder)),
            (f"the leader of {data.function}", resolve(leader, ladder)),
        ]
    if isinstance(data, kinds.Function):
        return [(f"the leader of {_who(node)}", resolve(data.leader, ladder))]
    if node.kind in ("mission", "intent", "glossary", "people"):
        return [("the commander", _commander(ladder))]
    if isinstance(data, kinds.Sla):
        parties = list(dict.fromkeys(data.parties)) or list(
            dict.fromkeys(str(s.owner) for s in data.stages)
        )
        out: list[tuple[str, Someone | None]] = []
        for party in parties:
            function = ladder.nodes.get(party)
            if function is not None and isinstance(function.data, kinds.Function):
                out.append((f"the leader of {party}", resolve(function.data.leader, ladder)))
        return out
    return []


def _commander(ladder: Ladder) -> Someone | None:
    mission = next(ladder.of_kind("mission"), None)
    return resolve(mission.record(kinds.Mission).commander, ladder) if mission is not None else None


def owners(ladder: Ladder, repo_path: dict[str, str]) -> Owners:
    """The rules for every plan file; ``repo_path`` maps a document's file (as the loader
    names it) to its path from the repository's root."""
    documents: dict[str, list[Node]] = defaultdict(list)
    for node in ladder.nodes.values():
        if not node.path:  # a document, not a node nested in one
            documents[node.doc.file].append(node)
    out = Owners()
    for file in sorted(documents):
        path = repo_path.get(file)
        if path is None:
            continue
        if UNSAFE_PATH.search(path):
            out.gaps.append(Gap(file, "its name cannot be written in CODEOWNERS; rename it"))
            continue
        handles: list[str] = []
        for node in documents[file]:
            for role, someone in _answerable(node, ladder):
                if someone is None:
                    out.gaps.append(Gap(file, f"{role} is not named"))
                elif someone.handle is None:
                    out.gaps.append(Gap(file, f"{role}, {someone.name}, has no handle"))
                elif someone.handle not in handles:
                    handles.append(someone.handle)
        if handles:
            out.rules["/" + PurePosixPath(path).as_posix().lstrip("/")] = handles
    return out


def merge(existing: str | None, block: str) -> str:
    """The CODEOWNERS text with ``block`` in place of the marked one (or added at the end)."""
    if not existing:
        return block
    start = existing.find(BEGIN)
    end = existing.find(END, start) if start >= 0 else -1
    if start >= 0 and end >= 0:
        after = existing.find("\n", end)
        rest = existing[after + 1 :] if after >= 0 else ""
        return existing[:start] + block + rest
    glue = "" if existing.endswith("\n") else "\n"
    return existing + glue + "\n" + block
