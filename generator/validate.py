"""Checks of a single node: the schema (PB002) and the form of ids (PB013).

Validation never stops at the first problem. When a document does not fit the schema,
every problem is reported, then the offending values are set aside (in a copy: the files
are never touched) so that the rest of the document still takes part in the link checks.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator import model
from generator.diagnostics import Findings, did_you_mean
from generator.source import Document, PathKey

ID_FORM = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_REPAIR_ROUNDS = 8

_PLAIN = {
    "string_type": "must be text",
    "list_type": "must be a list",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "date_type": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "dict_type": "must be a mapping of fields",
    "bool_type": "must be true or false",
    "finite_number": "must be a finite number",
}


def describe(path: PathKey) -> str:
    """A field path as a reader writes it: ``key_tasks[2].supports``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def check_id(value: object, where: Any, findings: Findings, what: str) -> bool:
    """PB013 unless ``value`` is an id of the required form."""
    if isinstance(value, str) and ID_FORM.fullmatch(value):
        return True
    shown = repr(value) if isinstance(value, str) else str(value)
    hint = ""
    if isinstance(value, str) and value:
        slug = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:64]
        if slug and ID_FORM.fullmatch(slug):
            hint = f"; for example '{slug}'"
    findings.add(
        "PB013",
        f"the id {shown} of this {what} is not allowed: an id is 1 to 64 lower case letters, "
        f"digits and '-', starting with a letter or digit, because it becomes a web address{hint}",
        where,
    )
    return False


def validate(doc: Document, findings: Findings) -> tuple[model.Document | None, set[PathKey]]:
    """Validate one document against its kind; return the model and the paths set aside."""
    data = doc.data
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "a single value"
        findings.add(
            "PB002",
            f"a plan document must be a mapping with 'kind' and 'id', but this one is {shape}",
            doc.loc(()),
        )
        return None, set()
    kind = data.get("kind")
    if kind is None:
        findings.add(
            "PB002",
            f"missing required field 'kind' (one of {', '.join(model.KINDS)})",
            doc.loc(()),
        )
        return None, set()
    cls = model.KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        findings.add(
            "PB002",
            f"unknown kind {kind!r}; a kind is one of {', '.join(model.KINDS)}"
            + did_you_mean(str(kind), model.KINDS),
            doc.loc(("kind",)),
        )
        return None, set()
    return _validate_with_repair(cls, doc, findings)


def _validate_with_repair(
    cls: type[model.Document], doc: Document, findings: Findings
) -> tuple[model.Document | None, set[PathKey]]:
    data = doc.data
    set_aside: set[PathKey] = set()
    for round_ in range(MAX_REPAIR_ROUNDS):
        try:
            return cls.model_validate(data), set_aside
        except ValidationError as exc:
            errors = _normalise(exc.errors(), data)
        if round_ == 0:
            data = copy.deepcopy(data)
            for path, error in errors:
                _report(cls, doc, path, error, findings)
        for path, error in errors:
            _repair(cls, data, path, error)
            set_aside.add(path)
    return None, set_aside


def _normalise(errors: list[ErrorDetails], data: Any) -> list[tuple[PathKey, ErrorDetails]]:
    """Cut union-member suffixes off error paths and keep one error per path."""
    out: dict[PathKey, ErrorDetails] = {}
    for err in errors:
        path: list[str | int] = []
        node = data
        for part in err["loc"]:
            if _has(node, part):
                node = node[part]
            elif err["type"] == "missing" and isinstance(node, dict) and path[-1:] != [part]:
                path.append(part)
                break
            else:
                break
            path.append(part)
        out.setdefault(tuple(path), err)
    return list(out.items())


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _report(
    cls: type[BaseModel], doc: Document, path: PathKey, error: ErrorDetails, findings: Findings
) -> None:
    field = path[-1] if path else ""
    owner = _owner(doc.data, path[:-1])
    if error["type"] == "missing":
        findings.add(
            "PB002", f"{owner} is missing the required field '{field}'", doc.loc(path[:-1])
        )
    elif error["type"] == "extra_forbidden":
        names = _field_names(cls, path[:-1])
        findings.add(
            "PB002",
            f"unknown field '{field}' in {owner}" + did_you_mean(str(field), names),
            doc.key_loc(path),
        )
    elif error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        findings.add(
            "PB002",
            f"'{describe(path)}' of {owner} must be one of {expected}, not {_show(error['input'])}",
            doc.loc(path),
        )
    else:
        plain = _PLAIN.get(error["type"], error["msg"].lower())
        hint = ""
        if (
            error["type"] == "string_type"
            and isinstance(error["input"], dict)
            and len(error["input"]) == 1
        ):
            hint = " (a ': ' inside text starts a mapping: put the text in quotes)"
        elif error["type"] == "list_type" and isinstance(error["input"], str):
            hint = f" (write a list: [{error['input']}])"
        findings.add(
            "PB002",
            f"'{describe(path)}' of {owner} {plain}, not {_show(error['input'])}{hint}",
            doc.loc(path),
        )


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _owner(data: Any, path: PathKey) -> str:
    """Names the node that holds a field: "plan 'x'" or "key task 'kt-1'"."""
    node = data
    label = (
        f"{data.get('kind', 'document')} '{data.get('id', '?')}'" if isinstance(data, dict) else ""
    )
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "id" in node and isinstance(path[i - 1] if i else None, str):
            label = f"{_singular(str(path[i - 1]))} '{node['id']}'"
    return label or "the document"


def _singular(name: str) -> str:
    words = {
        "success_factors": "success factor",
        "key_tasks": "key task",
        "estimates": "estimate",
        "metrics": "metric",
        "stages": "stage",
        "markets": "market",
        "customers": "customer",
    }
    return words.get(name, name.rstrip("s").replace("_", " "))


# --- repair: set a bad value aside so the rest of the document can still be checked -------


def _repair(cls: type[BaseModel], data: Any, path: PathKey, error: ErrorDetails) -> None:
    if not path:
        return
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    annotation = _annotation_at(cls, path)
    if error["type"] == "missing" or isinstance(parent, list):
        parent[last] = _placeholder(annotation)
    elif isinstance(parent, dict):
        del parent[last]
        if annotation is not None and _is_required(cls, path):
            parent[last] = _placeholder(annotation)


def _annotation_at(cls: type[BaseModel], path: PathKey) -> Any:
    annotation: Any = cls
    for part in path:
        annotation = strip_optional(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field(annotation, part)
            annotation = field.annotation if field else None
        else:
            return None
    return annotation


def _field(cls: type[BaseModel], name: str) -> Any:
    for key, info in cls.model_fields.items():
        if name in (key, info.alias):
            return info
    return None


def _field_names(cls: type[BaseModel], path: PathKey) -> list[str]:
    target = strip_optional(_annotation_at(cls, path)) if path else cls
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [info.alias or key for key, info in target.model_fields.items()]
    return []


def _is_required(cls: type[BaseModel], path: PathKey) -> bool:
    owner = strip_optional(_annotation_at(cls, path[:-1])) if len(path) > 1 else cls
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        field = _field(owner, str(path[-1]))
        return bool(field and field.is_required())
    return False


def strip_optional(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return strip_optional(args[0])
    return annotation


def _placeholder(annotation: Any) -> Any:
    """The plainest value that satisfies a type, standing in for a bad or missing one."""
    annotation = strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return []
    if origin is Literal:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        return _placeholder(typing.get_args(annotation)[0])
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return {
                (info.alias or key): _placeholder(info.annotation)
                for key, info in annotation.model_fields.items()
                if info.is_required()
            }
        if issubclass(annotation, bool):
            return False
        if issubclass(annotation, int | float):
            return 0
        if issubclass(annotation, dt.date):
            return dt.date(1970, 1, 1)
    return ""


PLACEHOLDER = "TODO"


def check_placeholders(doc: Document, findings: Findings) -> None:
    """PB014 for every value still holding the placeholder that ``playbook new`` writes."""
    for path, value in _strings(doc.data, ()):
        if value.strip() == PLACEHOLDER:
            findings.add(
                "PB014",
                f"'{describe(path)}' still holds the placeholder {PLACEHOLDER}: write it in",
                doc.loc(path),
            )


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _strings(item, (*path, i))


def walk_ids(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every ``id`` value in a document's raw data, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id":
                yield (*path, key), value
            elif isinstance(value, dict | list):
                yield from walk_ids(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from walk_ids(item, (*path, i))
