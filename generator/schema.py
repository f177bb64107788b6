"""``playbook schema``: the JSON Schema of plan files, for editors and other tools.

It is pydantic's schema of the union of the kinds of :mod:`generator.model`, told apart by
``kind``, with a title, descriptions and the form of ids. The repository keeps a copy in
``schema/playbook.schema.json``; each sample plan file names it on its first line::

    # yaml-language-server: $schema=../schema/playbook.schema.json

so that editors with the YAML language server complete and check fields as you type. The
schema checks one file at a time: links between nodes are the check's concern
(``playbook check``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from generator import model
from generator.validate import ID_FORM

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "Mission Playbook plan file"
DESCRIPTION = (
    "One YAML document of a Mission Playbook: a mission, the commander's intent, a function "
    "(its mission analysis, estimates and concept), a supporting plan, the Marketing and Sales "
    "SLA, or the glossary, told apart by 'kind'. Every node has an id: 1 to 64 lower case "
    "letters, digits and '-', unique across the playbook. Links between nodes are checked by "
    "'playbook check', not by this schema."
)
#: The description pydantic gives every id field (see ``model.Id``).
ID_DESCRIPTION = "An id: lower case letters, digits and '-', unique."

PlanFile = Annotated[
    model.Mission | model.Intent | model.Function | model.Plan | model.Sla | model.Glossary,
    Field(discriminator="kind"),
]


def _with_id_pattern(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("description") == ID_DESCRIPTION:
            node["pattern"] = f"^{ID_FORM.pattern}$"
        for value in node.values():
            _with_id_pattern(value)
    elif isinstance(node, list):
        for value in node:
            _with_id_pattern(value)


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one plan document.

    pydantic writes the union as ``oneOf`` with an OpenAPI ``discriminator``, which JSON Schema
    validators ignore: a document of one kind is then reported against all six. The union is
    written instead as ``kind`` (one of the kinds) and one ``if kind is K then K's schema``
    per kind, so that a problem is reported against the document's own kind.
    """
    body = TypeAdapter(PlanFile).json_schema(by_alias=True, mode="validation")
    _with_id_pattern(body)
    mapping: dict[str, str] = body.pop("discriminator")["mapping"]
    body.pop("oneOf")
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
                "then": {"$ref": mapping[kind]},
            }
            for kind in model.KINDS
        ],
        **body,
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text ending with a newline."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
