"""What ``playbook init`` writes: a new playbook repository that checks clean.

The files come from the templates in ``starter_files/`` (Jinja2, one per file written, at the
same relative path; ``github/`` and the names without their leading dot stand for
``.github/workflows/`` and dot files). The answers (company, mission statement, horizon,
revenue target and period, run-rate share, average deal) fill them in, and the demand
waterfall's commitments are computed from the revenue figures with
``checks.waterfall.required_volumes``, so the SLA covers what the target needs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mission_playbook import __version__
from mission_playbook.authoring import fmt
from mission_playbook.checks.waterfall import MONTHS, required_volumes
from mission_playbook.model import writing
from mission_playbook.model.kinds import Sla
from mission_playbook.model.records import Invalid, validate

FILES = Path(__file__).parent / "starter_files"

#: output path → template (under ``starter_files/``), in the order they are listed.
TEMPLATES: dict[str, str] = {
    "mkdocs.yml": "mkdocs.yml.j2",
    "plans/mission.yaml": "plans/mission.yaml.j2",
    "plans/intent.yaml": "plans/intent.yaml.j2",
    "plans/functions/marketing.yaml": "plans/functions/marketing.yaml.j2",
    "plans/functions/marketing/mkt-demand-programs.yaml": (
        "plans/functions/marketing/mkt-demand-programs.yaml.j2"
    ),
    "plans/functions/sales.yaml": "plans/functions/sales.yaml.j2",
    "plans/functions/sales/sales-pipeline.yaml": "plans/functions/sales/sales-pipeline.yaml.j2",
    "plans/sla.yaml": "plans/sla.yaml.j2",
    "plans/glossary.yaml": "plans/glossary.yaml.j2",
    "templates/README.md": "templates/README.md.j2",
    ".github/workflows/playbook.yml": "github/playbook.yml.j2",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    ".gitignore": "gitignore.j2",
    "README.md": "README.md.j2",
}

#: The owner of the Mission Playbook repository whose action and hooks a playbook uses.
ACTION_OWNER = "octet-microsystems"
#: The action's major tag: its inputs' interface (the product's version is the input `version`).
ACTION_TAG = "v1"


class StarterError(ValueError):
    """An answer that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage of the starter's funnel, with its glossary term."""

    id: str
    name: str
    term: str
    aliases: tuple[str, ...]
    owner: str
    conversion: str | None
    definition: str
    entry: str
    exit: str
    system_of_record: str


FUNNEL = (
    Stage(
        "inquiry",
        "Inquiry",
        "Inquiry",
        (),
        "marketing",
        "0.15",
        "A response from a named person to a marketing touch, before any qualification.",
        "A tracked response creates or updates a contact in marketing automation.",
        "The contact meets the MQL definition, or goes back to nurture after 90 days.",
        "Marketing automation",
    ),
    Stage(
        "mql",
        "Marketing qualified lead (MQL)",
        "Marketing qualified lead",
        ("MQL",),
        "marketing",
        "0.5",
        "An inquiry that meets the agreed definition of fit and engagement.",
        "The lead score reaches the agreed threshold at an account in a market we compete in.",
        "Passed to Sales through the CRM, which accepts or rejects it within two business days.",
        "Marketing automation",
    ),
    Stage(
        "sal",
        "Sales accepted lead (SAL)",
        "Sales accepted lead",
        ("SAL",),
        "sales",
        "0.6",
        "An MQL that Sales has reviewed against the written definition and agreed to work.",
        "A seller accepts the lead in the CRM within two business days of the hand-off.",
        "Discovery confirms a need, a budget and a decision date, or the lead goes back.",
        "CRM",
    ),
    Stage(
        "opportunity",
        "Opportunity",
        "Opportunity",
        (),
        "sales",
        "0.25",
        "A qualified project with a budget and a decision date in the next 12 months.",
        "The seller creates an opportunity in the CRM with its value and decision date.",
        "The customer signs, or the opportunity is closed lost with a reason.",
        "CRM",
    ),
    Stage(
        "won",
        "Customer won",
        "Customer won",
        (),
        "sales",
        None,
        "A new customer has signed.",
        "The customer signs an order or contract.",
        "The customer is handed over to delivery.",
        "CRM",
    ),
)

#: (the answer's name, the question asked in a terminal)
QUESTIONS = (
    ("company", "Company name"),
    ("statement", "Mission statement (who, what, when, where, why)"),
    ("horizon", "Horizon (a year, or START..END as YYYY-MM-DD..YYYY-MM-DD)"),
    ("revenue_target", "Revenue target"),
    ("period", "... a month, quarter or year"),
    ("run_rate_share", "Share of it that arrives regardless (run rate, 0 to 1)"),
    ("average_deal", "Average deal"),
)


@dataclass(frozen=True, slots=True)
class Answers:
    """What a new playbook is made of; text as typed, checked by :func:`plan`."""

    company: str = "Example Company"
    statement: str = ""  # empty: one made from the company and the revenue target
    horizon: str = ""  # empty: next calendar year
    revenue_target: str = "10000000"
    period: str = "quarter"
    run_rate_share: str = "0.5"
    average_deal: str = "100000"
    site_url: str = ""
    repo_url: str = ""
    action_owner: str = ACTION_OWNER

    def default(self, name: str, today: dt.date | None = None) -> str:
        """The default shown for a question (computed ones filled in)."""
        if name == "horizon" and not self.horizon:
            return str((today or dt.date.today()).year + 1)
        if name == "statement" and not self.statement:
            return default_statement(self)
        return str(getattr(self, name))


def default_statement(answers: Answers) -> str:
    try:
        amount = _grouped(parse_number("revenue target", answers.revenue_target))
    except StarterError:
        amount = answers.revenue_target
    return (
        f"{answers.company.strip() or 'We'} will reach {amount} of revenue a {answers.period}, "
        "with Marketing and Sales aligned to one mission and one funnel."
    )


# --- checking the answers ---------------------------------------------------------------


def parse_horizon(text: str) -> tuple[dt.date, dt.date]:
    """``2027`` (that calendar year) or ``2027-01-01..2027-12-31``."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    parts = text.split("..")
    try:
        if len(parts) == 2:
            start, end = (dt.date.fromisoformat(p.strip()) for p in parts)
            if start < end:
                return start, end
    except ValueError:
        pass
    raise StarterError(
        f"horizon '{text}': write a year (2027) or START..END (2027-01-01..2027-12-31), "
        "the start before the end"
    )


def parse_number(name: str, text: str, share: bool = False) -> Decimal:
    """A plain decimal number (``,`` or ``_`` between groups of digits allowed): above 0, or
    for a ``share`` from 0 to below 1."""
    cleaned = re.sub(r"(?<=\d)[,_](?=\d{3})", "", text.strip())
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        raise StarterError(f"{name} '{text}' is not a number such as 250000 or 0.5")
    value = Decimal(cleaned)
    if share and not 0 <= value < 1:
        raise StarterError(f"{name} is {text}; it must be from 0 to below 1")
    if not share and value <= 0:
        raise StarterError(f"{name} is {text}; it must be above 0")
    return value


def parse_url(name: str, text: str) -> str:
    text = text.strip().rstrip("/")
    if text and (urlsplit(text).scheme not in ("http", "https") or not urlsplit(text).hostname):
        raise StarterError(f"{name} '{text}' is not an http(s) address")
    return text


def pages_url(repo: str) -> str:
    """Where GitHub Pages publishes a GitHub repository's site (``https://owner.github.io/
    name``); "" for another host. MkDocs lists the pages in sitemap.xml only with a site_url."""
    parts = urlsplit(repo)
    path = [p for p in parts.path.split("/") if p]
    if parts.hostname != "github.com" or len(path) != 2:
        return ""
    return f"https://{path[0].lower()}.github.io/{path[1]}"


def check(answers: Answers, name: str, value: str) -> None:
    """Raise :class:`StarterError` when ``value`` is not a usable answer to ``name``."""
    facts(_with(answers, name, value), dt.date.today())


def _with(answers: Answers, name: str, value: str) -> Answers:
    fields = {f: getattr(answers, f) for f in Answers.__slots__}
    fields[name] = value
    return Answers(**fields)


# --- the files ---------------------------------------------------------------------------


def _number(value: Decimal | Fraction) -> str:
    """A number as YAML and people write it: 5000000, 0.5, 12.5 (at most 2 decimals)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if value != value.to_integral():
        value = value.quantize(Decimal("0.01"))
    return format(value.normalize(), "f")


def _grouped(value: Decimal | Fraction) -> str:
    """A number with thousands separators: 10,000,000 or 2,500.5."""
    text = _number(value)
    whole, _, part = text.partition(".")
    return f"{int(whole):,}" + (f".{part}" if part else "")


def yaml_scalar(value: object) -> str:
    """``value`` as a YAML scalar: plain when it reads back as the same text, else quoted."""
    text = str(value)
    if text and "\n" not in text:
        try:
            if YAML(typ="safe", pure=True).load(text) == text:
                return text
        except YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def facts(answers: Answers, today: dt.date) -> dict[str, Any]:
    """The values the templates are filled with; raises :class:`StarterError`."""
    company = " ".join(answers.company.split())
    if not company:
        raise StarterError("the company name is empty")
    start, end = parse_horizon(answers.default("horizon", today))
    if answers.period not in MONTHS:
        raise StarterError(f"period '{answers.period}': use month, quarter or year")
    revenue = parse_number("revenue target", answers.revenue_target)
    run_rate = parse_number("run-rate share", answers.run_rate_share, share=True)
    deal = parse_number("average deal", answers.average_deal)
    statement = " ".join(answers.default("statement").split())
    sla = _sla(revenue, answers.period, run_rate, deal)
    needs = required_volumes(sla)
    assert needs is not None  # the funnel's conversions are all in (0, 1]
    counts = {stage.id: math.ceil(need) for stage, need in zip(FUNNEL, needs, strict=True)}
    gap = Fraction(revenue) * (1 - Fraction(run_rate))
    label = str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    repo = parse_url("--repo-url", answers.repo_url)
    edit = ""
    if repo:
        repo = repo.removesuffix(".git")
        edit = f"{repo}/-/edit/main/plans/" if "gitlab" in repo else f"{repo}/edit/main/plans/"
    owner = answers.action_owner.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}", owner):
        raise StarterError(f"action owner '{owner}' is not a GitHub account name")
    return {
        "company": company,
        "title": f"{company} {label} mission",
        "site_name": f"{company} {label} mission playbook",
        "statement": statement,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "period": answers.period,
        "revenue_target": _number(revenue),
        "run_rate_share": _number(run_rate),
        "average_deal": _number(deal),
        "revenue_text": _grouped(revenue),
        "run_rate_text": f"{_number(run_rate * 100)} %",
        "deal_text": _grouped(deal),
        "gap": _number(gap),
        "gap_text": _grouped(gap),
        "stages": FUNNEL,
        "needs_text": ", ".join(f"{s.id} {counts[s.id]:,}" for s in reversed(FUNNEL)),
        "commitments": [
            {"party": "marketing", "stage": "mql", "volume": counts["mql"]},
            {"party": "sales", "stage": "won", "volume": counts["won"]},
        ],
        "inquiries": counts["inquiry"],
        "mqls": counts["mql"],
        "opportunities": counts["opportunity"],
        "won": counts["won"],
        "site_url": parse_url("--site-url", answers.site_url) or pages_url(repo),
        "edit_uri": edit,
        "action_owner": owner,
        "action": f"{owner}/mission-playbook@{ACTION_TAG}",
        "version": __version__,
    }


def _sla(revenue: Decimal, period: str, run_rate: Decimal, deal: Decimal) -> Sla:
    data = {
        "kind": "sla",
        "id": "marketing-sales-sla",
        "period": period,
        "revenue_target": float(revenue) if revenue % 1 else int(revenue),
        "run_rate_share": float(run_rate),
        "average_deal": float(deal) if deal % 1 else int(deal),
        "stages": [
            {"id": s.id, "owner": s.owner}
            | ({"conversion": float(s.conversion)} if s.conversion else {})
            for s in FUNNEL
        ],
    }
    try:
        return validate(Sla, data)
    except Invalid as exc:  # pragma: no cover - the answers were checked above
        raise StarterError(str(exc)) from None


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(FILES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML and Markdown, not HTML
    )
    env.filters["yaml"] = yaml_scalar
    env.filters["grouped"] = "{:,}".format
    return env


def files(answers: Answers, today: dt.date | None = None) -> dict[str, str]:
    """``{relative path: text}`` of the new repository; raises :class:`StarterError`."""
    values = facts(answers, today or dt.date.today())
    env = environment()
    out: dict[str, str] = {}
    for path, template in TEMPLATES.items():
        text = env.get_template(template).render(values)
        if path.startswith("plans/"):
            canonical, problems = fmt.format_text(text, path)
            if canonical is None:  # pragma: no cover - the templates are tested
                raise StarterError(f"{path}: {'; '.join(str(p) for p in problems)}")
            text = canonical
        out[path] = text
    return out


def existing(root: Path, planned: Mapping[str, str]) -> list[str]:
    """The paths of ``planned`` that already exist under ``root`` (files or not)."""
    return [path for path in planned if (root / path).exists() or (root / path).is_symlink()]


def write(root: Path, planned: Mapping[str, str]) -> None:
    """Write every file, each atomically; the caller has checked that none exists."""
    for path, text in planned.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        writing.write_file_atomic(target, text)


def ask(
    answers: Answers,
    given: set[str],
    prompt: Callable[[str], str],
    say: Callable[[str], None],
) -> Answers:
    """Ask each question not answered by an option; an empty answer takes the default."""
    for name, question in QUESTIONS:
        if name in given:
            continue
        while True:
            default = answers.default(name)
            if name == "statement" and not answers.statement:
                default = ""  # made at the end, from the figures asked next
                reply = prompt(f"{question} [one made from the answers below]: ").strip()
            else:
                reply = prompt(f"{question} [{default}]: ").strip() or default
            try:
                check(answers, name, reply)
            except StarterError as exc:
                say(f"  {exc}")
                continue
            answers = _with(answers, name, reply)
            break
    return answers
