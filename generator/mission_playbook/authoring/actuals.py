"""``playbook actuals import FILE --as-of DATE [--map MAP]``: a check-in from an export.

Reads a CSV (``authoring/csvmap.py``: the plain ``id,period,value[,confidence,note]`` shape,
or another export's columns named by a map, or a CRM report whose stage dates are counted per
period into funnel volumes) and writes ``plans/actuals/<as_of>.yaml``, a ``kind: checkin``.

- Every row is checked before anything is written: cells (a number where a number belongs, a
  confidence of on-track, at-risk or off-track), then the check-in they make, by the same rules
  as ``playbook check`` (``checks/checkins.py``: unknown ids PB004 with "did you mean", ids of
  the wrong kind PB005, periods PB018), each finding at the CSV's ``file:row:column``. One bad
  row refuses the whole file.
- Rates are written with their period (the one containing ``as_of`` when the row gives none),
  levels without one; funnel volumes by period, then stage.
- An existing ``plans/actuals/<as_of>.yaml`` is merged into, not replaced: a value for the same
  metric and period (a volume for the same stage and period) is replaced in place, with its
  confidence and note when the row gives them; others are added; every comment is kept
  (ruamel.yaml's round trip).
- The text is what ``playbook fmt`` writes (its round trip and key order), so the same input
  twice gives the same file, and it is written atomically (``model/writing.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from mission_playbook.authoring import csvmap
from mission_playbook.authoring.fmt import AuthoringError, dump_rt, format_text, inside, rt_yaml
from mission_playbook.checks import checkins
from mission_playbook.model import periods
from mission_playbook.model import writing as output
from mission_playbook.model.diagnostics import Diagnostic, Findings, Location, did_you_mean
from mission_playbook.model.files import display_path
from mission_playbook.model.kinds import Checkin
from mission_playbook.model.ladder import Ladder
from mission_playbook.model.records import Invalid, validate
from mission_playbook.model.source import Document, PathKey, decode, parse_text
from mission_playbook.playbook import Playbook

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
CONFIDENCE = ("on-track", "at-risk", "off-track")


class Refused(Exception):
    """The export cannot be imported: every finding, located; nothing was written."""

    def __init__(self, findings: list[Diagnostic]) -> None:
        super().__init__(f"{len(findings)} problem(s)")
        self.findings = sorted(findings, key=Diagnostic.sort_key)


@dataclass
class Entry:
    """One value or funnel volume to write, and the cells it comes from."""

    stage: bool  # a funnel volume (else a metric's value)
    id: str
    number: int | float
    period: str | None = None
    confidence: str | None = None
    note: str | None = None
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # field → (row, column)


@dataclass
class Imported:
    """What an import wrote (or would write)."""

    path: Path
    text: str
    created: bool
    changed: bool
    values: int
    volumes: int
    left_out: int = 0  # dates of a CRM export outside the horizon's start to as_of


def import_actuals(
    source: Path,
    as_of: dt.date,
    playbook: Playbook,
    plans: Path,
    map_path: Path | None = None,
    by: str | None = None,
) -> Imported:
    """The check-in ``source`` makes, merged into ``plans/actuals/<as_of>.yaml``; nothing is
    written here (see :func:`write`). Raises :class:`Refused` with every finding."""
    findings = Findings()
    ladder = playbook.ladder
    spec = csvmap.read_map(map_path, ladder, findings) if map_path else csvmap.Map()
    if spec is None or findings.items:
        raise Refused(findings.items)
    table = csvmap.read_table(source, spec.delimiter, findings)
    if table is None:
        raise Refused(findings.items)
    horizon = checkins.horizon_of(ladder)
    left_out = 0
    if spec.counts:
        entries, left_out = _counted(table, spec, ladder, as_of, horizon[0], findings)
    else:
        entries = _rows(table, spec, ladder, as_of, findings)
    target = plans / "actuals" / f"{as_of.isoformat()}.yaml"
    existing = _existing(target, as_of)
    checkin_id = str(existing.get("id")) if existing is not None else f"actuals-{as_of}"
    _check(table.file, entries, checkin_id, as_of, playbook, target, findings)
    if findings.items:
        raise Refused(findings.items)
    before = target.read_bytes() if existing is not None else b""
    text = _write_text(existing, entries, checkin_id, as_of, by, ladder, display_path(target))
    return Imported(
        target,
        text,
        existing is None,
        text.encode("utf-8") != before,
        sum(not e.stage for e in entries),
        sum(e.stage for e in entries),
        left_out,
    )


def write(imported: Imported, plans: Path) -> None:
    """Write the check-in atomically, inside the plans folder."""
    imported.path.parent.mkdir(parents=True, exist_ok=True)
    output.write_file_atomic(inside(imported.path, plans), imported.text)


# --- rows into entries ---------------------------------------------------------------------------


def _rows(
    table: csvmap.Table, spec: csvmap.Map, ladder: Ladder, as_of: dt.date, findings: Findings
) -> list[Entry]:
    """One entry per row of the values shape."""
    columns = csvmap.columns_of(table, spec, findings)
    if columns is None:
        return []
    known = [n.id for n in ladder.nodes.values() if n.kind in ("metric", "success_factor", "stage")]
    out = []
    for number, row in csvmap.cells(table, findings):
        cell = {name: (row[i] if i < len(row) else "").strip() for name, i in columns.items()}
        where = {name: (number, i + 1) for name, i in columns.items()}
        entry = _entry(table.file, cell, where, spec, ladder, as_of, known, findings)
        if entry is not None:
            out.append(entry)
    return out


def _entry(
    file: str,
    cell: dict[str, str],
    where: dict[str, tuple[int, int]],
    spec: csvmap.Map,
    ladder: Ladder,
    as_of: dt.date,
    known: list[str],
    findings: Findings,
) -> Entry | None:
    def at(name: str) -> Location:
        return Location(file, *where.get(name, where["id"]))

    written = cell["id"]
    ref = spec.ids.get(written, written)
    if not ref:
        findings.add("PB002", "the row has no id", at("id"))
        return None
    node = ladder.nodes.get(ref)
    if node is None:
        findings.add(
            "PB004",
            f"'{ref}' is not the id of a plan metric, success factor or SLA stage"
            + did_you_mean(ref, known),
            at("id"),
        )
        return None
    stage = node.kind == "stage"
    number = _number(cell["value"], stage)
    if number is None:
        what = "a whole number of 0 or more" if stage else "a number"
        findings.add(
            "PB002",
            f"the value must be {what}, written with digits (and a point), not '{cell['value']}'",
            at("value"),
        )
        return None
    period = cell.get("period") or None
    note = cell.get("note") or None
    try:
        confidence = _confidence(cell.get("confidence", ""))
    except ValueError:
        findings.add(
            "PB002",
            f"the confidence is one of {', '.join(CONFIDENCE)}, not '{cell['confidence']}'",
            at("confidence"),
        )
        return None
    if stage and (confidence or note):
        findings.add(
            "PB002",
            f"'{ref}' is a stage: a funnel volume has no confidence or note",
            at("confidence" if confidence else "note"),
        )
        return None
    if stage and period is None:
        findings.add("PB018", f"a volume of the stage '{ref}' needs its period", at("period"))
        return None
    period = period or _default_period(ladder, ref, as_of)
    return Entry(stage, ref, number, period, confidence, note, where)


def _default_period(ladder: Ladder, ref: str, as_of: dt.date) -> str | None:
    """A rate's period when none is written: the one containing ``as_of`` (None: a level)."""
    node = ladder.nodes.get(ref)
    spec = checkins.metric_spec(node) if node is not None and node.kind != "stage" else None
    per = getattr(spec, "per", None)
    return str(periods.containing(as_of, per)) if per else None


def _number(text: str, whole: bool) -> int | float | None:
    """A number as written with digits, or None; a whole one when ``whole``."""
    if not _NUMBER.fullmatch(text):
        return None
    if "." not in text:
        return int(text)
    value = float(text)
    if value.is_integer():
        return int(value)
    return None if whole else value


def _confidence(text: str) -> str | None:
    """``On track`` → ``on-track``; None when empty; ValueError when it is none of the three."""
    if not text:
        return None
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    if word not in CONFIDENCE:
        raise ValueError(text)
    return word


def _counted(
    table: csvmap.Table,
    spec: csvmap.Map,
    ladder: Ladder,
    as_of: dt.date,
    start: dt.date | None,
    findings: Findings,
) -> tuple[list[Entry], int]:
    """Funnel volumes of a CRM export: each date counts one for its stage and period."""
    columns = csvmap.stage_columns(table, spec, findings)
    if columns is None:
        return [], 0
    where = [(table.column(h), allowed) for h, allowed in spec.where.items()]
    dates = csvmap.Dates(spec.dates)
    period_of: dict[dt.date, periods.Period] = {}
    counts: dict[tuple[periods.Period, str], int] = {}
    first: dict[tuple[periods.Period, str], int] = {}
    left_out = 0
    expected = spec.dates or "YYYY-MM-DD"
    stages = list(columns.items())
    for number, row in csvmap.cells(table, findings):
        width = len(row)
        if where and not all(i is not None and i < width and row[i].strip() in a for i, a in where):
            continue
        for stage, i in stages:
            text = row[i] if i < width else ""
            if not text or text.isspace():
                continue
            day = dates(text)
            if day is None:
                findings.add(
                    "PB002",
                    f"'{text.strip()}' is not a date written {expected}",
                    Location(table.file, number, i + 1),
                )
                continue
            if day > as_of or (start is not None and day < start):
                left_out += 1
                continue
            period = period_of.get(day)
            if period is None:
                period = period_of[day] = periods.containing(day, spec.per)
            key = (period, stage)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, number)
    order = [n.id for n in ladder.of_kind("stage") if n.id in columns]
    out = []
    for period in sorted({p for p, _ in counts}):
        for stage in order:
            key = (period, stage)
            row_number = first.get(key, 1)
            cells = {f: (row_number, columns[stage] + 1) for f in ("id", "period", "value")}
            out.append(Entry(True, stage, counts.get(key, 0), str(period), cells=cells))
    return out, left_out


# --- the check-in they make --------------------------------------------------------------------


def _check(
    file: str,
    entries: list[Entry],
    checkin_id: str,
    as_of: dt.date,
    playbook: Playbook,
    target: Path,
    findings: Findings,
) -> None:
    """The entries checked as a check-in by the check's own rules, located in the CSV."""
    data: dict[str, Any] = {"kind": "checkin", "id": checkin_id, "as_of": as_of}
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    values: list[dict[str, Any]] = []
    funnel: list[dict[str, Any]] = []
    for entry in entries:
        items, key, amount = (
            (funnel, "stage", "volume") if entry.stage else (values, "metric", "value")
        )
        path: PathKey = ("funnel" if entry.stage else "values", len(items))
        item: dict[str, Any] = {key: entry.id, amount: entry.number}
        if entry.period is not None:
            item["period"] = entry.period
        items.append(item)
        positions[path] = entry.cells["id"]
        names = {"id": key, "value": amount, "period": "period", "confidence": "confidence"}
        for name, cell in entry.cells.items():
            positions[(*path, names.get(name, name))] = cell
    data["values"], data["funnel"] = values, funnel
    try:
        record = validate(Checkin, data)
    except Invalid as exc:  # pragma: no cover - the entries are built to fit
        raise AssertionError(exc.problems) from None
    doc = Document(file, 0, data, positions, {}, (1, 1))
    resolved = target.resolve()
    for other in playbook.actuals.checkins:
        if other.id == checkin_id and Path(other.doc.file).resolve() != resolved:
            raise AuthoringError(
                f"the check-in id '{checkin_id}' is already used at {other.loc('id')}; "
                "nothing written"
            )
    checkins.collect(
        playbook.ladder, [(doc, record)], checkins.horizon_of(playbook.ladder), findings
    )


# --- writing -------------------------------------------------------------------------------------


def _existing(target: Path, as_of: dt.date) -> CommentedMap | None:
    """The check-in already at ``target`` (round trip, comments kept), or None."""
    if not target.exists():
        return None
    file = display_path(target)
    findings = Findings()
    text = decode(target.read_bytes(), file, findings)
    docs = parse_text(text, file, findings) if text is not None else []
    if findings.items:
        raise AuthoringError(f"{findings.items[0]}; fix it before importing into it")
    if (
        len(docs) != 1
        or not isinstance(docs[0].data, dict)
        or docs[0].data.get("kind") != "checkin"
    ):
        raise AuthoringError(f"{file} is not a single check-in (kind: checkin); nothing written")
    if docs[0].data.get("as_of") != as_of:
        raise AuthoringError(
            f"{file} holds a check-in as of {docs[0].data.get('as_of')}, not {as_of}; "
            "nothing written"
        )
    assert text is not None
    loaded = rt_yaml().load(text)
    assert isinstance(loaded, CommentedMap)
    return loaded


def _write_text(
    existing: CommentedMap | None,
    entries: list[Entry],
    checkin_id: str,
    as_of: dt.date,
    by: str | None,
    ladder: Ladder,
    file: str,
) -> str:
    """The check-in's text as ``playbook fmt`` lays it out."""
    data = existing
    if data is None:
        data = CommentedMap()
        data["kind"], data["id"], data["as_of"] = "checkin", checkin_id, as_of
    if by:
        data["by"] = by
    for stage in (False, True):
        mine = [e for e in entries if e.stage is stage]
        if mine:
            _merge(data, mine, stage, lambda ref: _default_period(ladder, ref, as_of))
    formatted, problems = format_text(dump_rt(data), file)
    if formatted is None:  # pragma: no cover - fmt lays out what its own round trip wrote
        raise AuthoringError(f"{problems[0]}; nothing written")
    return formatted


def _merge(
    data: CommentedMap, entries: list[Entry], stage: bool, default: Callable[[str], str | None]
) -> None:
    """Replace the items of the same key (id and period; a rate written without a period has
    the one containing ``as_of``) in place, append the others."""
    key, amount, listed = ("stage", "volume", "funnel") if stage else ("metric", "value", "values")
    items = data.get(listed)
    if not isinstance(items, CommentedSeq):
        items = data[listed] = CommentedSeq()
    index: dict[tuple[str, str], CommentedMap] = {}
    for item in items:
        if isinstance(item, CommentedMap):
            ref = str(item.get(key))
            period = item.get("period")
            index[(ref, _period_key(default(ref) if period is None else period))] = item
    for entry in entries:
        found = index.get((entry.id, _period_key(entry.period)))
        if found is None:  # a new item; an existing one keeps its id and period as written
            found = CommentedMap()
            found[key] = entry.id
            if entry.period is not None:
                found["period"] = entry.period
            items.append(found)
            index[(entry.id, _period_key(entry.period))] = found
        found[amount] = entry.number
        if entry.confidence:
            found["confidence"] = entry.confidence
        if entry.note:
            found["note"] = entry.note


def _period_key(value: object) -> str:
    period = periods.parse(value) if value is not None else None
    return str(period) if period is not None else str(value or "")
