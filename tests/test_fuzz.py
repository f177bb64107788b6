"""Property tests: whatever a plan file holds, the check reports findings and never raises.

Each example overwrites one plan file, ``plans/fuzz.yaml``, next to the valid base playbook
(written once per test), so the other files keep the ladder intact.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mission_playbook.model import records
from mission_playbook.model.diagnostics import CATALOGUE
from mission_playbook.model.kinds import KINDS
from mission_playbook.playbook import Playbook, load

pytestmark = pytest.mark.slow  # long property runs (100 to 150 examples each)

FUZZ = "plans/fuzz.yaml"

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def plans(write_playbook, tmp_path, base) -> Path:
    """The base playbook in ``tmp_path/plans`` (the cwd), checked clean."""
    root = write_playbook(tmp_path, base)
    assert load(Path("plans")).diagnostics == []
    return root


def check_file(root: Path, content: str | bytes) -> Playbook:
    path = root / "fuzz.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return load(Path("plans"))


def assert_sane(pb: Playbook, line_count: int) -> None:
    """Every finding has a known code and, in the fuzzed file, a place inside it."""
    for d in pb.diagnostics:
        assert d.code in CATALOGUE
        assert d.message
        if d.location.file == FUZZ:
            assert 1 <= d.location.line <= line_count + 1, d
            assert d.location.column >= 1, d


def lines_of(text: str) -> int:
    # A generous bound: Python splits on more line breaks than YAML does.
    return len(text.splitlines()) + 1


@FUZZ_SETTINGS
@given(text=st.text())
def test_arbitrary_text_never_raises(plans, text):
    pb = check_file(plans, text)
    assert_sane(pb, lines_of(text))


@FUZZ_SETTINGS
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(plans, raw):
    pb = check_file(plans, raw)
    assert_sane(pb, lines_of(raw.decode("utf-8", errors="replace")))


# Text that looks like YAML: indentation, keys, list dashes, flow brackets, anchors, tags.
YAMLISH = st.lists(
    st.sampled_from(
        [
            "kind: plan\n",
            "id: p\n",
            "  - ",
            "- ",
            "key: ",
            "supports: [",
            "]",
            "{",
            "}",
            ", ",
            ": ",
            "&a ",
            "*a",
            "<<: ",
            "!!str ",
            "!tag ",
            "? ",
            "---\n",
            "...\n",
            "'",
            '"',
            "#",
            "|\n",
            ">-\n",
            "  ",
            "\t",
            "\n",
            "2027-02-30",
            ".inf",
            "est-a",
            "sf-a",
        ]
    ),
    max_size=40,
).map("".join)


@FUZZ_SETTINGS
@given(text=YAMLISH)
def test_yaml_like_text_never_raises(plans, text):
    pb = check_file(plans, text)
    assert_sane(pb, lines_of(text))


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["est-a", "kt-a", "sf-a", "met-a", "marketing", "plan-a", "2027-03-01"])
)

KEYS = st.text(max_size=8) | st.sampled_from(["id", "kind", "supports", "title", "metrics"])

VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)

FIELDS = sorted(
    {f.key for cls in KINDS.values() for f in records.fields(cls)}
    | {"from", "conversion", "stages", "drives", "type", "per", "volume", "party"}
)


def flow(value: object) -> str:
    """YAML in flow style: JSON, except that infinities and NaN are YAML's .inf and .nan."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return json.dumps(value)


@FUZZ_SETTINGS
@given(doc=VALUES)
def test_arbitrary_structures_never_raise(plans, doc):
    text = json.dumps(doc)  # JSON is YAML (NaN and Infinity are read as text)
    pb = check_file(plans, text)
    assert_sane(pb, lines_of(text))


@st.composite
def plan_shaped(draw: st.DrawFn) -> dict[str, object]:
    """A document of a known kind with a random mix of real field names and values.

    Values are scalars, lists of scalars or lists of mappings of real field names, which is
    the shape of every nested node (metrics, stages, key tasks, ...).
    """
    field_names = st.sampled_from(FIELDS)
    nested = st.dictionaries(field_names, SCALARS, max_size=4)
    value = SCALARS | st.lists(SCALARS, max_size=3) | st.lists(nested, max_size=3) | nested
    doc: dict[str, object] = {"kind": draw(st.sampled_from(sorted(KINDS))), "id": "fuzz"}
    doc.update(draw(st.dictionaries(field_names, value, max_size=6)))
    return doc


@settings(FUZZ_SETTINGS, max_examples=100)
@given(docs=st.lists(plan_shaped(), min_size=1, max_size=2))
def test_documents_of_known_kinds_never_raise(plans, docs):
    text = "---\n".join(flow(doc) + "\n" for doc in docs)
    pb = check_file(plans, text)
    assert_sane(pb, lines_of(text))


# --- check-ins ---------------------------------------------------------------------------------

#: A plan with a monthly rate, a yearly ratio and a level, and an SLA, for check-ins to report on.
ACTUALS_BASE = {
    "functions/marketing/plan-a.yaml": """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
start: 2027-02-01
end: 2027-03-31
metrics:
  - id: met-a
    name: Metric A
    target: 100
    per: month
    type: outcome
    drives: sf-a
  - id: met-r
    name: A ratio
    target: 0.4
    per: year
    measure: ratio
    direction: maintain
    type: leading
    drives: met-a
  - id: met-l
    name: A level
    baseline: 50
    target: 10
    direction: decrease
    type: leading
    drives: met-a
""",
    "sla.yaml": """\
kind: sla
id: sla
period: quarter
revenue_target: 1000
average_deal: 10
stages:
  - id: lead
    owner: marketing
    conversion: 0.5
  - id: won
    owner: marketing
commitments:
  - party: marketing
    stage: lead
    volume: 70
    per: month
""",
    "actuals/2027-02-28.yaml": """\
kind: checkin
id: feb
as_of: 2027-02-28
values:
  - metric: met-a
    value: 90
    period: 2027-02
funnel:
  - stage: lead
    period: 2027-02
    volume: 60
""",
}

PERIOD_TEXT = st.sampled_from(
    ["2027-03", "2027-02", "2027-Q1", "2027", "2026-12", "2027-13", "2027-Q5", "0000", ""]
) | st.integers(min_value=-1, max_value=10_000)
REFS = st.sampled_from(["met-a", "met-r", "met-l", "sf-a", "plan-a", "est-a", "lead", "won", "x"])
AS_OF = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2029, 1, 1)).map(str) | SCALARS

ENTRY = st.fixed_dictionaries(
    {"metric": REFS | SCALARS, "value": SCALARS},
    optional={
        "period": PERIOD_TEXT | SCALARS,
        "confidence": st.sampled_from(["on-track", "at-risk", "off-track", "fine"]),
        "note": SCALARS,
    },
)
VOLUME = st.fixed_dictionaries(
    {"stage": REFS | SCALARS, "period": PERIOD_TEXT | SCALARS, "volume": SCALARS}
)


@st.composite
def checkin_docs(draw: st.DrawFn) -> dict[str, object]:
    doc: dict[str, object] = {
        "kind": "checkin",
        "id": draw(st.sampled_from(["fuzz", "feb", "plan-a", "Bad Id"]) | SCALARS),
        "as_of": draw(AS_OF),
    }
    if draw(st.booleans()):
        doc["values"] = draw(st.lists(ENTRY, max_size=5) | SCALARS)
    if draw(st.booleans()):
        doc["funnel"] = draw(st.lists(VOLUME, max_size=4) | SCALARS)
    return doc


@pytest.fixture
def actuals_plans(write_playbook, tmp_path, base) -> Path:
    root = write_playbook(tmp_path, {**base, **ACTUALS_BASE})
    assert [str(d) for d in load(Path("plans")).diagnostics] == []
    return root


@settings(FUZZ_SETTINGS, max_examples=150)
@given(docs=st.lists(checkin_docs(), min_size=1, max_size=2))
def test_any_checkin_gives_findings_never_a_traceback(actuals_plans, docs):
    text = "---\n".join(flow(doc) + "\n" for doc in docs)
    pb = check_file(actuals_plans, text)
    assert_sane(pb, lines_of(text))
    pb.statuses.summary()  # statuses and funnels are computed, whatever was read
    for funnel in pb.funnels:
        for period in funnel.periods:
            str(period.lapse)


@FUZZ_SETTINGS
@given(text=YAMLISH.map(lambda t: "kind: checkin\nid: c\nas_of: 2027-03-31\n" + t))
def test_checkin_like_text_never_raises(actuals_plans, text):
    pb = check_file(actuals_plans, text)
    assert_sane(pb, lines_of(text))
