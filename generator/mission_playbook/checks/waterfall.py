"""The demand waterfall: start with the revenue target and work backward (PB012).

Volumes are kept exact with fractions through the whole chain and rounded up only when
shown or compared, so 4,444.4 inquiries needed is 4,445, never 4,444.

Then forward again: what the committed volumes yield, stage by stage, at the planned
conversions (a shortfall at one stage carries down to every stage below it), and which
conversion moves the funnel most (:func:`levers`). Yields are rounded down when shown.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction

from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.kinds import Sla, Stage
from mission_playbook.model.ladder import Ladder, Node

MONTHS = {"month": 1, "quarter": 3, "year": 12}


def exact(value: float | int | str) -> Fraction:
    """A number as written, exactly: 0.15 is 3/20, not the nearest binary fraction."""
    return Fraction(str(value))


def convert(volume: Fraction, per: str, period: str) -> Fraction:
    """A volume per ``per`` expressed per ``period`` (month × 3 = quarter, quarter × 4 = year)."""
    return volume * MONTHS[period] / MONTHS[per]


def ceil(value: Fraction) -> int:
    return math.ceil(value)


@dataclass
class StageNeed:
    """One stage of the waterfall: what the revenue target needs, what is committed, and
    what the commitments yield here (``flow``, see :func:`flows`)."""

    stage: Node
    required: Fraction
    committed: Fraction | None = None
    commitments: list[tuple[str, Fraction, str, Fraction]] = field(default_factory=list)
    flow: Fraction | None = None

    @property
    def needed(self) -> int:
        return ceil(self.required)

    @property
    def gap(self) -> Fraction | None:
        """How many more the stage needs than is committed (0 when covered)."""
        if self.committed is None:
            return None
        return max(Fraction(0), self.needed - self.committed)

    @property
    def yielded(self) -> int | None:
        """What the commitments yield here, rounded down (None above the first commitment)."""
        return None if self.flow is None else math.floor(self.flow)

    @property
    def short(self) -> int:
        """How many the stage falls short of its need at the committed volumes: the need
        less the yield as shown, so the two figures add up (0 when covered or unknown)."""
        if self.flow is None or self.flow >= self.required:
            return 0
        return self.needed - math.floor(self.flow)


@dataclass
class Waterfall:
    """The computed waterfall of an SLA, top of the funnel first."""

    sla: Node
    gap_revenue: Fraction
    stages: list[StageNeed]

    @property
    def period(self) -> str:
        return self.sla.record(Sla).period

    @property
    def first_short(self) -> StageNeed | None:
        """The first stage whose commitment is below its need: where the shortfall starts."""
        return next((s for s in self.stages if s.gap), None)

    @property
    def outcome(self) -> StageNeed | None:
        """The last stage (the deals), when the commitments say what reaches it."""
        last = self.stages[-1] if self.stages else None
        return last if last is not None and last.flow is not None else None


@dataclass(frozen=True)
class Lever:
    """One conversion of the funnel (from ``stage`` to the next) as a lever.

    ``top_needed``: the top stage's need with this conversion one percentage point higher
    (``better``; ``fewer``: how many fewer than the plan). ``closes_at``: with the committed
    volumes, the conversion at which the last stage would get all it needs; None when nothing is
    short, when the commitments say nothing here, or when it cannot: ``capped_by`` names the
    stage below whose commitment is short anyway, ``above_one`` that even every single one
    moving on would not be enough.
    """

    stage: Node
    conversion: Fraction
    better: Fraction
    top_needed: int
    fewer: int
    closes_at: Fraction | None = None
    capped_by: Node | None = None
    above_one: bool = False


def required_volumes(sla: Sla) -> list[Fraction] | None:
    """Exact volume needed at each stage, top first; None when a conversion is unusable."""
    gap = exact(sla.revenue_target) * (1 - exact(sla.run_rate_share)) * exact(sla.marketing_share)
    if not sla.stages or exact(sla.average_deal) <= 0:
        return None
    need = gap / exact(sla.average_deal)
    volumes = [need]
    for stage in reversed(sla.stages[:-1]):
        if stage.conversion is None or not 0 < exact(stage.conversion) <= 1:
            return None
        need = need / exact(stage.conversion)
        volumes.append(need)
    return list(reversed(volumes))


def flows(needs: list[StageNeed]) -> list[Fraction | None]:
    """What the committed volumes yield at each stage at the planned conversions, top first.

    A stage gets what the stage above passes on (the above's yield × its conversion), but
    never more than is committed at it: fewer MQLs than needed mean fewer SALs, opportunities
    and wins, whatever Sales commits. Stages above the first commitment yield None.
    """
    out: list[Fraction | None] = []
    flow: Fraction | None = None
    for i, need in enumerate(needs):
        if flow is not None:
            flow *= exact(needs[i - 1].stage.record(Stage).conversion or 0)
        if need.committed is not None:
            flow = need.committed if flow is None else min(flow, need.committed)
        out.append(flow)
    return out


def levers(waterfall: Waterfall, point: Fraction = Fraction(1, 100)) -> list[Lever]:
    """Each conversion as a lever: the effect of one percentage point more on the top of the
    funnel, and the conversion that would close the shortfall of the committed volumes."""
    stages = waterfall.stages
    if len(stages) < 2:
        return []
    conversions = [exact(s.stage.record(Stage).conversion or 0) for s in stages[:-1]]
    short = stages[-1].flow is not None and stages[-1].flow < stages[-1].required
    out = []
    for i, need in enumerate(stages[:-1]):
        better = min(Fraction(1), conversions[i] + point)
        top = stages[0].required * conversions[i] / better
        lever = Lever(need.stage, conversions[i], better, ceil(top), stages[0].needed - ceil(top))
        if short and need.flow:
            below = stages[i + 1 :]
            capped = next(
                (s for s in below if s.committed is not None and s.committed < s.required), None
            )
            closes = stages[i + 1].required / need.flow
            if capped is not None:
                lever = dataclasses.replace(lever, capped_by=capped.stage)
            elif closes > 1:
                lever = dataclasses.replace(lever, above_one=True)
            else:
                lever = dataclasses.replace(lever, closes_at=closes)
        out.append(lever)
    return out


def check(ladder: Ladder, findings: Findings) -> list[Waterfall]:
    """PB012 for every SLA: shares, conversions, commitments; returns the waterfalls."""
    out = []
    for node in ladder.of_kind("sla"):
        waterfall = _check_one(ladder, node, findings)
        if waterfall is not None:
            out.append(waterfall)
    return out


def _check_one(ladder: Ladder, node: Node, findings: Findings) -> Waterfall | None:
    sla = node.record(Sla)
    ok = True
    for field_name in ("run_rate_share", "marketing_share"):
        value = getattr(sla, field_name)
        if not 0 <= exact(value) <= 1:
            findings.add(
                "PB012",
                f"'{field_name}' is {value}; a share is between 0 and 1",
                node.loc(field_name),
            )
            ok = False
    if exact(sla.average_deal) <= 0:
        findings.add(
            "PB012",
            f"'average_deal' is {sla.average_deal}; it must be above 0",
            node.loc("average_deal"),
        )
        ok = False
    last = len(sla.stages) - 1
    for i, stage in enumerate(sla.stages):
        if i == last:
            continue
        if stage.conversion is None:
            findings.add(
                "PB012",
                f"stage '{stage.id}' has no 'conversion': every stage but the last needs the "
                "share that moves on to the next stage",
                node.loc("stages", i, "id"),
            )
            ok = False
        elif not 0 < exact(stage.conversion) <= 1:
            findings.add(
                "PB012",
                f"stage '{stage.id}' converts {stage.conversion}; a conversion is a share above 0 "
                "and at most 1 (0.25 means a quarter move on)",
                node.loc("stages", i, "conversion"),
            )
            ok = False
    volumes = required_volumes(sla) if ok else None
    stage_nodes = [ladder.nodes.get(s.id) for s in sla.stages]
    needs = [
        StageNeed(n, v)
        for n, v in zip(stage_nodes, volumes or [], strict=False)
        if n is not None and n.kind == "stage"
    ]
    by_stage = {need.stage.id: need for need in needs}
    _check_commitments(node, by_stage, findings)
    if volumes is None:
        return None
    for need, flow in zip(needs, flows(needs), strict=True):
        need.flow = flow
    gap = exact(sla.revenue_target) * (1 - exact(sla.run_rate_share)) * exact(sla.marketing_share)
    return Waterfall(node, gap, needs)


def _check_commitments(node: Node, by_stage: dict[str, StageNeed], findings: Findings) -> None:
    sla = node.record(Sla)
    stage_ids = [s.id for s in sla.stages]
    for i, c in enumerate(sla.commitments):
        if sla.parties and c.party not in sla.parties:
            findings.add(
                "PB012",
                f"'{c.party}' commits to the SLA but is not one of its parties "
                f"({', '.join(sla.parties)})" + did_you_mean(c.party, sla.parties),
                node.loc("commitments", i, "party"),
            )
            continue
        if c.stage not in stage_ids:
            findings.add(
                "PB012",
                f"{c.party} commits to the stage '{c.stage}', which the SLA does not have "
                f"({', '.join(stage_ids) or 'it lists no stages'})"
                + did_you_mean(c.stage, stage_ids),
                node.loc("commitments", i, "stage"),
            )
            continue
        if c.per not in MONTHS:
            findings.add(
                "PB012",
                f"{c.party} commits {c.volume} {c.stage} per '{c.per}', which cannot be converted "
                f"to a {sla.period}; use month, quarter or year",
                node.loc("commitments", i, "per"),
            )
            continue
        need = by_stage.get(c.stage)
        if need is None:
            continue
        per_period = convert(exact(c.volume), c.per, sla.period)
        need.committed = (need.committed or Fraction(0)) + per_period
        need.commitments.append((c.party, exact(c.volume), c.per, per_period))
    for need in by_stage.values():
        if need.committed is None or need.committed >= need.needed:
            continue
        parts = "; ".join(
            f"{party} commits {_num(volume)} {need.stage.id} a {per}"
            + (f" = {_num(conv)} a {sla.period}" if per != sla.period else "")
            for party, volume, per, conv in need.commitments
        )
        short = need.needed - need.committed
        index = next(k for k, c in enumerate(sla.commitments) if c.stage == need.stage.id)
        findings.add(
            "PB012",
            f"{parts}; the revenue target needs {need.needed:,} a {sla.period}: "
            f"{_num(short)} short",
            node.loc("commitments", index, "volume"),
        )


def _num(value: Fraction) -> str:
    """A count as people write it: 4,445, or 12.5 when it is not whole."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.1f}"
