"""``playbook export``: the JSON document (against its schema and the model), the workbook
(read back with openpyxl) and the CSV folder (read back with ``csv``), and no formula from
plan text, whatever it starts with."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest

from mission_playbook import load
from mission_playbook.cli import main
from mission_playbook.export import cells
from mission_playbook.export.document import document, fields_of
from mission_playbook.export.schema import schema
from mission_playbook.export.tables import Table, Tables, file_name
from mission_playbook.model import records
from mission_playbook.playbook import Playbook

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"
COMMITTED_SCHEMA = REPO / "schema" / "export.schema.json"

#: Every start of a cell that a spreadsheet reads as a formula (or the white space before one).
PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(SAMPLE)


def export(tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / {"json": "playbook.json", "xlsx": "playbook.xlsx", "csv": "tables"}[fmt]
    assert main(["export", "--plans", str(SAMPLE), "--format", fmt, "--out", str(out), *extra]) == 0
    return out


# --- JSON ------------------------------------------------------------------------------------


def test_the_committed_schema_is_the_output_of_playbook_export_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["export", "--schema"]) == 0
    assert capsys.readouterr().out == COMMITTED_SCHEMA.read_text(encoding="utf-8"), (
        "schema/export.schema.json is stale: run `playbook export --schema > "
        "schema/export.schema.json`"
    )


def validator() -> jsonschema.Draft202012Validator:
    committed = json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(committed)
    return jsonschema.Draft202012Validator(committed, format_checker=jsonschema.FormatChecker())


def test_the_json_export_of_the_sample_validates_against_the_schema(tmp_path: Path) -> None:
    data = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(data)]
    assert not errors, "\n".join(errors[:10])


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["nodes"][0].update(kind="planet"),
        lambda d: d["nodes"][0].pop("parents"),
        lambda d: d["nodes"][0]["fields"].update(colour="blue"),
        lambda d: next(n for n in d["nodes"] if n["kind"] == "plan")["fields"].update(start=5),
        lambda d: d["waterfall"]["stages"][0].update(needed=-1),
        lambda d: d.update(extra=1),
    ],
    ids=["kind", "parents", "unknown field", "date", "needed", "top-level key"],
)
def test_the_schema_refuses_a_broken_document(sample: Playbook, change: Callable[..., Any]) -> None:
    data = json.loads(json.dumps(document(sample)))
    assert validator().is_valid(data)
    change(data)
    assert not validator().is_valid(data)


def test_the_json_export_holds_every_node_as_the_model_has_it(
    tmp_path: Path, sample: Playbook
) -> None:
    data = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    ladder = sample.ladder
    assert [n["id"] for n in data["nodes"]] == list(ladder.nodes)
    for entry in data["nodes"]:
        node = ladder.nodes[entry["id"]]
        assert entry["kind"] == node.kind
        assert entry["title"] == node.title
        assert entry["parents"] == [n.id for n in ladder.up(node)]
        assert entry["children"] == [n.id for n in ladder.down(node)]
        assert (entry["file"], entry["line"], entry["column"]) == node.loc().fields()
        assert entry["in"] == (node.owner.id if node.owner else None)
        assert entry["fields"] == json.loads(json.dumps(fields_of(node)))
    plan = next(n for n in data["nodes"] if n["id"] == "mkt-demand-engine")
    assert plan["fields"]["start"] == "2027-02-01"
    assert plan["fields"]["budget"] == 620000
    assert plan["function"] == "marketing"
    assert "metrics" not in plan["fields"]  # each metric is a node of its own
    metric = next(n for n in data["nodes"] if n["id"] == "mkt-demand-engine-mqls")
    assert metric["in"] == "mkt-demand-engine"
    assert metric["fields"]["target"] == 225
    mission = next(n for n in data["nodes"] if n["kind"] == "mission")
    assert "success_factors" not in mission["fields"]
    assert set(mission["fields"]["environment"]) == {"competitors", "facts", "assumptions"}
    nested = records.dump(sample.mission.data) if sample.mission else {}
    assert mission["fields"]["environment"]["facts"] == nested["environment"]["facts"]


def test_the_export_places_every_node_without_reading_its_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load keeps where each node starts (``Document.starts``), from the parse or from the
    cache: the export's file, line and column need no second parse, and equal a full one's."""
    from mission_playbook.model.cache import file_cache
    from mission_playbook.model.config import Settings
    from mission_playbook.model.source import Document

    plans = shutil.copytree(SAMPLE, tmp_path / "plans")
    settings = Settings(plans=plans)
    monkeypatch.setenv("PLAYBOOK_CACHE_DIR", str(tmp_path / "cache"))
    cold = load(plans, settings, cache=file_cache(settings))
    warm = load(plans, settings, cache=file_cache(settings))  # parsed files from the cache
    fresh = load(plans)
    for doc in {id(n.doc): n.doc for n in fresh.ladder.nodes.values()}.values():
        doc._reload_positions()  # every value's position, as a finding reads them
    full = {n.id: n.loc() for n in fresh.ladder.nodes.values()}

    def reread(self: Document) -> None:
        raise AssertionError(f"{self.file} was read again")

    monkeypatch.setattr(Document, "_reload_positions", reread)
    for playbook in (cold, warm):
        data = document(playbook)
        places = {e["id"]: (e["line"], e["column"]) for e in data["nodes"]}
        assert places == {k: (loc.line, loc.column) for k, loc in full.items()}
        assert len({e["line"] for e in data["nodes"]}) > len(data["nodes"]) / 3


def test_the_json_export_has_the_waterfall_coverage_and_findings(
    tmp_path: Path, sample: Playbook
) -> None:
    data = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    w = data["waterfall"]
    assert (w["sla"], w["period"], w["revenue_needed"]) == ("marketing-sales-sla", "quarter", 5e6)
    # the worked example of the README: 4,445 inquiries, 667 MQLs, 334 SALs, 200, 50
    assert [s["needed"] for s in w["stages"]] == [4445, 667, 334, 200, 50]
    assert [s["conversion"] for s in w["stages"]] == [0.15, 0.5, 0.6, 0.25, None]
    mql = next(c for c in w["commitments"] if c["stage"] == "mql")
    assert (mql["volume"], mql["per"], mql["per_period"]) == (225, "month", 675)
    assert data["coverage"] == [
        {"rung": c.kind, "label": c.label, "total": c.total, "covered": c.covered}
        for c in sample.coverage()
    ]
    assert data["findings"] == [d.as_dict() for d in sample.diagnostics]


def test_the_json_export_has_the_actuals_and_every_status(tmp_path: Path, sample: Playbook) -> None:
    data = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    assert sample.as_of is not None
    assert data["as_of"] == sample.as_of.isoformat()
    status = data["status"]
    assert [c["id"] for c in status["checkins"]] == [n.id for n in sample.actuals.checkins]
    judged = [n for n in sample.nodes if sample.status(n) is not None]
    assert [s["id"] for s in status["nodes"]] == judged
    for entry in status["nodes"]:
        node_status = sample.status(entry["id"])
        assert node_status is not None
        assert entry["status"] == str(node_status.status)
        if node_status.actual is not None:
            assert entry["actual"] == pytest.approx(float(node_status.actual))
            assert entry["period"] == (str(node_status.period) if node_status.period else None)
        assert entry["plans"]["off_track"] == node_status.plans.off_track
    mqls = next(s for s in status["nodes"] if s["id"] == "mkt-demand-engine-mqls")
    assert (mqls["status"], mqls["actual"], mqls["target"]) == ("on track", 246, 225)
    latest = status["funnel"]["periods"][-1]
    funnel = sample.funnels[0].latest
    assert funnel is not None
    assert latest["period"] == str(funnel.period) and latest["lapse"] == str(funnel.lapse)
    assert [s["volume"] for s in latest["stages"]] == [s.volume for s in funnel.stages]


def test_without_check_ins_the_json_export_has_no_status(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    check(base)
    assert main(["export", "--format", "json", "--out", "out.json"]) == 0
    data = json.loads(Path("out.json").read_text(encoding="utf-8"))
    assert data["as_of"] is None and data["status"] is None
    assert validator().is_valid(data)


def test_the_json_export_keeps_the_schemas_key_order_and_the_same_bytes(tmp_path: Path) -> None:
    first = export(tmp_path, "json").read_bytes()
    data = json.loads(first)
    spec = schema()
    assert list(data) == list(spec["properties"])
    node_keys = list(spec["$defs"]["node"]["properties"])
    assert all(list(n) == node_keys for n in data["nodes"])
    for n in data["nodes"]:
        fields = spec["$defs"][f"fields-{n['kind']}"]["properties"]
        assert list(n["fields"]) == list(fields), n["id"]
    assert export(tmp_path, "json").read_bytes() == first


def test_json_to_stdout(capsys: pytest.CaptureFixture[str], sample: Playbook) -> None:
    assert main(["export", "--plans", str(SAMPLE), "--format", "json", "--out", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"][0]["id"] == next(iter(sample.nodes))


# --- the workbook ----------------------------------------------------------------------------


def expected_cell(value: object) -> object:
    """A table's value as openpyxl reads it back (a workbook keeps 15 significant digits)."""
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-14)
    return value


def test_the_workbook_has_every_table_as_a_sheet(tmp_path: Path, sample: Playbook) -> None:
    book = openpyxl.load_workbook(export(tmp_path, "xlsx"))
    tables = Tables(sample).all()
    assert book.sheetnames == [t.title for t in tables]
    for table in tables:
        sheet = book[table.title]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == tuple(c.heading for c in table.columns), table.name
        assert rows[1:] == [tuple(expected_cell(v) for v in row) for row in table.rows]
        assert sheet.freeze_panes == "A2", table.name
        last = sheet.cell(1, len(table.columns)).column_letter
        if table.rows:
            assert sheet.auto_filter.ref == f"A1:{last}{len(table.rows) + 1}", table.name
        letters = [sheet.cell(1, i + 1).column_letter for i in range(len(table.columns))]
        widths = [sheet.column_dimensions[letter].width for letter in letters]
        assert all(6 <= w <= 61 for w in widths), (table.name, widths)


def test_the_workbook_writes_numbers_as_numbers_and_dates_as_dates(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(tmp_path, "xlsx"))
    plans = book["Plans"]
    header = [c.value for c in plans[1]]
    row = next(r for r in plans.iter_rows(min_row=2) if r[0].value == "mkt-demand-engine")
    start = row[header.index("Start")]
    budget = row[header.index("Budget")]
    assert start.is_date and start.value == dt.datetime(2027, 2, 1)
    assert start.number_format == "yyyy-mm-dd"
    assert budget.data_type == "n" and budget.value == 620000
    waterfall = book["Waterfall"]
    conversion = waterfall.cell(2, [c.value for c in waterfall[1]].index("Conversion to next") + 1)
    assert conversion.value == 0.15 and conversion.number_format == "0.0%"


def test_the_workbook_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = export(tmp_path, "xlsx").read_bytes()
    assert export(tmp_path, "xlsx").read_bytes() == first


# --- CSV -------------------------------------------------------------------------------------


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return cells.csv_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_csv_folder_has_every_table(tmp_path: Path, sample: Playbook) -> None:
    folder = export(tmp_path, "csv")
    tables = Tables(sample).all()
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t.name}.csv" for t in tables)
    for table in tables:
        with (folder / f"{table.name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [c.heading for c in table.columns]
        assert rows[1:] == [[csv_cell(v) for v in row] for row in table.rows], table.name
    with (folder / "plans.csv").open(encoding="utf-8", newline="") as handle:
        plan = next(r for r in csv.DictReader(handle) if r["ID"] == "mkt-demand-engine")
    assert [plan["Start"], plan["Budget"], plan["Function"]] == [
        "2027-02-01",
        "620000",
        "marketing",
    ]


def test_csv_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    args = ["export", "--plans", str(SAMPLE), "--format", "csv", "--out", str(folder)]
    assert main(args) == 2
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    (folder / "notes.txt").unlink()
    assert main(args) == 0  # an empty folder, or one of an earlier export, is replaced
    assert main(args) == 0


def test_table_names_are_their_file_names(sample: Playbook) -> None:
    tables = Tables(sample)
    assert [t.name for t in tables.all()] == [file_name(n) for n in Tables.ORDER]
    with pytest.raises(KeyError):
        tables.get("nothing")


# --- no formula from plan text ---------------------------------------------------------------


def hostile(prefix: str) -> str:
    return f'{prefix}HYPERLINK("http://127.0.0.1/","x")+1'


def yaml_quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture
def injected(check: Callable[..., Playbook], base: dict[str, str]) -> tuple[Playbook, list[str]]:
    """A playbook whose texts start with every prefix, in every kind of column: a title, an
    owner, a free text, a function's name (a heading of the traceability sheet), a budget
    and a target written as text, a unit, a stage's name."""
    texts = [hostile(p) for p in PREFIXES]
    q = [yaml_quoted(t) for t in texts]
    base["functions/marketing.yaml"] = base["functions/marketing.yaml"].replace(
        "name: Marketing", f"name: {q[0]}\nleader: {q[1]}"
    )
    base["functions/marketing/plan-a.yaml"] = (
        base["functions/marketing/plan-a.yaml"]
        .replace("title: Plan A", f"title: {q[2]}\nowner: {q[3]}\nobjective: {q[4]}")
        .replace("name: Metric A", f"name: {q[5]}\n    unit: {q[0]}\n    target: {q[1]}")
        + f"budget: {q[2]}\n"
    )
    base["sla.yaml"] = f"""\
        kind: sla
        id: sla
        parties: [marketing]
        period: quarter
        revenue_target: 1000
        average_deal: 10
        stages:
          - id: lead
            name: {q[3]}
            owner: marketing
            conversion: 0.5
            system_of_record: {q[4]}
          - id: won
            owner: marketing
        """
    playbook = check(base)
    assert not playbook.errors, [str(d) for d in playbook.diagnostics]
    return playbook, texts


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_every_formula_prefix_is_recognised(prefix: str) -> None:
    assert cells.looks_like_formula(hostile(prefix))
    assert cells.looks_like_formula(cells.cell_text(hostile(prefix))) == (prefix != "\r")
    assert cells.csv_text(hostile(prefix)) == "'" + hostile(prefix)
    assert not cells.looks_like_formula("Plan A") and cells.csv_text("a=b") == "a=b"


def test_no_text_becomes_a_formula_in_the_workbook(
    tmp_path: Path, injected: tuple[Playbook, list[str]]
) -> None:
    _playbook, texts = injected
    assert main(["export", "--format", "xlsx", "--out", "out.xlsx"]) == 0
    book = openpyxl.load_workbook("out.xlsx")
    # a carriage return is a line end in a workbook, as the text of any other cell
    found: dict[str, int] = dict.fromkeys((cells.cell_text(t) for t in texts), 0)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in found:
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    found[str(cell.value)] += 1
    assert all(found.values()), found  # every hostile text is in the workbook, as text
    # and no formula hides in the files themselves
    shutil.unpack_archive("out.xlsx", "unpacked", "zip")
    for xml in Path("unpacked").rglob("*.xml"):
        assert "<f>" not in xml.read_text(encoding="utf-8") and "<f " not in xml.read_text(
            encoding="utf-8"
        ), xml


def test_no_text_becomes_a_formula_in_the_csv_files(injected: tuple[Playbook, list[str]]) -> None:
    _playbook, texts = injected
    assert main(["export", "--format", "csv", "--out", "tables"]) == 0
    seen: set[str] = set()
    for path in Path("tables").iterdir():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for value in row:
                    assert not value.startswith(PREFIXES), (path.name, value)
                    if value.startswith("'") and value[1:] in texts:
                        seen.add(value[1:])
    assert seen == set(texts)


def test_the_json_export_keeps_text_as_written(injected: tuple[Playbook, list[str]]) -> None:
    _playbook, texts = injected
    assert main(["export", "--format", "json", "--out", "out.json"]) == 0
    data = json.loads(Path("out.json").read_text(encoding="utf-8"))
    plan = next(n for n in data["nodes"] if n["id"] == "plan-a")
    assert (plan["title"], plan["fields"]["owner"]) == (texts[2], texts[3])
    assert validator().is_valid(data)


# --- the command -----------------------------------------------------------------------------


def test_a_playbook_with_errors_is_not_exported(
    check: Callable[..., Playbook], base: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    base["functions/marketing/plan-a.yaml"] = base["functions/marketing/plan-a.yaml"].replace(
        "supports: [est-a]", "supports: [est-b]"
    )
    check(base)
    assert main(["export", "--format", "json", "--out", "out.json"]) == 1
    assert "PB004" in capsys.readouterr().err
    assert not Path("out.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json"],
        ["--out", "x.json"],
        ["--format", "xlsx", "--out", "-"],
        ["--format", "json", "--out", "."],
        ["--format", "csv", "--out", "."],
    ],
    ids=["no out", "no format", "xlsx to stdout", "json into a folder", "csv over the cwd"],
)
def test_usage_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--plans", str(SAMPLE), *args]) == 2
    assert os.listdir(tmp_path) == []


def test_tables_of_the_sample_read_as_the_model(sample: Playbook) -> None:
    """Spot checks of the planner's tables against the model."""
    tables: dict[str, Table] = {t.name: t for t in Tables(sample).all()}
    plans = tables["plans"]
    assert plans.column("ID") == [p.id for p in sample.of_kind("plan")]
    metrics = tables["metrics"]
    assert set(metrics.column("ID")) == {m.id for m in sample.of_kind("metric")} | {
        f.id for f in sample.of_kind("success_factor") if f.data.metric
    }
    budgets = tables["budgets"]
    total = sum(p.data.budget for p in sample.of_kind("plan") if p.data.budget is not None)
    assert sum(v for v in budgets.column("Budget") if isinstance(v, int | float)) == total
    trace = tables["traceability"]
    assert trace.column("Total") == [
        len([p for p in sample.ladder.descendants(t) if p.kind == "plan"])
        for t in sample.of_kind("key_task")
    ]
