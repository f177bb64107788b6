"""Periods of actual results: a month (``2027-03``), a quarter (``2027-Q1``) or a year (``2027``).

A metric with ``per`` is reported once per period of that length (docs/model.md, "Actuals").
Periods are calendar periods: quarters start in January, April, July and October.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from fractions import Fraction

#: Months in a period of each length ("month" < "quarter" < "year" as text, too).
MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: How each length is written, for messages.
EXAMPLES = {"month": "2027-03", "quarter": "2027-Q1", "year": "2027"}

_FORM = re.compile(r"([0-9]{4})(?:-([0-9]{2})|-Q([1-4]))?")
#: A whole period (shared: a check reads thousands of complete periods).
WHOLE = Fraction(1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month, quarter or year; ordered by start, then length."""

    start: dt.date
    per: str  # month, quarter or year
    end: dt.date = field(init=False, compare=False, repr=False)  # the period's last day

    def __post_init__(self) -> None:
        month = self.start.month + MONTHS[self.per]
        year = self.start.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        end = dt.date(year, month, 1) - dt.timedelta(days=1) if year <= 9999 else dt.date.max
        object.__setattr__(self, "end", end)

    @property
    def months(self) -> int:
        return MONTHS[self.per]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def elapsed(self, day: dt.date) -> Fraction:
        """The share of the period's days up to and including ``day``: 0 before it, 1 after."""
        if day >= self.end:
            return WHOLE
        if day < self.start:
            return Fraction(0)
        return Fraction((day - self.start).days + 1, self.days)

    def previous(self) -> Period | None:
        """The period of the same length just before this one (None before year 1)."""
        day = self.start - dt.timedelta(days=1) if self.start > dt.date.min else None
        return containing(day, self.per) if day is not None else None

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Whether any day of the period is between ``start`` and ``end`` (open when None)."""
        return (start is None or self.end >= start) and (end is None or self.start <= end)

    def __str__(self) -> str:
        if self.per == "year":
            return f"{self.start.year:04d}"
        if self.per == "quarter":
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year:04d}-{self.start.month:02d}"


def parse(text: object) -> Period | None:
    """The period ``text`` names (``2027-03``, ``2027-Q1``, ``2027``), or None."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    return _parse(str(text).strip())


@functools.lru_cache(maxsize=1024)
def _parse(text: str) -> Period | None:
    match = _FORM.fullmatch(text)
    if match is None:
        return None
    year, month, quarter = int(match[1]), match[2], match[3]
    if year < 1:
        return None
    if month is not None:
        if not 1 <= int(month) <= 12:
            return None
        return Period(dt.date(year, int(month), 1), "month")
    if quarter is not None:
        return Period(dt.date(year, 3 * int(quarter) - 2, 1), "quarter")
    return Period(dt.date(year, 1, 1), "year")


def containing(day: dt.date, per: str) -> Period:
    """The period of length ``per`` that contains ``day``."""
    if per == "year":
        return Period(dt.date(day.year, 1, 1), per)
    if per == "quarter":
        return Period(dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), per)
    return Period(dt.date(day.year, day.month, 1), per)


def last_complete(per: str, as_of: dt.date) -> Period | None:
    """The latest period of length ``per`` whose last day is on or before ``as_of``."""
    current = containing(as_of, per)
    return current if current.end <= as_of else current.previous()
