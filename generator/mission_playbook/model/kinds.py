"""The typed model of a playbook: one class per kind and nested node of the
model (docs/model.md).

Each class is a record (``model/records.py``): validated with precise error paths (which
map back to file:line:col through the positions the loader keeps), unknown fields forbidden,
numbers accepted as text, and the source of the JSON Schema that editors use
(``authoring/schema.py``). ``supports`` lists default to empty so that a missing link is
reported as an orphan (PB006), not a schema error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from mission_playbook.model.records import Describe, Record, field

Id = Annotated[str, Describe("An id: lower case letters, digits and '-', unique.")]
Text = Annotated[str, Describe("Free text; Markdown is allowed.")]
Number = float | int
Currency = Annotated[str, Describe("The currency of the playbook's amounts: USD, EUR, $, €...")]
Period = Literal["month", "quarter", "year"]
Direction = Literal["increase", "decrease", "maintain"]
#: How a metric's values add up (docs/model.md, "Actuals"): ``total`` a running total from 0 at
#: the horizon's start (a metric without ``per``); ``ratio`` a share, average or snapshot per
#: period, compared whole even while its period is in progress (a metric with ``per``).
Measure = Literal["total", "ratio"]

#: A code host account or team, as CODEOWNERS names it: ``@rnguyen``, ``@octet/sales-ops``.
HANDLE_FORM = r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?"
#: An e-mail address, loosely: one '@', no spaces, a dot in the domain.
EMAIL_FORM = "[^@\\s<>\"'`]+@[^@\\s<>\"'`]+\\.[^@\\s<>\"'`.][^@\\s<>\"'`]*"
Handle = Annotated[
    str,
    Describe(
        "A code host account or team, written '@' and its name (in quotes in YAML).",
        pattern=HANDLE_FORM,
        form="'@' and an account name such as '@rnguyen' (or a team, '@org/team'), in quotes",
    ),
]
Email = Annotated[
    str,
    Describe("An e-mail address.", pattern=EMAIL_FORM, form="an e-mail address (name@example.com)"),
]

DEFAULT_LIFECYCLE = ["radar", "opportunity", "customer", "advocate"]


# --- people and review -------------------------------------------------------------------


class Person(Record):
    """A person named where they are needed: an owner, a leader, the commander."""

    name: Text
    role: Text | None = None
    handle: Handle | None = None
    email: Email | None = None


class PersonRef(Record):
    """A person of the playbook's ``people`` list, named by id."""

    person: Id


#: Who owns a plan, leads a function or commands: text, a person, or a person by id.
Owner = Text | Person | PersonRef


class Review(Record):
    """A review stamp (written by ``playbook review``): who reviewed the node, when, and
    a short hash of each field of each node it supports, as they were then."""

    date: dt.date
    by: Text | None = None
    against: dict[Id, dict[str, str]] = field(factory=dict)


# --- mission -----------------------------------------------------------------------------


class FactorMetric(Record):
    """How a success factor is measured."""

    name: Text
    unit: str | None = None
    baseline: Number | str | None = None
    target: Number | str
    per: Period | None = None
    measure: Measure | None = None
    direction: Direction | None = None
    by: dt.date | None = None


class SuccessFactor(Record):
    """A business success factor the commander sets: the top rung below the mission."""

    id: Id
    title: Text
    description: Text | None = None
    metric: FactorMetric | None = None
    review: Review | None = None


class Market(Record):
    id: Id
    name: Text | None = None
    priority: int | str | None = None


class Customer(Record):
    id: Id
    name: Text | None = None
    market: Id | None = None
    rank: int | None = None


class Environment(Record):
    """The operational environment: markets, customers, competitors, facts, assumptions."""

    markets: list[Market] = field(factory=list)
    customers: list[Customer] = field(factory=list)
    competitors: list[Text] = field(factory=list)
    facts: list[Text] = field(factory=list)
    assumptions: list[Text] = field(factory=list)


class Horizon(Record):
    start: dt.date | None = None
    end: dt.date | None = None


class Mission(Record):
    """The commander's mission: who, what, when, where, why, and the success factors."""

    kind: Literal["mission"]
    id: Id
    title: Text
    statement: Text
    commander: Owner | None = None
    horizon: Horizon | None = None
    success_factors: list[SuccessFactor]
    environment: Environment = field(factory=Environment)
    lifecycle: list[Id] = field(factory=lambda: list(DEFAULT_LIFECYCLE))
    currency: Currency | None = None


# --- intent ------------------------------------------------------------------------------


class EndState(Record):
    condition: Text
    measured_by: Id | None = None


class KeyTask(Record):
    """A key task of the commander's intent; supports success factors."""

    id: Id
    title: Text
    description: Text | None = None
    supports: list[Id] = field(factory=list)
    priority: int | str | None = None
    markets: list[Id] = field(factory=list)
    review: Review | None = None


class Intent(Record):
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


class SpecifiedTask(Record):
    task: Text
    from_: Id | None = field(key="from", default=None)


class Risk(Record):
    risk: Text
    likelihood: str | None = None
    impact: str | None = None
    mitigation: Text | None = None


class MissionAnalysis(Record):
    """What a functional leader derives from the mission before planning."""

    specified_tasks: list[SpecifiedTask] = field(factory=list)
    implied_tasks: list[Text] = field(factory=list)
    facts: list[Text] = field(factory=list)
    assumptions: list[Text] = field(factory=list)
    constraints: list[Text] = field(factory=list)
    risks: list[Risk] = field(factory=list)


class Estimate(Record):
    """A functional estimate: how the function answers key tasks."""

    id: Id
    title: Text
    supports: list[Id] = field(factory=list)
    situation: Text | None = None
    capabilities: Text | None = None
    shortfalls: Text | None = None
    conclusion: Text | None = None
    recommendation: Text | None = None
    review: Review | None = None


class Function(Record):
    """A function (Marketing, Sales, ...): its analysis, estimates and strategic concept."""

    kind: Literal["function"]
    id: Id
    name: Text
    leader: Owner | None = None
    role: Text | None = None
    mission_analysis: MissionAnalysis = field(factory=MissionAnalysis)
    estimates: list[Estimate]
    concept: Text | None = None


# --- supporting plans --------------------------------------------------------------------


class Milestone(Record):
    title: Text
    date: dt.date | None = None


class Metric(Record):
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


class Plan(Record):
    """A supporting plan of a function; supports that function's estimates."""

    kind: Literal["plan"]
    id: Id
    title: Text
    function: Id
    owner: Owner | None = None
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
    review: Review | None = None


# --- SLA and glossary --------------------------------------------------------------------


class Stage(Record):
    """A stage of the demand waterfall, top of the funnel first."""

    id: Id
    name: Text | None = None
    owner: Id
    conversion: Number | None = None
    definition: Text | None = None
    entry: Text | None = None
    exit: Text | None = None
    system_of_record: Text | None = None


class Commitment(Record):
    party: Id
    stage: Id
    volume: Number
    per: str


class Sla(Record):
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


class Term(Record):
    term: Text
    definition: Text
    aliases: list[Text] = field(factory=list)


class Glossary(Record):
    kind: Literal["glossary"]
    id: Id
    terms: list[Term] = field(factory=list)


class Member(Record):
    """A person of the playbook, defined once and named by id (``{person: id}``)."""

    id: Id
    name: Text
    role: Text | None = None
    handle: Handle | None = None
    email: Email | None = None


class People(Record):
    """The people of the playbook: owners, leaders and the commander, each defined once."""

    kind: Literal["people"]
    id: Id
    people: list[Member] = field(factory=list)


# --- actuals -----------------------------------------------------------------------------

PeriodText = Annotated[
    str | int, Describe("A period: a month (2027-03), a quarter (2027-Q1) or a year (2027).")
]


class ActualValue(Record):
    """An actual result of a plan metric or success factor: for a period, or on ``as_of``."""

    metric: Id
    value: Number
    period: PeriodText | None = None
    confidence: Literal["on-track", "at-risk", "off-track"] | None = None
    note: Text | None = None


class FunnelVolume(Record):
    """How many reached a stage of the SLA's funnel in a period."""

    stage: Id
    period: PeriodText
    volume: int


class Checkin(Record):
    """A report of actual results, true on ``as_of``; not a node of the ladder."""

    kind: Literal["checkin"]
    id: Id
    as_of: dt.date
    by: Text | None = None
    values: list[ActualValue] = field(factory=list)
    funnel: list[FunnelVolume] = field(factory=list)


Document = Mission | Intent | Function | Plan | Sla | Glossary | People | Checkin

KINDS: dict[str, type[Document]] = {
    "mission": Mission,
    "intent": Intent,
    "function": Function,
    "plan": Plan,
    "sla": Sla,
    "glossary": Glossary,
    "people": People,
    "checkin": Checkin,
}
