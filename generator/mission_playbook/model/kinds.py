"""The typed model of a playbook: one class per kind and nested node of the
model (docs/model.md).

Each class is a record (``model/records.py``): validated with precise error paths (which
map back to file:line:col through the positions the loader keeps), unknown fields forbidden,
and the source of the JSON Schema that editors use (``authoring/schema.py``). ``supports``
lists default to empty so that a missing link is reported as an orphan (PB006), not a schema
error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from mission_playbook.model.records import Describe, Record, field

Id = Annotated[str, Describe("An id: lower case letters, digits and '-', unique.")]
Text = Annotated[str, Describe("Free text; Markdown is allowed.")]
Number = float | int
Period = Literal["month", "quarter", "year"]
Direction = Literal["increase", "decrease", "maintain"]
#: How a metric's values add up (docs/model.md, "Actuals"): ``total`` a running total from 0 at
#: the horizon's start (a metric without ``per``); ``ratio`` a share, average or snapshot per
#: period, compared whole even while its period is in progress (a metric with ``per``).
Measure = Literal["total", "ratio"]

DEFAULT_LIFECYCLE = ["radar", "opportunity", "customer", "advocate"]


class Node(Record):
    """A node of a plan document: unknown fields are errors, numbers are accepted as text."""


# --- mission -----------------------------------------------------------------------------


class FactorMetric(Node):
    """How a success factor is measured."""

    name: Text
    unit: str | None = None
    baseline: Number | str | None = None
    target: Number | str
    per: Period | None = None
    measure: Measure | None = None
    direction: Direction | None = None
    by: dt.date | None = None


class SuccessFactor(Node):
    """A business success factor the commander sets: the top rung below the mission."""

    id: Id
    title: Text
    description: Text | None = None
    metric: FactorMetric | None = None


class Market(Node):
    id: Id
    name: Text | None = None
    priority: int | str | None = None


class Customer(Node):
    id: Id
    name: Text | None = None
    market: Id | None = None
    rank: int | None = None


class Environment(Node):
    """The operational environment: markets, customers, competitors, facts, assumptions."""

    markets: list[Market] = field(factory=list)
    customers: list[Customer] = field(factory=list)
    competitors: list[Text] = field(factory=list)
    facts: list[Text] = field(factory=list)
    assumptions: list[Text] = field(factory=list)


class Horizon(Node):
    start: dt.date | None = None
    end: dt.date | None = None


class Mission(Node):
    """The commander's mission: who, what, when, where, why, and the success factors."""

    kind: Literal["mission"]
    id: Id
    title: Text
    statement: Text
    commander: Text | None = None
    horizon: Horizon | None = None
    success_factors: list[SuccessFactor]
    environment: Environment = field(factory=Environment)
    lifecycle: list[Id] = field(factory=lambda: list(DEFAULT_LIFECYCLE))


# --- intent ------------------------------------------------------------------------------


class EndState(Node):
    condition: Text
    measured_by: Id | None = None


class KeyTask(Node):
    """A key task of the commander's intent; supports success factors."""

    id: Id
    title: Text
    description: Text | None = None
    supports: list[Id] = field(factory=list)
    priority: int | str | None = None
    markets: list[Id] = field(factory=list)


class Intent(Node):
    """The commander's intent: purpose, vision, design, key tasks, end state."""

    kind: Literal["intent"]
    id: Id
    purpose: Text
    vision: Text | None = None
    design: Text | None = None
    end_state: list[EndState] = field(factory=list)
    key_tasks: list[KeyTask]
    guidance: list[Text] = field(factory=list)
    constraints: list[Text] = field(factory=list)


# --- functions ---------------------------------------------------------------------------


class SpecifiedTask(Node):
    task: Text
    from_: Id | None = field(key="from", default=None)


class Risk(Node):
    risk: Text
    likelihood: str | None = None
    impact: str | None = None
    mitigation: Text | None = None


class MissionAnalysis(Node):
    """What a functional leader derives from the mission before planning."""

    specified_tasks: list[SpecifiedTask] = field(factory=list)
    implied_tasks: list[Text] = field(factory=list)
    facts: list[Text] = field(factory=list)
    assumptions: list[Text] = field(factory=list)
    constraints: list[Text] = field(factory=list)
    risks: list[Risk] = field(factory=list)


class Estimate(Node):
    """A functional estimate: how the function answers key tasks."""

    id: Id
    title: Text
    supports: list[Id] = field(factory=list)
    situation: Text | None = None
    capabilities: Text | None = None
    shortfalls: Text | None = None
    conclusion: Text | None = None
    recommendation: Text | None = None


class Function(Node):
    """A function (Marketing, Sales, ...): its analysis, estimates and strategic concept."""

    kind: Literal["function"]
    id: Id
    name: Text
    leader: Text | None = None
    role: Text | None = None
    mission_analysis: MissionAnalysis = field(factory=MissionAnalysis)
    estimates: list[Estimate]
    concept: Text | None = None


# --- supporting plans --------------------------------------------------------------------


class Milestone(Node):
    title: Text
    date: dt.date | None = None


class Metric(Node):
    """A metric; leading and activity metrics must drive an outcome."""

    id: Id
    name: Text
    unit: str | None = None
    baseline: Number | str | None = None
    target: Number | str | None = None
    per: Period | None = None
    measure: Measure | None = None
    direction: Direction | None = None
    by: dt.date | None = None
    type: Literal["outcome", "leading", "activity"]
    drives: Id | None = None


class Plan(Node):
    """A supporting plan of a function; supports that function's estimates."""

    kind: Literal["plan"]
    id: Id
    title: Text
    function: Id
    owner: Text | None = None
    supports: list[Id] = field(factory=list)
    objective: Text | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    depends_on: list[Id] = field(factory=list)
    lifecycle_stage: Id | None = None
    markets: list[Id] = field(factory=list)
    customers: list[Id] = field(factory=list)
    milestones: list[Milestone] = field(factory=list)
    budget: Number | str | None = None
    metrics: list[Metric] = field(factory=list)


# --- SLA and glossary --------------------------------------------------------------------


class Stage(Node):
    """A stage of the demand waterfall, top of the funnel first."""

    id: Id
    name: Text | None = None
    owner: Id
    conversion: Number | None = None
    definition: Text | None = None
    entry: Text | None = None
    exit: Text | None = None
    system_of_record: Text | None = None


class Commitment(Node):
    party: Id
    stage: Id
    volume: Number
    per: str


class Sla(Node):
    """The Marketing and Sales agreement and its demand waterfall."""

    kind: Literal["sla"]
    id: Id
    parties: list[Id] = field(factory=list)
    period: Period
    revenue_target: Number
    run_rate_share: Number = 0
    marketing_share: Number = 1
    average_deal: Number
    stages: list[Stage]
    commitments: list[Commitment] = field(factory=list)


class Term(Node):
    term: Text
    definition: Text
    aliases: list[Text] = field(factory=list)


class Glossary(Node):
    kind: Literal["glossary"]
    id: Id
    terms: list[Term] = field(factory=list)


# --- actuals -----------------------------------------------------------------------------

PeriodText = Annotated[
    str | int, Describe("A period: a month (2027-03), a quarter (2027-Q1) or a year (2027).")
]


class ActualValue(Node):
    """An actual result of a plan metric or success factor: for a period, or on ``as_of``."""

    metric: Id
    value: Number
    period: PeriodText | None = None
    confidence: Literal["on-track", "at-risk", "off-track"] | None = None
    note: Text | None = None


class FunnelVolume(Node):
    """How many reached a stage of the SLA's funnel in a period."""

    stage: Id
    period: PeriodText
    volume: int


class Checkin(Node):
    """A report of actual results, true on ``as_of``; not a node of the ladder."""

    kind: Literal["checkin"]
    id: Id
    as_of: dt.date
    by: Text | None = None
    values: list[ActualValue] = field(factory=list)
    funnel: list[FunnelVolume] = field(factory=list)


Document = Mission | Intent | Function | Plan | Sla | Glossary | Checkin

KINDS: dict[str, type[Document]] = {
    "mission": Mission,
    "intent": Intent,
    "function": Function,
    "plan": Plan,
    "sla": Sla,
    "glossary": Glossary,
    "checkin": Checkin,
}
