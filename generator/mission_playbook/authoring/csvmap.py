"""Reading a spreadsheet or CRM export for ``playbook actuals import``: the CSV and its map.

The CSV is read with Python's ``csv`` module as Excel writes it (UTF-8, a byte order mark
accepted, fields in double quotes with ``""`` for a quote, line breaks inside quotes). Cells are
text and stay text: nothing in them is evaluated (``=HYPERLINK(...)`` is those characters).
Every problem is a finding at ``file:row:column``, the row being the record as a spreadsheet
numbers it (the header is row 1) and the column the cell's position from 1.

Without a map, the header names the columns ``id``, ``period``, ``value`` and optionally
``confidence`` and ``note``, in any order (docs/model.md, "Actuals"). A map (YAML) says which
columns of another export hold what, in one of two shapes:

- ``columns``: one row per value, like the plain CSV, with the export's own column names
  (``id``, ``value`` required; ``period``, ``confidence``, ``note`` optional), and ``ids`` to
  translate the export's names for metrics or stages into playbook ids;
- ``stages``: one row per lead or opportunity (a CRM report) with one date column per stage:
  each date counts one towards that stage's volume in the period (``per``: month, quarter or
  year) containing it; ``dates`` is the ``strptime`` format of the dates (default YYYY-MM-DD,
  a time after it ignored) and ``where`` keeps only the rows whose column holds one of some
  values.

Both shapes take ``delimiter`` (one character, default ``,``). The README has a worked
example of each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mission_playbook.model.diagnostics import Findings, Location, did_you_mean
from mission_playbook.model.files import display_path
from mission_playbook.model.ladder import Ladder
from mission_playbook.model.periods import MONTHS
from mission_playbook.model.source import Document, decode, parse_bytes

#: The columns of the plain CSV (and the fields a ``columns`` map names).
FIELDS = ("id", "period", "value", "confidence", "note")
REQUIRED = ("id", "value")
MAP_KEYS = ("columns", "ids", "stages", "per", "dates", "where", "delimiter")
#: Control characters a cell may not hold (a tab and line breaks are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ].*)?")


@dataclass
class Map:
    """What a map file says (or the plain CSV's default)."""

    columns: dict[str, str] = field(default_factory=dict)  # field → header (values shape)
    ids: dict[str, str] = field(default_factory=dict)  # the export's name → playbook id
    stages: dict[str, str] = field(default_factory=dict)  # stage id → header (stages shape)
    per: str = "month"
    dates: str | None = None  # strptime format; None: YYYY-MM-DD
    where: dict[str, set[str]] = field(default_factory=dict)  # header → values kept
    delimiter: str = ","
    doc: Document | None = None  # the map file, for locating its problems

    @property
    def counts(self) -> bool:
        """Whether rows are counted into funnel volumes (the ``stages`` shape)."""
        return bool(self.stages)

    def loc(self, *path: str | int) -> Location:
        assert self.doc is not None
        return self.doc.loc(path)


@dataclass
class Table:
    """A CSV as read: the header and the rows, each with its row number."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]

    def column(self, name: str) -> int | None:
        """The 0-based index of the column whose header is ``name`` (trimmed, any case)."""
        wanted = name.strip().casefold()
        return next((i for i, h in enumerate(self.header) if h.strip().casefold() == wanted), None)


# --- the map -------------------------------------------------------------------------------------


def read_map(path: Path, ladder: Ladder, findings: Findings) -> Map | None:
    """The map in ``path``; None (with located findings) when it cannot be used."""
    file = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        findings.add("PB001", f"the map cannot be read: {exc.strerror}", Location(file, 1, 1))
        return None
    before = len(findings.items)
    docs = parse_bytes(raw, file, findings, positions=True)
    if len(findings.items) > before:
        return None
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        findings.add(
            "PB002", "a map is one YAML mapping (columns or stages, ...)", Location(file, 1, 1)
        )
        return None
    doc = docs[0]
    data: dict[str, Any] = doc.data
    spec = Map(doc=doc)
    for key in data:
        if key not in MAP_KEYS:
            findings.add(
                "PB002",
                f"unknown key '{key}' in the map" + did_you_mean(str(key), MAP_KEYS),
                doc.key_loc((key,)),
            )
    if ("columns" in data) == ("stages" in data):
        findings.add(
            "PB002",
            "a map has either 'columns' (one row per value) or 'stages' (a date column per "
            "stage, counted), not both",
            doc.loc(()),
        )
        return None
    spec.delimiter = _text(doc, data, "delimiter", ",", findings)
    if len(spec.delimiter) != 1:
        findings.add("PB002", "'delimiter' is one character", doc.loc(("delimiter",)))
    if "columns" in data:
        spec.columns = _names(doc, data, "columns", findings)
        for name in spec.columns:
            if name not in FIELDS:
                findings.add(
                    "PB002",
                    f"unknown field '{name}' in 'columns'; a column holds one of "
                    f"{', '.join(FIELDS)}" + did_you_mean(name, FIELDS),
                    doc.key_loc(("columns", name)),
                )
        for name in REQUIRED:
            if name not in spec.columns:
                findings.add(
                    "PB002", f"'columns' must name the column that holds '{name}'", doc.loc(())
                )
        spec.ids = _names(doc, data, "ids", findings)
        for name, ref in spec.ids.items():
            if ref not in ladder.nodes:
                findings.add(
                    "PB004",
                    f"'ids' maps '{name}' to '{ref}', but no node has that id"
                    + did_you_mean(ref, list(ladder.nodes)),
                    doc.loc(("ids", name)),
                )
    else:
        spec.stages = _names(doc, data, "stages", findings)
        stages = [n.id for n in ladder.of_kind("stage")]
        for stage in spec.stages:
            if stage not in stages:
                findings.add(
                    "PB004",
                    f"'stages' names '{stage}', but no SLA stage has that id"
                    + did_you_mean(stage, stages),
                    doc.key_loc(("stages", stage)),
                )
        spec.per = _text(doc, data, "per", "month", findings)
        if spec.per not in MONTHS:
            findings.add(
                "PB002", "'per' is month, quarter or year (the period counted)", doc.loc(("per",))
            )
        spec.dates = _text(doc, data, "dates", "", findings) or None
        spec.where = _where(doc, data, findings)
    return spec


def _text(doc: Document, data: dict[str, Any], key: str, default: str, findings: Findings) -> str:
    value = data.get(key, default)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    findings.add("PB002", f"'{key}' must be text", doc.loc((key,)))
    return default


def _names(doc: Document, data: dict[str, Any], key: str, findings: Findings) -> dict[str, str]:
    """A mapping of text to text (``columns``, ``ids``, ``stages``)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        findings.add("PB002", f"'{key}' must be a mapping of names", doc.loc((key,)))
        return {}
    out = {}
    for name, target in value.items():
        if isinstance(target, str | int) and not isinstance(target, bool):
            out[str(name)] = str(target)
        else:
            findings.add("PB002", f"'{key}.{name}' must be text", doc.loc((key, name)))
    return out


def _where(doc: Document, data: dict[str, Any], findings: Findings) -> dict[str, set[str]]:
    value = data.get("where", {})
    if not isinstance(value, dict):
        findings.add("PB002", "'where' must map column names to values", doc.loc(("where",)))
        return {}
    out = {}
    for name, allowed in value.items():
        items = allowed if isinstance(allowed, list) else [allowed]
        if any(isinstance(a, dict | list) or a is None for a in items):
            findings.add(
                "PB002",
                f"'where.{name}' must be a value or a list of values",
                doc.loc(("where", name)),
            )
            continue
        out[str(name)] = {str(a).strip() for a in items}
    return out


# --- the CSV -------------------------------------------------------------------------------------


def read_table(path: Path, delimiter: str, findings: Findings) -> Table | None:
    """The header and rows of a CSV; None (with a located finding) when it cannot be read."""
    file = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        findings.add("PB001", f"the file cannot be read: {exc.strerror}", Location(file, 1, 1))
        return None
    text = decode(raw, file, findings)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, row in enumerate(reader, 1):
            if any(cell.strip() for cell in row):  # blank lines (Excel's trailing ones) skipped
                rows.append((number, row))
    except csv.Error as exc:
        findings.add("PB001", f"the CSV does not read: {exc}", Location(file, reader.line_num, 1))
        return None
    if not rows:
        findings.add("PB002", "the file is empty: it needs a header row", Location(file, 1, 1))
        return None
    (_, header), body = rows[0], rows[1:]
    return Table(file, header, body)


def cells(table: Table, findings: Findings) -> Iterator[tuple[int, list[str]]]:
    """The rows, each cell checked for control characters (a located finding each)."""
    for number, row in table.rows:
        bad = next((i for i, cell in enumerate(row) if _CONTROL.search(cell)), None)
        if bad is not None:
            findings.add(
                "PB002",
                "the cell holds a control character; write plain text",
                Location(table.file, number, bad + 1),
            )
            continue
        yield number, row


def columns_of(table: Table, spec: Map, findings: Findings) -> dict[str, int] | None:
    """Field → 0-based column for the values shape: the map's names, else the plain CSV's."""
    out: dict[str, int] = {}
    named = spec.columns or {name: name for name in FIELDS}
    for name, header in named.items():
        index = table.column(header)
        if index is not None:
            out[name] = index
    if spec.columns:
        for name, header in spec.columns.items():
            if name not in out:
                _missing_column(table, spec, header, ("columns", name), findings)
    else:
        known = {h.strip().casefold() for h in FIELDS}
        for i, header in enumerate(table.header):
            if header.strip().casefold() not in known:
                findings.add(
                    "PB002",
                    f"unknown column '{header}': the columns are id, period, value, confidence "
                    "and note (or give a --map)" + did_you_mean(header.strip().lower(), FIELDS),
                    Location(table.file, 1, i + 1),
                )
        for name in REQUIRED:
            if name not in out:
                findings.add(
                    "PB002", f"the header has no column '{name}'", Location(table.file, 1, 1)
                )
    return out if all(name in out for name in REQUIRED) else None


def stage_columns(table: Table, spec: Map, findings: Findings) -> dict[str, int] | None:
    """Stage id → 0-based column for the stages shape; the ``where`` columns must exist too."""
    out: dict[str, int] = {}
    for stage, header in spec.stages.items():
        index = table.column(header)
        if index is None:
            _missing_column(table, spec, header, ("stages", stage), findings)
        else:
            out[stage] = index
    for header in spec.where:
        if table.column(header) is None:
            _missing_column(table, spec, header, ("where", header), findings)
    return out if len(out) == len(spec.stages) else None


def _missing_column(
    table: Table, spec: Map, header: str, path: tuple[str, ...], findings: Findings
) -> None:
    findings.add(
        "PB002",
        f"the column '{header}' is not in the header of {table.file}"
        + did_you_mean(header, table.header),
        spec.loc(*path),
    )


class Dates:
    """Reads the dates of a CRM export, each distinct text once (an export repeats them)."""

    def __init__(self, fmt: str | None) -> None:
        self.fmt = fmt
        self.known: dict[str, dt.date | None] = {}

    def __call__(self, text: str) -> dt.date | None:
        if text in self.known:
            return self.known[text]
        found = self.known[text] = self._read(text.strip())
        return found

    def _read(self, text: str) -> dt.date | None:
        try:
            if self.fmt is None:
                match = _ISO_DATE.fullmatch(text)
                return dt.date(int(match[1]), int(match[2]), int(match[3])) if match else None
            return dt.datetime.strptime(text, self.fmt).date()
        except ValueError:
            return None
