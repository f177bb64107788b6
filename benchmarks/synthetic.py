"""Synthetic playbooks for tests and benchmarks.

`generate(n, out, seed)` writes a realistic playbook of about `n` nodes (success factors,
key tasks, estimates and plans; metrics, markets and customers are not counted) into
`out/plans/` using the recommended layout of docs/model.md, with a check-in per month-end
from January to June 2027 holding one actual per metric per period (`plans/actuals/`). The
output is deterministic for a seed, and clean: every id is unique and well formed, every rung
is covered, every `supports` climbs exactly one rung, plans support estimates of their own
function, `depends_on` only names earlier plans of the same function that end before the plan
starts, the SLA commitments meet the demand waterfall of the worked example, and no metric
with a cadence lacks an actual for a complete period.

Run as `python benchmarks/synthetic.py N OUT [--seed S] [--no-actuals]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from random import Random

__all__ = ["MIN_NODES", "generate", "main", "shape"]

HORIZON_START = dt.date(2027, 1, 1)
HORIZON_END = dt.date(2027, 12, 31)
N_SUCCESS_FACTORS = 5
N_KEY_TASKS = 10
LIFECYCLE = ("radar", "opportunity", "customer", "advocate")

# (id, name, abbreviation for plan ids, weight in the share of estimates and plans)
FUNCTIONS: tuple[tuple[str, str, str, float], ...] = (
    ("marketing", "Marketing", "mkt", 3.0),
    ("sales", "Sales", "sls", 3.0),
    ("sales-enablement", "Sales Enablement", "sen", 1.5),
    ("customer-success", "Customer Success", "csm", 2.0),
    ("product-marketing", "Product Marketing", "pmm", 1.5),
    ("revenue-operations", "Revenue Operations", "rop", 1.0),
    ("partnerships", "Partnerships", "ptn", 1.0),
    ("customer-support", "Customer Support", "sup", 1.0),
)

# Every function needs an estimate, every estimate a plan.
MIN_NODES = N_SUCCESS_FACTORS + N_KEY_TASKS + 2 * len(FUNCTIONS)

SUCCESS_FACTORS: tuple[tuple[str, str, str, str, float, float, str], ...] = (
    # id, title, metric name, unit, baseline, target, direction
    ("sf-new-arr", "Grow new annual recurring revenue", "New ARR", "USD", 28e6, 40e6, "increase"),
    (
        "sf-net-retention",
        "Keep and expand the customers we win",
        "Net revenue retention",
        "%",
        104.0,
        112.0,
        "increase",
    ),
    ("sf-win-rate", "Win more of the deals we pursue", "Win rate", "%", 21.0, 27.0, "increase"),
    (
        "sf-sales-cycle",
        "Shorten the time from first contact to close",
        "Median sales cycle",
        "days",
        118.0,
        90.0,
        "decrease",
    ),
    (
        "sf-cac-payback",
        "Acquire customers efficiently",
        "CAC payback",
        "months",
        19.0,
        15.0,
        "decrease",
    ),
)

KEY_TASKS: tuple[tuple[str, str], ...] = (
    ("kt-own-healthcare", "Become the default choice for mid-size healthcare networks"),
    ("kt-land-enterprise", "Land ten new enterprise logos in financial services"),
    ("kt-expand-installed-base", "Expand the installed base with the analytics add-on"),
    ("kt-partner-channel", "Build a partner channel that sources a fifth of pipeline"),
    ("kt-single-funnel", "Run one funnel with shared lead definitions and gates"),
    ("kt-value-selling", "Sell on quantified business value, not on features"),
    ("kt-reduce-churn", "Cut logo churn in the first year of a contract"),
    ("kt-launch-platform", "Launch the platform release to every segment"),
    ("kt-advocacy", "Turn our best customers into referenceable advocates"),
    ("kt-europe-entry", "Open the DACH and Nordic markets"),
)

MARKETS: tuple[tuple[str, str], ...] = (
    ("market-healthcare", "Healthcare providers"),
    ("market-finserv", "Financial services"),
    ("market-manufacturing", "Discrete manufacturing"),
    ("market-public-sector", "Public sector"),
    ("market-dach", "DACH region"),
    ("market-nordics", "Nordics"),
)

CUSTOMER_NAMES: tuple[str, ...] = (
    "Northwind Health",
    "Contoso Bank",
    "Fabrikam Motors",
    "Adatum Insurance",
    "Tailspin Clinics",
    "Woodgrove Financial",
    "Litware Systems",
    "Proseware Energy",
    "Fourth Coffee Group",
    "Alpine Ski House",
    "Wide World Importers",
    "Blue Yonder Airlines",
    "Coho Vineyard",
    "Lucerne Publishing",
    "Margie Travel",
    "Trey Research",
    "Humongous Insurance",
    "Graphic Design Institute",
    "Southridge Video",
    "City Power and Light",
)

PEOPLE: tuple[str, ...] = (
    "Ada Brennan",
    "Bo Lindqvist",
    "Carmen Ortiz",
    "Dev Patel",
    "Elif Kaya",
    "Femi Adeyemi",
    "Greta Hansen",
    "Hiro Tanaka",
    "Ines Moreau",
    "Jonas Weber",
    "Kara Nguyen",
    "Luca Romano",
    "Maya Cohen",
    "Nils Berg",
    "Olu Okafor",
    "Priya Raman",
    "Quinn Murphy",
    "Rosa Silva",
    "Sven Larsen",
    "Tara Walsh",
    "Umar Farooq",
    "Vera Novak",
    "Wen Li",
    "Yara Haddad",
)

# Per function: plan activities (title stems).
ACTIVITIES: dict[str, tuple[str, ...]] = {
    "marketing": (
        "Account-based campaign",
        "Webinar series",
        "Paid search program",
        "Field event tour",
        "Content syndication push",
        "Nurture track rebuild",
        "Analyst relations briefing",
        "Customer story library",
        "Brand awareness flight",
        "Website conversion sprint",
    ),
    "sales": (
        "Territory plan",
        "Enterprise pursuit team",
        "Pipeline review cadence",
        "Executive sponsor program",
        "Deal desk rollout",
        "Renewal upsell motion",
        "Named account blitz",
        "Forecast discipline drive",
        "Mutual close plan pilot",
    ),
    "sales-enablement": (
        "Value selling workshop",
        "Onboarding bootcamp",
        "Discovery call playbook",
        "Competitive battlecard refresh",
        "Certification path",
        "Coaching program",
        "Demo script overhaul",
        "Objection handling lab",
    ),
    "customer-success": (
        "Health score rollout",
        "Executive business review cycle",
        "Adoption campaign",
        "Renewal risk desk",
        "Onboarding acceleration",
        "Advocate program",
        "Success plan template",
        "Expansion play",
    ),
    "product-marketing": (
        "Launch plan",
        "Positioning refresh",
        "Pricing and packaging study",
        "Buyer persona research",
        "Sales kit",
        "Competitive teardown",
        "Message testing",
    ),
    "revenue-operations": (
        "Lead routing rebuild",
        "Attribution model",
        "CRM hygiene sprint",
        "Funnel dashboard",
        "Territory carve",
        "Quota model",
        "Data enrichment program",
    ),
    "partnerships": (
        "Reseller recruitment drive",
        "Co-selling program",
        "Marketplace listing",
        "Partner enablement track",
        "Joint solution brief",
        "Referral incentive",
    ),
    "customer-support": (
        "Self-service portal upgrade",
        "Escalation path redesign",
        "Knowledge base cleanup",
        "Support tier review",
        "Proactive outreach pilot",
        "Voice of customer loop",
    ),
}

QUALIFIERS: tuple[str, ...] = (
    "for {market}",
    "for {customer}",
    "in {quarter}",
    "for {market} in {quarter}",
    "wave {wave}",
    "for top accounts",
    "for the mid-market",
    "for new logos",
    "for the installed base",
    "for {market} buyers",
)

VERBS = (
    "Build",
    "Run",
    "Launch",
    "Scale",
    "Pilot",
    "Refresh",
    "Tighten",
    "Extend",
    "Measure",
    "Align",
    "Focus",
    "Rework",
)
OBJECTS = (
    "a repeatable motion",
    "qualified pipeline",
    "the buying committee",
    "account coverage",
    "the handoff from marketing to sales",
    "the first ninety days of each customer",
    "conversion from MQL to SAL",
    "proof of business value",
    "executive access",
    "partner-sourced opportunities",
    "the renewal calendar",
    "the demo experience",
)
GOALS = (
    "to {sf_lower}",
    "so that we {kt_lower}",
    "so that every team reads the same numbers",
    "to shorten the path from inquiry to close",
    "to give sellers fewer and better leads",
    "so that customers see value before the first renewal",
    "to free budget for what works",
    "to make the waterfall commitments credible",
)
MILESTONES = ("Kickoff", "First results", "Review", "Go live", "Wrap-up")
EXTRA = (
    "We measure it weekly and stop what does not move the outcome.",
    "The owner reports progress in the monthly operating review.",
    "It reuses the shared lead definitions agreed in the SLA.",
    "Scope stays narrow until the first results are in.",
    "Customer feedback decides the second wave.",
    "Sales leadership reviews the target list before launch.",
    "Budget is released in two tranches tied to the leading metrics.",
    "Lessons learned feed the next planning cycle.",
    "Marketing and sales share one dashboard for it.",
    "It depends on clean account data in the CRM.",
)

METRICS: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    # type: (name, unit, low target, high target)
    "outcome": (
        ("Pipeline sourced", "USD", 200_000, 3_000_000),
        ("Closed-won revenue", "USD", 100_000, 2_000_000),
        ("Net revenue retention", "%", 100, 120),
        ("Win rate", "%", 18, 35),
        ("New logos", "accounts", 2, 25),
        ("Expansion revenue", "USD", 50_000, 900_000),
    ),
    "leading": (
        ("Marketing qualified leads", "leads", 40, 600),
        ("Sales accepted leads", "leads", 20, 300),
        ("Meetings booked", "meetings", 10, 200),
        ("Opportunities created", "opportunities", 5, 120),
        ("Product adoption score", "points", 50, 90),
        ("Health score green share", "%", 60, 95),
    ),
    "activity": (
        ("Emails sent", "emails", 1_000, 50_000),
        ("Calls made", "calls", 100, 3_000),
        ("Webinars held", "events", 1, 12),
        ("Assets published", "assets", 2, 40),
        ("Reps certified", "reps", 5, 120),
        ("Partner trainings", "sessions", 2, 30),
    ),
}


@lru_cache(maxsize=4096)
def q(value: str) -> str:
    """Quote a string as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


def ids(values: list[str]) -> str:
    """A flow sequence of quoted strings."""
    return "[" + ", ".join(q(v) for v in values) + "]"


def uncap(text: str) -> str:
    """The text with its first letter in lower case."""
    return text[:1].lower() + text[1:]


def slug(text: str, limit: int) -> str:
    """Lower-case and hyphenated, cut at a word boundary to at most `limit` characters."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(s) > limit:
        cut = s.rfind("-", 0, limit + 1)
        s = s[: cut if cut > 0 else limit]
    return s.rstrip("-")


@dataclass
class Estimate:
    """An estimate of one function, answering 1-2 key tasks."""

    id: str
    function: int
    title: str
    supports: list[int]


@dataclass
class Plan:
    """A supporting plan."""

    number: str
    id: str
    title: str
    function: int
    supports: list[int]
    start: dt.date
    end: dt.date
    market: int
    customer: int
    depends_on: list[str] = field(default_factory=list)


def _sf_of(kt: int) -> int:
    """The success factor a key task supports first."""
    return kt % N_SUCCESS_FACTORS


def num(x: float) -> str:
    """A number as YAML: integral values without a fraction."""
    return str(int(x)) if x.is_integer() else repr(x)


def human(x: float) -> str:
    """A number for prose: thousands separated, integral values without a fraction."""
    return f"{x:,.0f}" if x.is_integer() else f"{x:g}"


def shape(n: int) -> tuple[int, int]:
    """Return (estimates, plans) for a playbook of about `n` nodes."""
    if n < MIN_NODES:
        raise ValueError(f"n must be at least {MIN_NODES}, got {n}")
    rest = n - N_SUCCESS_FACTORS - N_KEY_TASKS
    estimates = max(len(FUNCTIONS), round(n * 0.1))
    estimates = min(estimates, rest // 2)
    return estimates, rest - estimates


class _Writer:
    """Builds the playbook text, deterministic for one `Random`."""

    def __init__(self, n: int, rng: Random) -> None:
        self.rng = rng
        self.n_estimates, self.n_plans = shape(n)
        self.customers = [(f"acct-{slug(name, 40)}", name) for name in CUSTOMER_NAMES]
        self.estimates: list[Estimate] = []
        self.plans: list[Plan] = []
        self.metrics: list[tuple[str, int, str]] = []  # (id, target, per) of every plan metric

    # -- text ------------------------------------------------------------------------------

    def sentences(self, k: int, sf: int, kt: int) -> str:
        """`k` varied sentences about a plan's work, tied to a success factor and key task."""
        r = self.rng
        first = f"{r.choice(VERBS)} {r.choice(OBJECTS)} " + r.choice(GOALS).format(
            sf_lower=uncap(SUCCESS_FACTORS[sf][1]), kt_lower=uncap(KEY_TASKS[kt][1])
        )
        out = [first + "."]
        out.extend(r.sample(EXTRA, k - 1))
        return " ".join(out)

    # -- documents -------------------------------------------------------------------------

    def mission(self) -> str:
        r = self.rng
        lines = [
            "kind: mission",
            'id: "mission-2027"',
            'title: "Win the mid-market analytics category in 2027"',
            "statement: "
            + q(
                "The revenue organization (who) grows new ARR to 40 million and net retention "
                "to 112 percent (what) between January and December 2027 (when) in healthcare, "
                "financial services, manufacturing and the DACH and Nordic markets (where) so "
                "that the company funds its platform roadmap from its own growth (why)."
            ),
            f"commander: {q('Morgan Reyes')}",
            "horizon:",
            f"  start: {HORIZON_START.isoformat()}",
            f"  end: {HORIZON_END.isoformat()}",
            "success_factors:",
        ]
        for sid, title, mname, unit, base, target, direction in SUCCESS_FACTORS:
            lines += [
                f"  - id: {q(sid)}",
                f"    title: {q(title)}",
                f"    description: {q(f'{mname}: {human(base)} to {human(target)} {unit}.')}",
                "    metric:",
                f"      name: {q(mname)}",
                f"      unit: {q(unit)}",
                f"      baseline: {num(base)}",
                f"      target: {num(target)}",
                f"      direction: {direction}",
                f"      by: {HORIZON_END.isoformat()}",
            ]
        lines += ["environment:", "  markets:"]
        for i, (mid, name) in enumerate(MARKETS, 1):
            lines += [f"    - id: {q(mid)}", f"      name: {q(name)}", f"      priority: {i}"]
        lines.append("  customers:")
        for rank, (cid, name) in enumerate(self.customers, 1):
            market = r.choice(MARKETS)[0]
            lines += [
                f"    - id: {q(cid)}",
                f"      name: {q(name)}",
                f"      market: {q(market)}",
                f"      rank: {rank}",
            ]
        lines += [
            "  competitors:",
            f"    - {q('Globex Analytics, strong in manufacturing, weak in services')}",
            f"    - {q('Initech Insights, the low-price option with a large installed base')}",
            f"    - {q('Spreadsheets and in-house tools, still the most common choice')}",
            "  facts:",
            f"    - {q('Half of revenue arrives from renewals and existing contracts.')}",
            f"    - {q('Average new deal is 100,000 USD with a 118 day cycle.')}",
            "  assumptions:",
            f"    - {q('Healthcare budgets hold steady through 2027.')}",
            f"    - {q('The platform release ships by the end of March.')}",
            "lifecycle: " + ids(list(LIFECYCLE)),
        ]
        return "\n".join(lines) + "\n"

    def intent(self) -> str:
        r = self.rng
        lines = [
            "kind: intent",
            'id: "intent-2027"',
            "purpose: "
            + q(
                "Grow efficiently by winning the accounts where our analytics change outcomes, "
                "and keep them."
            ),
            "vision: "
            + q(
                "Every function plans against the same success factors and reads the same "
                "funnel, so that no program exists without a reason up the ladder."
            ),
            "design: "
            + q(
                "Marketing owns the funnel to MQL, Sales from SAL to close, Customer Success "
                "from signature to renewal; Sales Enablement, Product Marketing and Revenue "
                "Operations equip all three; Partnerships extends reach."
            ),
            "end_state:",
        ]
        for sid, _title, mname, unit, _b, target, _d in SUCCESS_FACTORS:
            lines += [
                f"  - condition: {q(f'{mname} reaches {human(target)} {unit}')}",
                f"    measured_by: {q(sid)}",
            ]
        lines.append("key_tasks:")
        for i, (kid, title) in enumerate(KEY_TASKS):
            sfs = [SUCCESS_FACTORS[_sf_of(i)][0]]
            if r.random() < 0.4:
                other = SUCCESS_FACTORS[
                    (i + 1 + r.randrange(N_SUCCESS_FACTORS - 1)) % N_SUCCESS_FACTORS
                ][0]
                sfs.append(other)
            markets = sorted(m[0] for m in r.sample(MARKETS, r.randint(1, 3)))
            desc = f"{title}, measured against {SUCCESS_FACTORS[_sf_of(i)][2]}."
            lines += [
                f"  - id: {q(kid)}",
                f"    title: {q(title)}",
                f"    description: {q(desc)}",
                f"    supports: {ids(sfs)}",
                f"    priority: {1 + i // 4}",
                f"    markets: {ids(markets)}",
            ]
        lines += [
            "guidance:",
            f"  - {q('Plan top down: nothing without a link up the ladder.')}",
            f"  - {q('Tie every metric to a business outcome, not to the program.')}",
            "constraints:",
            f"  - {q('No new headcount before the second quarter.')}",
            f"  - {q('Marketing spend stays within 9 percent of revenue.')}",
        ]
        return "\n".join(lines) + "\n"

    def assign_estimates(self) -> None:
        """Spread estimates over functions and key tasks, covering both."""
        r = self.rng
        nf = len(FUNCTIONS)
        owners = list(range(nf))
        weights = [f[3] for f in FUNCTIONS]
        owners += r.choices(range(nf), weights=weights, k=self.n_estimates - nf)
        owners.sort()
        kts = list(range(N_KEY_TASKS))
        r.shuffle(kts)
        per_function = [0] * nf
        for i, f in enumerate(owners):
            supports = [kts[i % N_KEY_TASKS]]
            if i + self.n_estimates < N_KEY_TASKS:
                supports.append(kts[i + self.n_estimates])  # cover the rest when few
            elif r.random() < 0.3:
                other = r.randrange(N_KEY_TASKS)
                if other not in supports:
                    supports.append(other)
            per_function[f] += 1
            fid, name = FUNCTIONS[f][0], FUNCTIONS[f][1]
            title = f"{name} estimate {per_function[f]}: {uncap(KEY_TASKS[supports[0]][1])}"
            self.estimates.append(Estimate(f"{fid}-est-{per_function[f]}", f, title, supports))

    def function(self, f: int) -> str:
        r = self.rng
        fid, name, _abbr, _w = FUNCTIONS[f]
        mine = [e for e in self.estimates if e.function == f]
        leader = PEOPLE[f * 3 % len(PEOPLE)]
        lines = [
            "kind: function",
            f"id: {q(fid)}",
            f"name: {q(name)}",
            f"leader: {q(leader)}",
            "role: "
            + q(
                f"{name} turns the commander's key tasks into {name.lower()} "
                "programs that move the success factors."
            ),
            "mission_analysis:",
            "  specified_tasks:",
        ]
        seen: list[int] = []
        for e in mine:
            for k in e.supports:
                if k not in seen:
                    seen.append(k)
        for k in seen[:6]:
            lines += [
                f"    - task: {q(KEY_TASKS[k][1])}",
                f"      from: {q(KEY_TASKS[k][0])}",
            ]
        lines += [
            "  implied_tasks:",
            f"    - {q(f'Agree lead definitions with the other functions before {name} acts.')}",
            f"    - {q('Keep account data clean enough to measure the outcome.')}",
            "  facts:",
            f"    - {q(f'{name} has {r.randint(6, 60)} people and a fixed budget.')}",
            "  assumptions:",
            f"    - {q('Tooling stays as it is until mid-year.')}",
            "  constraints:",
            f"    - {q('No program starts without an owner and a metric.')}",
            "  risks:",
            f"    - risk: {q('Key people leave during the launch window')}",
            f"      likelihood: {r.choice(['low', 'medium', 'high'])}",
            f"      impact: {r.choice(['medium', 'high'])}",
            f"      mitigation: {q('Pair every owner with a deputy.')}",
            "estimates:",
        ]
        for e in mine:
            kt = e.supports[0]
            sf = _sf_of(kt)
            lines += [
                f"  - id: {q(e.id)}",
                f"    title: {q(e.title)}",
                f"    supports: {ids([KEY_TASKS[k][0] for k in e.supports])}",
                f"    situation: {q(self.sentences(2, sf, kt))}",
                f"    capabilities: {q(f'{name} can staff {r.randint(2, 9)} programs at once.')}",
                f"    shortfalls: {q(r.choice(EXTRA))}",
                "    conclusion: " + q(f"{name} can support this key task with focus."),
                f"    recommendation: {q(self.sentences(1, sf, kt))}",
            ]
        lines.append(
            "concept: "
            + q(
                f"{name} concentrates on the few programs that move the success factors and "
                "stops the rest; each plan names the estimate it serves."
            )
        )
        return "\n".join(lines) + "\n"

    def assign_plans(self) -> None:
        """Give every estimate a plan, spread the rest, schedule, and link dependencies."""
        r = self.rng
        ne = len(self.estimates)
        targets = list(range(ne)) + [r.randrange(ne) for _ in range(self.n_plans - ne)]
        r.shuffle(targets)
        by_function: list[list[Plan]] = [[] for _ in FUNCTIONS]
        by_function_estimates: list[list[int]] = [[] for _ in FUNCTIONS]
        for i, e in enumerate(self.estimates):
            by_function_estimates[e.function].append(i)
        horizon_days = (HORIZON_END - HORIZON_START).days
        for i, t in enumerate(targets):
            f = self.estimates[t].function
            supports = [t]
            same = by_function_estimates[f]
            if len(same) > 1 and r.random() < 0.1:
                other = r.choice(same)
                if other != t:
                    supports.append(other)
            start = HORIZON_START + dt.timedelta(days=r.randrange(horizon_days - 20))
            end = min(start + dt.timedelta(days=r.randint(14, 120)), HORIZON_END)
            market, customer = r.randrange(len(MARKETS)), r.randrange(len(self.customers))
            qualifier = r.choice(QUALIFIERS)
            title = f"{r.choice(ACTIVITIES[FUNCTIONS[f][0]])} " + qualifier.format(
                market=MARKETS[market][1],
                customer=self.customers[customer][1],
                quarter=f"Q{(start.month - 1) // 3 + 1}",
                wave=r.randint(1, 4),
            )
            number = f"{FUNCTIONS[f][2]}-{i + 1:05d}"
            plan = Plan(
                number,
                f"{number}-{slug(title, 40)}",
                title,
                f,
                supports,
                start,
                end,
                market,
                customer,
            )
            earlier = by_function[f]
            if earlier and r.random() < 0.3:
                for cand in r.sample(earlier, min(6, len(earlier))):
                    if cand.end < start and len(plan.depends_on) < 2:
                        plan.depends_on.append(cand.id)
            earlier.append(plan)
            self.plans.append(plan)

    def plan(self, p: Plan, outcomes: list[list[str]]) -> str:
        """Return the YAML text of one plan; `outcomes` collects outcome metric ids."""
        r = self.rng
        fid = FUNCTIONS[p.function][0]
        kt = self.estimates[p.supports[0]].supports[0]
        sf = _sf_of(kt)
        market_id = MARKETS[p.market][0]
        cust_id = self.customers[p.customer][0]
        markets = [market_id]
        if r.random() < 0.3:
            extra = r.choice(MARKETS)[0]
            if extra != market_id:
                markets.append(extra)
        named = self.customers[p.customer][1] in p.title
        customers = [cust_id] if named or r.random() < 0.4 else []
        if customers and r.random() < 0.3:
            extra = r.choice(self.customers)[0]
            if extra != cust_id:
                customers.append(extra)
        span = (p.end - p.start).days
        lines = [
            "kind: plan",
            f"id: {q(p.id)}",
            f"title: {q(p.title)}",
            f"function: {q(fid)}",
            f"owner: {q(r.choice(PEOPLE))}",
            f"supports: {ids([self.estimates[s].id for s in p.supports])}",
            f"objective: {q(self.sentences(r.randint(2, 4), sf, kt))}",
            f"start: {p.start.isoformat()}",
            f"end: {p.end.isoformat()}",
        ]
        if p.depends_on:
            lines.append(f"depends_on: {ids(p.depends_on)}")
        lines += [
            f"lifecycle_stage: {q(r.choice(LIFECYCLE))}",
            f"markets: {ids(markets)}",
        ]
        if customers:
            lines.append(f"customers: {ids(customers)}")
        lines.append("milestones:")
        for j in range(r.randint(1, 3)):
            day = p.start + dt.timedelta(days=span * (j + 1) // 3)
            lines += [
                f"  - title: {q(f'{r.choice(MILESTONES)} {j + 1}')}",
                f"    date: {day.isoformat()}",
            ]
        lines += [f"budget: {r.randrange(5, 400) * 1000}", "metrics:"]
        kinds = sorted(
            r.choices(("outcome", "leading", "activity"), weights=(4, 3.5, 2.5), k=r.randint(1, 3)),
            key=("outcome", "leading", "activity").index,
        )
        mine: list[str] = []
        pool = outcomes[p.function]
        for j, kind in enumerate(kinds, 1):
            mname, unit, lo, hi = r.choice(METRICS[kind])
            mid = f"{p.number}-m{j}"
            if kind == "outcome":
                drives = SUCCESS_FACTORS[sf][0]
                mine.append(mid)
            elif mine and r.random() < 0.7:
                drives = r.choice(mine)
            elif pool and r.random() < 0.5:
                drives = r.choice(pool[-50:])
            else:
                drives = SUCCESS_FACTORS[sf][0]
            target, per = r.randint(lo, hi), r.choice(("month", "quarter", "year"))
            self.metrics.append((mid, target, per))
            lines += [
                f"  - id: {q(mid)}",
                f"    name: {q(mname)}",
                f"    unit: {q(unit)}",
                f"    target: {target}",
                f"    per: {per}",
                f"    type: {kind}",
                f"    drives: {q(drives)}",
            ]
        pool.extend(mine)
        return "\n".join(lines) + "\n"

    def checkins(self, rng: Random) -> dict[str, str]:
        """One check-in per month-end up to AS_OF: every monthly metric's value for its month,
        at quarter ends every quarterly one's for the quarter, at AS_OF every yearly one's for
        the year to date, each success factor's level, and the funnel's volumes per month.
        Values scatter around what the target asks for by then (file name → YAML)."""
        out = {}
        span = (HORIZON_END - HORIZON_START).days
        for month in range(1, AS_OF.month + 1):
            end = dt.date(2027, month + 1, 1) - dt.timedelta(days=1) if month < 12 else HORIZON_END
            lines = [
                "kind: checkin",
                f"id: {q(f'actuals-{end.isoformat()}')}",
                f"as_of: {end.isoformat()}",
                f"by: {q(PEOPLE[month % len(PEOPLE)])}",
                "values:",
            ]
            share = (end - HORIZON_START).days / span
            for sid, _t, _m, _u, base, target, _d in SUCCESS_FACTORS:
                value = (base + (target - base) * share) * rng.uniform(0.9, 1.08)
                lines += [f"  - metric: {q(sid)}", f"    value: {value:.1f}"]
            for mid, target, per in self.metrics:
                if per == "month":
                    period, whole = f"{end:%Y-%m}", target
                elif per == "quarter" and month % 3 == 0:
                    period, whole = f"{end.year}-Q{month // 3}", target
                elif per == "year" and end == AS_OF:
                    period, whole = f"{end.year}", target * ((end - HORIZON_START).days + 1) / 365
                else:
                    continue
                value = round(whole * rng.uniform(0.7, 1.25))
                lines += [f"  - metric: {q(mid)}", f"    value: {value}", f"    period: {period}"]
            lines.append("funnel:")
            for stage, need in FUNNEL_NEEDS:
                volume = round(need / 3 * rng.uniform(0.8, 1.15))
                lines += [
                    f"  - stage: {q(stage)}",
                    f"    period: {end:%Y-%m}",
                    f"    volume: {volume}",
                ]
            out[f"{end.isoformat()}.yaml"] = "\n".join(lines) + "\n"
        return out


#: The check-ins' as-of date (the benchmark's playbooks carry half a year of actuals).
AS_OF = dt.date(2027, 6, 30)
#: What each stage of the SLA needs a quarter (the worked example).
FUNNEL_NEEDS = (("inquiry", 4445), ("mql", 667), ("sal", 334), ("opportunity", 200), ("won", 50))

SLA = """kind: sla
id: "sla-2027"
parties: ["marketing", "sales"]
period: quarter
revenue_target: 10000000
run_rate_share: 0.5
marketing_share: 1
average_deal: 100000
stages:
  - id: "inquiry"
    name: "Inquiry"
    owner: "marketing"
    conversion: 0.15
    definition: "A known contact who raised a hand: form, event scan or chat."
    entry: "Contact created with a source"
    exit: "Scored as an MQL or recycled"
    system_of_record: "Marketing automation"
  - id: "mql"
    name: "Marketing qualified lead"
    owner: "marketing"
    conversion: 0.5
    definition: "Fits the ideal customer profile and shows buying behaviour."
    entry: "Score of 60 or more"
    exit: "Accepted or rejected by sales within two working days"
    system_of_record: "CRM"
  - id: "sal"
    name: "Sales accepted lead"
    owner: "sales"
    conversion: 0.6
    definition: "Sales agrees the lead is worth a discovery call."
    entry: "Accepted in the CRM"
    exit: "Opportunity created or returned to nurture"
    system_of_record: "CRM"
  - id: "opportunity"
    name: "Opportunity"
    owner: "sales"
    conversion: 0.25
    definition: "A qualified opportunity with a budget, a sponsor and a date."
    entry: "Discovery completed"
    exit: "Closed won or closed lost"
    system_of_record: "CRM"
  - id: "won"
    name: "Closed won"
    owner: "sales"
    definition: "A signed order."
    system_of_record: "CRM"
commitments:
  - party: "marketing"
    stage: "inquiry"
    volume: 1500
    per: month
  - party: "marketing"
    stage: "mql"
    volume: 225
    per: month
  - party: "sales"
    stage: "sal"
    volume: 112
    per: month
  - party: "sales"
    stage: "opportunity"
    volume: 200
    per: quarter
  - party: "sales"
    stage: "won"
    volume: 200
    per: year
"""

GLOSSARY_TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Marketing qualified lead",
        "A lead that fits the ideal customer profile and shows buying behaviour, handed to sales.",
        ("MQL",),
    ),
    ("Sales accepted lead", "A lead sales agrees to work within two working days.", ("SAL",)),
    ("Ideal customer profile", "The firmographics of the accounts we win and keep.", ("ICP",)),
    (
        "Account-based marketing",
        "Programs aimed at named accounts rather than at volume.",
        ("ABM",),
    ),
    (
        "Run rate",
        "Revenue that arrives regardless of new demand: renewals and existing contracts.",
        (),
    ),
    (
        "Demand waterfall",
        "The stages from inquiry to closed won, computed backward from the revenue target.",
        ("Funnel",),
    ),
    ("Commander's intent", "The purpose, vision and end state every plan must serve.", ("Intent",)),
)


def glossary() -> str:
    """The glossary document."""
    lines = ["kind: glossary", 'id: "glossary"', "terms:"]
    for term, definition, aliases in GLOSSARY_TERMS:
        lines += [f"  - term: {q(term)}", f"    definition: {q(definition)}"]
        if aliases:
            lines.append(f"    aliases: {ids(list(aliases))}")
    return "\n".join(lines) + "\n"


def generate(n: int, out: Path, seed: int = 0, actuals: bool = True) -> Path:
    """Write a playbook of about `n` nodes under `out/plans/` and return that folder, with
    half a year of check-ins in `plans/actuals/` unless `actuals` is false.

    An existing `out/plans/` is replaced. Raises ValueError when n < MIN_NODES.
    """
    rng = Random(seed)
    w = _Writer(n, rng)
    plans_dir = Path(out) / "plans"
    if plans_dir.exists():
        shutil.rmtree(plans_dir)
    functions_dir = plans_dir / "functions"
    functions_dir.mkdir(parents=True)

    def write(path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8", newline="\n")

    write(plans_dir / "mission.yaml", w.mission())
    write(plans_dir / "intent.yaml", w.intent())
    w.assign_estimates()
    for f, (fid, *_rest) in enumerate(FUNCTIONS):
        write(functions_dir / f"{fid}.yaml", w.function(f))
        (functions_dir / fid).mkdir()
    w.assign_plans()
    outcomes: list[list[str]] = [[] for _ in FUNCTIONS]
    for p in w.plans:
        write(functions_dir / FUNCTIONS[p.function][0] / f"{p.id}.yaml", w.plan(p, outcomes))
    write(plans_dir / "sla.yaml", SLA)
    write(plans_dir / "glossary.yaml", glossary())
    if actuals:
        (plans_dir / "actuals").mkdir()
        for name, text in w.checkins(Random(seed + 1)).items():  # the plans stay as they were
            write(plans_dir / "actuals" / name, text)
    return plans_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: `python benchmarks/synthetic.py N OUT [--seed S] [--no-actuals]`."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/synthetic.py", description="Write a synthetic playbook."
    )
    parser.add_argument("n", type=int, help=f"about how many nodes (at least {MIN_NODES})")
    parser.add_argument("out", type=Path, help="folder; the playbook goes to OUT/plans")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-actuals", action="store_true", help="write no check-ins")
    args = parser.parse_args(argv)
    try:
        plans = generate(args.n, args.out, args.seed, actuals=not args.no_actuals)
    except ValueError as exc:
        parser.error(str(exc))
    print(plans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
