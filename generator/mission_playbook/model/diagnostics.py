"""Findings of the check: stable codes, severities and source locations.

On the measured warm path of ``playbook check`` (a check that changed nothing): the value
classes of ``model/values.py`` instead of dataclasses, and ``difflib`` imported where it is used.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from mission_playbook.model.values import Value


class Severity(enum.Enum):
    """How much a finding matters; ``OFF`` silences a code."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.OFF: 3}


class Code(Value):
    """One entry of the catalogue of check codes."""

    __slots__ = ("code", "title", "severity")
    code: str
    title: str
    severity: Severity

    def __init__(self, code: str, title: str, severity: Severity) -> None:
        super().__init__(code, title, severity)


CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in (
        Code("PB001", "YAML that does not parse, or an unsafe tag", Severity.ERROR),
        Code("PB002", "schema: missing field, wrong type or unknown field", Severity.ERROR),
        Code("PB003", "duplicate id", Severity.ERROR),
        Code("PB004", "reference to an unknown id", Severity.ERROR),
        Code("PB005", "a link that skips or climbs the wrong rung of the ladder", Severity.ERROR),
        Code("PB006", "orphan: supports nothing", Severity.ERROR),
        Code("PB007", "uncovered: nothing below supports it", Severity.ERROR),
        Code("PB008", "a cycle in depends_on", Severity.ERROR),
        Code(
            "PB009", "schedule: outside the horizon or before a dependency ends", Severity.WARNING
        ),
        Code("PB010", "a metric that drives no business outcome", Severity.ERROR),
        Code("PB011", "a plan supporting another function's estimate", Severity.WARNING),
        Code(
            "PB012",
            "waterfall: the commitments do not add up to the revenue target",
            Severity.ERROR,
        ),
        Code("PB013", "an id that is not of the required form", Severity.ERROR),
        Code("PB014", "a placeholder (TODO) left in a plan", Severity.WARNING),
        # actuals (check-ins): results are not defects, so off track is silent by default
        Code("PB015", "stale: no actual for a metric's last complete period", Severity.WARNING),
        Code("PB016", "off track: a metric or success factor behind its path", Severity.OFF),
        Code("PB018", "actuals: a period, date or value a check-in cannot use", Severity.ERROR),
        Code(
            "PB019",
            "suspect: a parent changed since the node was reviewed",
            Severity.WARNING,
        ),
    )
}


class Location(Value):
    """A place in a plan file: 1-based line and column (0 when unknown)."""

    __slots__ = ("file", "line", "column")
    file: str
    line: int
    column: int

    def __init__(self, file: str, line: int = 0, column: int = 0) -> None:
        super().__init__(file, line, column)

    def __lt__(self, other: Location) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return self.fields() < other.fields()

    def __le__(self, other: Location) -> bool:
        return self == other or self < other

    def __gt__(self, other: Location) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return other < self

    def __ge__(self, other: Location) -> bool:
        return self == other or self > other

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


class Diagnostic(Value):
    """One finding: a stable code, a severity, a message and where it is."""

    __slots__ = ("code", "message", "location", "severity", "related")
    code: str
    message: str
    location: Location
    severity: Severity
    related: tuple[Location, ...]

    def __init__(
        self,
        code: str,
        message: str,
        location: Location,
        severity: Severity = Severity.ERROR,
        related: tuple[Location, ...] = (),
    ) -> None:
        super().__init__(code, message, location, severity, related)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.code} {self.message}"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
        }
        if self.related:
            out["related"] = [
                {"file": r.file, "line": r.line, "column": r.column} for r in self.related
            ]
        return out


class Findings:
    """Collects diagnostics; each check appends, none stops the others."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(
        self,
        code: str,
        message: str,
        location: Location,
        *,
        severity: Severity | None = None,
        related: Iterable[Location] = (),
    ) -> None:
        sev = severity if severity is not None else CATALOGUE[code].severity
        # text from plan files (values, file names) never reaches a terminal as control codes
        message = printable(message)
        if not location.file.isprintable():
            location = Location(printable(location.file), location.line, location.column)
        self.items.append(Diagnostic(code, message, location, sev, tuple(related)))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)


def printable(text: str) -> str:
    """Control characters shown as escapes (``\\x1b``), so output cannot be forged."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def apply_severities(
    diagnostics: Iterable[Diagnostic], overrides: Mapping[str, Severity]
) -> list[Diagnostic]:
    """Apply per-code severity overrides, drop silenced findings, sort stably."""
    out = []
    for d in diagnostics:
        sev = overrides.get(d.code, d.severity)
        if sev is Severity.OFF:
            continue
        out.append(
            d if sev is d.severity else Diagnostic(d.code, d.message, d.location, sev, d.related)
        )
    out.sort(key=Diagnostic.sort_key)
    return out


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix, or an empty string."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    if not matches:
        return ""
    quoted = " or ".join(f"'{m}'" for m in matches)
    return f"; did you mean {quoted}?"
