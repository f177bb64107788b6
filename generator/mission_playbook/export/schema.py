"""The JSON Schema of the export document (``export/document.py``): what a BI tool or a
script can rely on. ``playbook export --schema`` prints it; the repository keeps a copy in
``schema/export.schema.json``, which a test keeps equal to it.

A node's ``fields`` are checked against its kind's fields as the plan file schema describes
them (``authoring/schema.py``), less ``kind``, ``id`` and the fields holding nested nodes,
which are nodes of their own in the document. Properties are listed in the order the
document writes them.
"""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

from mission_playbook.authoring.schema import (
    ID_DESCRIPTION,
    SCHEMA_DIALECT,
    Schema,
    definitions,
    property_schema,
)
from mission_playbook.export.document import FORMAT, nested_paths
from mission_playbook.model import kinds as model
from mission_playbook.model import records
from mission_playbook.model.ladder import NESTED
from mission_playbook.model.validate import ID_FORM

TITLE = "Mission Playbook export"
DESCRIPTION = (
    "A mission plan playbook as one document (playbook export --format json): every node "
    "with its fields as written in the plan files, its links up and down the ladder and its "
    "place in the files; the demand waterfall; the coverage of each rung; the findings of "
    "the check. Keys come in a fixed order and nodes in file order."
)

_ID: Schema = {"description": ID_DESCRIPTION, "type": "string", "pattern": f"^{ID_FORM.pattern}$"}
_NULL: Schema = {"type": "null"}
_NUMBER: Schema = {"type": "number"}
_WHOLE: Schema = {"minimum": 0, "type": "integer"}
_TEXT: Schema = {"type": "string"}


def _or_null(node: Schema) -> Schema:
    return {"anyOf": [node, _NULL]}


def node_classes() -> dict[str, type[records.Record]]:
    """The record class of every kind of node of the ladder: the documents' and the nested
    ones' (a check-in is a document, not a node: it is in the ``status`` section)."""
    out: dict[str, type[records.Record]] = {}
    for kind, cls in model.KINDS.items():
        if kind not in NESTED:
            continue
        out[kind] = cls
        for attrs, nested_kind in NESTED.get(kind, ()):
            holder: Any = cls
            for attr in attrs:
                field = next(f for f in records.fields(holder) if f.name == attr)
                holder = records.unwrap(field.annotation)
                if not records.is_record(holder):  # list[Item]: the item's class
                    holder = records.unwrap(typing.get_args(holder)[0])
                if not records.is_record(holder):  # Text | Assumption: the record among them
                    members = map(records.unwrap, typing.get_args(holder))
                    holder = next(m for m in members if records.is_record(m))
            out[nested_kind] = holder
    return out


def _text_items(annotation: Any) -> bool:
    """Whether a list field's items may be text as well as nodes (``list[Text | Assumption]``)."""
    listed = records.unwrap(annotation)
    if typing.get_origin(listed) is not list:
        return False
    item = records.unwrap(typing.get_args(listed)[0])
    return any(records.unwrap(m) is str for m in typing.get_args(item))


def _fields(cls: type[records.Record], leave_out: tuple[tuple[str, ...], ...], top: bool) -> Schema:
    """The schema of a node's ``fields``: ``cls``'s fields less those ``leave_out`` names."""
    properties: Schema = {}
    optional: set[str] = set()
    for field in records.fields(cls):
        if top and field.key in ("kind", "id"):
            continue
        if (field.key,) in leave_out:
            if _text_items(field.annotation):  # assumptions: those written as text stay
                optional.add(field.key)
                properties[field.key] = {
                    "description": "The items written as text (the others are nodes).",
                    "type": "array",
                    "items": _TEXT,
                }
            continue
        deeper = tuple(p[1:] for p in leave_out if len(p) > 1 and p[0] == field.key)
        if deeper:
            inner = records.unwrap(field.annotation)
            properties[field.key] = _fields(inner, deeper, top=False)
        else:
            properties[field.key] = property_schema(field)
    node: Schema = {
        "title": cls.__name__,
        "type": "object",
        "properties": properties,
        # the document writes every field, defaults included, but a list of nodes and text
        # only when it holds text
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }
    if cls.__doc__:
        node["description"] = inspect.cleandoc(cls.__doc__)
    return node


def _node(kinds: list[str]) -> Schema:
    node: Schema = {
        "description": "A node of the playbook: a document or a node nested in one.",
        "type": "object",
        "properties": {
            "kind": {"enum": kinds, "type": "string"},
            "id": _ID,
            "title": _TEXT | {"description": "Its title or name (its id when it has neither)."},
            "in": _or_null(_ID) | {"description": "The document holding a nested node."},
            "function": _or_null(_ID)
            | {"description": "The function of an estimate, plan or metric."},
            "parents": {
                "description": "What it supports, one rung up the ladder.",
                "type": "array",
                "items": _ID,
            },
            "children": {
                "description": "What supports it, one rung down the ladder.",
                "type": "array",
                "items": _ID,
            },
            "file": _TEXT
            | {"description": "The plan file, relative to the folder holding the plans folder."},
            "line": {"minimum": 0, "type": "integer"},
            "column": {"minimum": 0, "type": "integer"},
            "fields": {"description": "Its fields as written in YAML.", "type": "object"},
        },
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}},
                "then": {"properties": {"fields": {"$ref": f"#/$defs/fields-{kind}"}}},
            }
            for kind in kinds
        ],
    }
    node["required"] = list(node["properties"])  # every key, always
    return node


def _object(properties: Schema, description: str) -> Schema:
    return {
        "description": description,
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _waterfall() -> Schema:
    stage = _object(
        {
            "stage": _ID,
            "name": _or_null(_TEXT),
            "owner": _ID,
            "conversion": _or_null(_NUMBER),
            "needed": _WHOLE,
            "committed": _or_null(_NUMBER),
            "gap": _or_null(_NUMBER),
        },
        "A stage, top of the funnel first: its conversion to the next stage (none on the "
        "last), the volume the revenue target needs a period (rounded up), what the SLA "
        "commits, and how much that falls short (0 when covered; none without commitments).",
    )
    commitment = _object(
        {
            "party": _ID,
            "stage": _ID,
            "volume": _NUMBER,
            "per": _TEXT,
            "per_period": _NUMBER,
        },
        "A party's commitment, as written and converted to the SLA's period.",
    )
    return _object(
        {
            "sla": _ID,
            "period": {"enum": ["month", "quarter", "year"], "type": "string"},
            "revenue_target": _NUMBER,
            "run_rate_share": _NUMBER,
            "marketing_share": _NUMBER,
            "average_deal": _NUMBER,
            "revenue_needed": _NUMBER,
            "stages": {"type": "array", "items": stage},
            "commitments": {"type": "array", "items": commitment},
        },
        "The first SLA's demand waterfall: from the revenue target back to each stage's need.",
    )


def _finding() -> Schema:
    place = {"file": _TEXT, "line": _WHOLE, "column": _WHOLE}
    node = _object(
        {
            "code": {"pattern": "^PB[0-9]{3}$", "type": "string"},
            "severity": {"enum": ["error", "warning", "info"], "type": "string"},
            "message": _TEXT,
            **place,
            "related": {"type": "array", "items": _object(place, "Another place it concerns.")},
        },
        "A finding of the check, where it is.",
    )
    node["required"] = [key for key in node["required"] if key != "related"]
    return node


def _status() -> Schema:
    counts = _object(
        {"on_track": _WHOLE, "at_risk": _WHOLE, "off_track": _WHOLE, "no_data": _WHOLE},
        "The plans beneath the node by status (an estimate, key task or function).",
    )
    words = {"enum": ["on track", "at risk", "off track", "no data"], "type": "string"}
    node = _object(
        {
            "id": _ID,
            "kind": _TEXT,
            "status": words,
            "actual": _or_null(_NUMBER),
            "expected": _or_null(_NUMBER),
            "target": _or_null(_NUMBER),
            "period": _or_null(_TEXT),
            "as_of": _or_null({"format": "date", "type": "string"}),
            "confidence": _or_null(_TEXT),
            "plans": counts,
        },
        "A node's status against its actuals: the latest actual of a metric or success "
        "factor, what its path expected by then, its target; the plans beneath it by status.",
    )
    checkin = _object(
        {
            "id": _ID,
            "file": _TEXT,
            "line": _WHOLE,
            "column": _WHOLE,
            "fields": {"$ref": "#/$defs/fields-checkin"},
        },
        "A check-in as written.",
    )
    stage = _object(
        {
            "stage": _ID,
            "volume": _or_null(_WHOLE),
            "needed": _WHOLE,
            "short": _or_null(_WHOLE),
            "planned_conversion": _or_null(_NUMBER),
            "actual_conversion": _or_null(_NUMBER),
            "reforecast": _or_null(_NUMBER),
        },
        "A stage in a period: its volume, what the revenue target needs to date, how many it "
        "is short, its conversion planned and actual, the need at the actual conversions.",
    )
    period = _object(
        {
            "period": _TEXT,
            "stages": {"type": "array", "items": stage},
            "lapse": _or_null(_TEXT),
        },
        "One period of the funnel, and the stage where it loses most against plan.",
    )
    funnel = _object(
        {"sla": _ID, "periods": {"type": "array", "items": period}},
        "The funnel actuals of the first SLA against its waterfall.",
    )
    return _object(
        {
            "checkins": {"type": "array", "items": checkin},
            "nodes": {"type": "array", "items": node},
            "funnel": _or_null(funnel),
        },
        "The actuals, when the playbook has check-ins.",
    )


def schema() -> Schema:
    """The JSON Schema (draft 2020-12) of the export document."""
    classes = node_classes()
    kinds = list(classes)
    defs: Schema = {
        "node": _node(kinds),
        "waterfall": _waterfall(),
        "coverage": _object(
            {"rung": _TEXT, "label": _TEXT, "total": _WHOLE, "covered": _WHOLE},
            "A rung of the ladder: its nodes, and how many are linked.",
        ),
        "finding": _finding(),
    }
    for kind, cls in classes.items():
        leave_out = nested_paths(kind) if kind in model.KINDS else ()
        defs[f"fields-{kind}"] = _fields(cls, leave_out, top=True)
    defs["status"] = _status()
    defs["fields-checkin"] = _fields(model.Checkin, (), top=True)
    defs |= definitions([*classes.values(), model.Checkin])
    document: Schema = {
        "$schema": SCHEMA_DIALECT,
        "title": TITLE,
        "description": DESCRIPTION,
        "type": "object",
        "properties": {
            "format": {"const": FORMAT, "description": "The layout of this document."},
            "generator": {"description": "What wrote it, and its version.", "type": "string"},
            "title": {"description": "The playbook's name.", "type": "string"},
            "as_of": _or_null({"format": "date", "type": "string"})
            | {"description": "The date the actuals are true; null without actuals."},
            "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "waterfall": _or_null({"$ref": "#/$defs/waterfall"}),
            "coverage": {"type": "array", "items": {"$ref": "#/$defs/coverage"}},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "status": _or_null({"$ref": "#/$defs/status"})
            | {"description": "The actuals and each node's status; null without check-ins."},
        },
        "additionalProperties": False,
        "$defs": defs,
    }
    document["required"] = list(document["properties"])  # every key, always
    return document


def schema_text() -> str:
    """The schema as stable, indented JSON text ending with a newline."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
