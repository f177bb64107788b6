"""Output formats of the check: text for people, JSON for tools, GitHub workflow commands."""

from __future__ import annotations

import json
from itertools import groupby

from mission_playbook.model.diagnostics import Diagnostic
from mission_playbook.playbook import Playbook
from mission_playbook.views import readiness

#: The formats ``check_output`` writes (``playbook check --format``).
FORMATS = ("text", "json", "github")


def summary(playbook: Playbook) -> str:
    """One line: findings, each rung's count and how much of it is linked, readiness, and the
    status counts as of the latest check-in."""
    errors, warnings = playbook.errors, playbook.warnings
    verdict = "ok" if not errors else "failed"
    parts = [
        f"{verdict}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    ]
    total = covered = 0
    for rung in playbook.coverage():
        parts.append(f"{rung.label} {rung.covered}/{rung.total}")
        total += rung.total
        covered += rung.covered
    coverage = covered / total if total else 1.0
    parts.append(f"coverage {coverage:.0%}")
    parts.append(readiness.summary(readiness.assess(playbook.ladder)))
    if playbook.as_of is not None:  # statuses only once there are check-ins
        parts.append(playbook.statuses.summary())
    return " | ".join(parts)


def text(playbook: Playbook) -> str:
    """``file:line:col: error PB004 message`` lines grouped by file, then the summary."""
    blocks = []
    for _file, group in groupby(playbook.diagnostics, key=lambda d: d.location.file):
        blocks.append("\n".join(str(d) for d in group))
    blocks.append(summary(playbook))
    return "\n\n".join(blocks) + "\n"


def as_json(diagnostics: list[Diagnostic]) -> str:
    """A sorted JSON list of ``{code, severity, message, file, line, column}``."""
    return json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github(playbook: Playbook) -> str:
    """GitHub Actions workflow commands: annotations on the offending lines."""
    lines = []
    for d in playbook.diagnostics:
        loc = d.location
        props = [f"file={_escape_property(loc.file)}"]
        if loc.line:
            props += [f"line={loc.line}", f"col={loc.column}"]
        props.append(f"title={d.code}")
        level = _GITHUB_LEVEL[d.severity.value]
        lines.append(f"::{level} {','.join(props)}::{_escape_data(d.message)}")
    lines.append(summary(playbook))
    return "\n".join(lines) + "\n"


def check_output(playbook: Playbook, fmt: str) -> str:
    """The check's output in one of ``FORMATS``."""
    if fmt == "json":
        return as_json(playbook.diagnostics)
    if fmt == "github":
        return github(playbook)
    return text(playbook)
