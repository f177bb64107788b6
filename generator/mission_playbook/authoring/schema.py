"""``playbook schema``: the JSON Schema of plan files, for editors and other tools.

It is built from the records of ``model/kinds.py`` (their fields, annotations, defaults
and docstrings): one definition per record class, the document told apart by ``kind``, with a
title, descriptions and the form of ids. The repository keeps a copy in
``schema/playbook.schema.json``; each sample plan file names it on its first line::

    # yaml-language-server: $schema=../schema/playbook.schema.json

so that editors with the YAML language server complete and check fields as you type. The
schema checks one file at a time: links between nodes are the check's concern
(``playbook check``).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import typing
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from mission_playbook.model import kinds as model
from mission_playbook.model import records
from mission_playbook.model.validate import ID_FORM

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "Mission Playbook plan file"
DESCRIPTION = (
    "One YAML document of a Mission Playbook: a mission, the commander's intent, a function "
    "(its mission analysis, estimates and concept), a supporting plan, the Marketing and Sales "
    "SLA, the glossary, or a check-in of actual results, told apart by 'kind'. Every node has "
    "an id: 1 to 64 lower case "
    "letters, digits and '-', unique across the playbook. Links between nodes are checked by "
    "'playbook check', not by this schema."
)
#: The description of every id (see ``model.Id``); an id's schema also gets its pattern.
ID_DESCRIPTION = "An id: lower case letters, digits and '-', unique."

Schema = dict[str, Any]

_SIMPLE: dict[Any, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    dt.date: {"format": "date", "type": "string"},
    type(None): {"type": "null"},
}


def _ordered(node: Schema) -> Schema:
    """``node`` with its keys sorted, except a ``pattern``, which comes last."""
    return dict(sorted(node.items(), key=lambda item: (item[0] == "pattern", item[0])))


def _value(annotation: Any) -> Schema:
    """The schema of a value of ``annotation``."""
    node: Schema = {}
    if typing.get_origin(annotation) is Annotated:
        annotation, *extras = typing.get_args(annotation)
        for extra in extras:
            if isinstance(extra, records.Describe):
                node["description"] = extra.text
                if extra.pattern is not None:
                    node["pattern"] = f"^(?:{extra.pattern})$"
    origin = typing.get_origin(annotation)
    if records.is_union(annotation):
        node["anyOf"] = [_value(member) for member in typing.get_args(annotation)]
    elif origin is list:
        node |= {"items": _value(typing.get_args(annotation)[0]), "type": "array"}
    elif origin is dict:
        node |= {"additionalProperties": _value(typing.get_args(annotation)[1]), "type": "object"}
    elif origin is Literal:
        words = list(typing.get_args(annotation))
        node |= {"const": words[0]} if len(words) == 1 else {"enum": words}
        node["type"] = "string"
    elif records.is_record(annotation):
        node["$ref"] = f"#/$defs/{annotation.__name__}"
    else:
        node |= _SIMPLE[annotation]
    if node.get("description") == ID_DESCRIPTION:
        node["pattern"] = f"^{ID_FORM.pattern}$"
    return _ordered(node)


def property_schema(field: records.Field) -> Schema:
    node = _value(field.annotation)
    if not field.required:
        node["default"] = records.dump(field.default)
    if not records.is_record(records.unwrap(field.annotation)):  # a record's title is its own
        node["title"] = field.key.replace("_", " ").title()
    return _ordered(node)


def _definition(cls: type[records.Record]) -> Schema:
    """The schema of a record class: its fields by YAML key, unknown keys forbidden."""
    fields = records.fields(cls)
    node: Schema = {
        "additionalProperties": False,
        "properties": {f.key: property_schema(f) for f in fields},
        "title": cls.__name__,
        "type": "object",
    }
    if cls.__doc__:
        node["description"] = inspect.cleandoc(cls.__doc__)
    if required := [f.key for f in fields if f.required]:
        node["required"] = required
    return _ordered(node)


def records_in(annotation: Any) -> Iterator[type[records.Record]]:
    """The record classes named in ``annotation``."""
    if records.is_record(annotation):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from records_in(arg)


def definitions(roots: Iterable[type[records.Record]]) -> Schema:
    """The definitions of ``roots`` and of every record they hold, by class name."""
    found: dict[str, type[records.Record]] = {}
    todo = list(roots)
    while todo:
        cls = todo.pop()
        if cls.__name__ not in found:
            found[cls.__name__] = cls
            todo += [r for f in records.fields(cls) for r in records_in(f.annotation)]
    return {name: _definition(found[name]) for name in sorted(found)}


def schema() -> Schema:
    """The JSON Schema (draft 2020-12) of one plan document.

    The kinds are not a ``oneOf``, against all of which a validator would report a document:
    ``kind`` is one of the kinds, and one ``if kind is K then K's schema`` per kind reports a
    problem against the document's own kind.
    """
    return {
        "$schema": SCHEMA_DIALECT,
        "title": TITLE,
        "description": DESCRIPTION,
        "type": "object",
        "properties": {
            "kind": {
                "description": "What this document is.",
                "enum": list(model.KINDS),
            }
        },
        "required": ["kind", "id"],
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{cls.__name__}"},
            }
            for kind, cls in model.KINDS.items()
        ],
        "$defs": definitions(model.KINDS.values()),
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text ending with a newline."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
