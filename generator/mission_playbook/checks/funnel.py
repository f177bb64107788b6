"""The funnel against the SLA: reported volumes compared with the demand waterfall.

For every period a check-in reports funnel volumes in (docs/model.md, "Actuals"):

- each stage's need (``checks/waterfall.py``, per the SLA's period) is converted to the
  reported period (a year is four quarters, a quarter three months) and compared with the
  volume: met, or short by how many; a period still in progress on the date of its volumes is
  compared with its need pro rata by its elapsed days;
- a stage's actual conversion is the next stage's volume ÷ its own in the same period, beside
  the planned one; the **lapse** is the stage whose actual ÷ planned conversion is lowest (below
  1), named with the owners of both ends;
- the **re-forecast** is what each stage would need for the revenue target at the actual
  conversions (the planned one where a stage has no actual);
- each commitment is converted to the period and compared with its stage's volume.

Periods of the SLA's length that no check-in reports but whose months (or quarters) all are
get their volumes added up, so a quarterly SLA can be read against monthly check-ins. Every
figure is an exact fraction, rounded up only when it is shown or compared as a count.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from mission_playbook.checks.checkins import Actuals, Volume
from mission_playbook.checks.waterfall import MONTHS, Waterfall, convert, exact
from mission_playbook.model import periods
from mission_playbook.model.kinds import Sla, Stage
from mission_playbook.model.ladder import Node
from mission_playbook.model.periods import Period


@dataclass(frozen=True, slots=True)
class CommitmentActual:
    """One commitment against what its party delivered in the period."""

    party: str
    volume: Fraction  # as committed, per ``per``
    per: str
    committed: Fraction  # converted to the period (pro rata when it is in progress)
    delivered: int

    @property
    def short(self) -> int:
        """How many more the commitment asked for (0 when met)."""
        return max(0, math.ceil(self.committed) - self.delivered)

    @property
    def met(self) -> bool:
        return self.short == 0


@dataclass(frozen=True, slots=True)
class StageActual:
    """One stage of the funnel in one period: the volume against the need."""

    stage: Node
    volume: int | None  # None: the stage was not reported for the period
    need: Fraction  # what the revenue target needs in the whole period
    need_to_date: Fraction  # ... pro rata when the period is in progress
    planned_conversion: Fraction | None  # share that moves on to the next stage (not the last)
    actual_conversion: Fraction | None  # next stage's volume ÷ this one's, same period
    reforecast: Fraction | None  # the need at the actual conversions (None: cannot be met)
    commitments: tuple[CommitmentActual, ...] = ()
    summed: bool = False  # added up from the period's months (or quarters)

    @property
    def owner(self) -> str:
        return self.stage.record(Stage).owner

    @property
    def needed(self) -> int:
        """The need to date as a count (rounded up)."""
        return math.ceil(self.need_to_date)

    @property
    def short(self) -> int | None:
        """How many the stage is short of its need to date (0 when met; None: not reported)."""
        return None if self.volume is None else max(0, self.needed - self.volume)

    @property
    def conversion_ratio(self) -> Fraction | None:
        """Actual ÷ planned conversion (below 1: fewer move on than planned)."""
        if self.actual_conversion is None or not self.planned_conversion:
            return None
        return self.actual_conversion / self.planned_conversion


@dataclass(frozen=True, slots=True)
class Lapse:
    """The stage where the funnel loses most against plan, and the next stage it feeds."""

    stage: StageActual
    next: StageActual
    ratio: Fraction  # actual ÷ planned conversion, below 1

    def __str__(self) -> str:
        a, b = self.stage, self.next
        actual = a.actual_conversion or Fraction(0)
        planned = a.planned_conversion or Fraction(0)
        return (
            f"{a.stage.id} ({a.owner}) → {b.stage.id} ({b.owner}): {_percent(actual)} against "
            f"{_percent(planned)} planned"
        )


@dataclass(frozen=True, slots=True)
class FunnelPeriod:
    """Every stage of the funnel in one period."""

    period: Period
    pro_rata: Fraction  # the share of the period elapsed on the date of its volumes
    stages: tuple[StageActual, ...]
    lapse: Lapse | None

    @property
    def summed(self) -> bool:
        """Whether some volume is added up from shorter periods."""
        return any(s.summed for s in self.stages)


@dataclass
class Funnel:
    """The funnel actuals of one SLA, period by period: by their last day, a quarter after its
    months."""

    waterfall: Waterfall
    periods: list[FunnelPeriod] = field(default_factory=list)

    @property
    def sla(self) -> Node:
        return self.waterfall.sla

    @property
    def latest(self) -> FunnelPeriod | None:
        return self.periods[-1] if self.periods else None


def compare(waterfalls: list[Waterfall], actuals: Actuals) -> list[Funnel]:
    """The funnel of every SLA whose waterfall computes and whose stages have volumes."""
    out = []
    for waterfall in waterfalls:
        stages = [need.stage.id for need in waterfall.stages]
        volumes = _volumes(stages, waterfall.period, actuals)
        if volumes:
            funnel = Funnel(waterfall)
            for period in sorted(volumes, key=lambda p: (p.end, p.months)):
                funnel.periods.append(_period(waterfall, period, volumes[period]))
            out.append(funnel)
    return out


def _volumes(
    stages: list[str], sla_period: str, actuals: Actuals
) -> dict[Period, dict[str, tuple[int, bool, Volume]]]:
    """Per period: stage id → (volume, whether it is added up, the latest volume behind it),
    for each reported period and for the SLA's periods added up."""
    out: dict[Period, dict[str, tuple[int, bool, Volume]]] = {}
    for stage in stages:
        reported = actuals.volumes.get(stage, [])
        for v in reported:
            out.setdefault(v.period, {})[stage] = (v.volume, False, v)
        by_period = {v.period: v for v in reported}
        for whole in {periods.containing(v.period.start, sla_period) for v in reported}:
            if whole in by_period:
                continue
            summed = _sum(whole, by_period)
            if summed is not None:
                out.setdefault(whole, {})[stage] = summed
    return out


def _sum(whole: Period, by_period: dict[Period, Volume]) -> tuple[int, bool, Volume] | None:
    """``whole``'s volume added up from its months (or quarters) when every one is reported."""
    for per in ("month", "quarter"):
        if MONTHS[per] >= whole.months:
            continue
        parts = []
        start = whole.start
        while start <= whole.end:
            part = by_period.get(periods.containing(start, per))
            if part is None:
                break
            parts.append(part)
            start = part.period.end + dt.timedelta(days=1)
        else:
            latest = max(parts, key=lambda v: v.as_of)
            return sum(v.volume for v in parts), True, latest
    return None


def _period(
    waterfall: Waterfall, period: Period, reported: dict[str, tuple[int, bool, Volume]]
) -> FunnelPeriod:
    sla = waterfall.sla.record(Sla)
    as_of = max(v.as_of for _, _, v in reported.values())
    pro_rata = period.elapsed(as_of)
    needs = [convert(n.required, sla.period, period.per) for n in waterfall.stages]
    volumes = [reported.get(n.stage.id, (None, False, None))[0] for n in waterfall.stages]
    conversions = [n.stage.record(Stage).conversion for n in waterfall.stages]
    planned = [exact(c) if i < len(needs) - 1 and c else None for i, c in enumerate(conversions)]
    actual: list[Fraction | None] = []
    for i, volume in enumerate(volumes):
        nxt = volumes[i + 1] if i + 1 < len(volumes) else None
        actual.append(Fraction(nxt, volume) if volume and nxt is not None else None)
    reforecast = _reforecast(needs[-1] if needs else Fraction(0), planned, actual)
    stages = []
    for i, need in enumerate(waterfall.stages):
        volume, summed, _ = reported.get(need.stage.id, (None, False, None))
        commitments = _commitments(waterfall, need.stage.id, period, pro_rata, volume)
        stages.append(
            StageActual(
                need.stage,
                volume,
                needs[i],
                needs[i] * pro_rata,
                planned[i],
                actual[i] if planned[i] is not None else None,
                reforecast[i],
                commitments,
                summed,
            )
        )
    return FunnelPeriod(period, pro_rata, tuple(stages), _lapse(stages))


def _reforecast(
    last: Fraction, planned: list[Fraction | None], actual: list[Fraction | None]
) -> list[Fraction | None]:
    """Each stage's need for the last stage's need at the actual conversions (planned where
    there is none); None above a conversion of 0, which no volume makes good."""
    out: list[Fraction | None] = [last]
    need: Fraction | None = last
    for i in range(len(planned) - 2, -1, -1):
        rate = actual[i] if actual[i] is not None else planned[i]
        need = need / rate if need is not None and rate else None
        out.append(need)
    return list(reversed(out))


def _commitments(
    waterfall: Waterfall, stage: str, period: Period, pro_rata: Fraction, delivered: int | None
) -> tuple[CommitmentActual, ...]:
    if delivered is None:
        return ()
    out = []
    for c in waterfall.sla.record(Sla).commitments:
        if c.stage != stage or c.per not in MONTHS:
            continue
        committed = convert(exact(c.volume), c.per, period.per) * pro_rata
        out.append(CommitmentActual(c.party, exact(c.volume), c.per, committed, delivered))
    return tuple(out)


def _lapse(stages: list[StageActual]) -> Lapse | None:
    """The stage with the lowest actual ÷ planned conversion below 1 (the first on a tie)."""
    found: tuple[Fraction, int] | None = None
    for i, stage in enumerate(stages[:-1]):
        ratio = stage.conversion_ratio
        if ratio is not None and ratio < 1 and (found is None or ratio < found[0]):
            found = (ratio, i)
    if found is None:
        return None
    ratio, i = found
    return Lapse(stages[i], stages[i + 1], ratio)


def _percent(share: Fraction) -> str:
    """A share as a percentage: 25 %, or 33.3 % when it is not whole."""
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator} %"
    return f"{float(value):.1f} %"
