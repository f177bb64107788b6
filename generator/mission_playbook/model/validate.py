"""Checks of a single node: the schema (PB002) and the form of ids (PB013).

Validation never stops at the first problem. When a document does not fit the schema,
every problem is reported, then the offending values are set aside (in a copy: the files
are never touched) so that the rest of the document still takes part in the link checks.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from collections.abc import Iterator
from typing import Any, Literal

from mission_playbook.model import kinds as model
from mission_playbook.model import records
from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.records import Fault, Invalid, Problem, Record, unwrap
from mission_playbook.model.source import Document, PathKey

ID_FORM = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_REPAIR_ROUNDS = 8

#: What a field's value must be, by what is wrong with it (the other faults have messages
#: of their own).
_PLAIN: dict[Fault, str] = {
    "not_text": "must be text",
    "not_list": "must be a list",
    "not_whole_number": "must be a whole number",
    "not_number": "must be a number",
    "not_date": "must be a date written YYYY-MM-DD",
    "date_with_time": "must be a date without a time",
    "not_mapping": "must be a mapping of fields",
    "not_finite": "must be a finite number",
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
            return records.validate(cls, data), set_aside
        except Invalid as exc:
            errors = [(p.path, p) for p in exc.problems]  # one per path
        if round_ == 0:
            data = copy.deepcopy(data)
            for path, error in errors:
                _report(cls, doc, path, error, findings)
        for path, error in errors:
            _repair(cls, data, path, error)
            set_aside.add(path)
    return None, set_aside


def _report(
    cls: type[Record], doc: Document, path: PathKey, error: Problem, findings: Findings
) -> None:
    field = path[-1] if path else ""
    owner = _owner(doc.data, path[:-1])
    if error.fault == "missing_field":
        findings.add(
            "PB002", f"{owner} is missing the required field '{field}'", doc.loc(path[:-1])
        )
    elif error.fault == "unknown_field":
        names = _field_names(cls, path[:-1])
        findings.add(
            "PB002",
            f"unknown field '{field}' in {owner}" + did_you_mean(str(field), names),
            doc.key_loc(path),
        )
    elif error.fault == "not_one_of":
        findings.add(
            "PB002",
            f"'{describe(path)}' of {owner} must be one of {error.expected}, "
            f"not {_show(error.value)}",
            doc.loc(path),
        )
    elif error.fault == "not_form":
        findings.add(
            "PB002",
            f"'{describe(path)}' of {owner} must be {error.expected}, not {_show(error.value)}",
            doc.loc(path),
        )
    else:
        plain = _PLAIN[error.fault]
        hint = ""
        if error.fault == "not_text" and isinstance(error.value, dict) and len(error.value) == 1:
            hint = " (a ': ' inside text starts a mapping: put the text in quotes)"
        elif error.fault == "not_list" and isinstance(error.value, str):
            hint = f" (write a list: [{error.value}])"
        findings.add(
            "PB002",
            f"'{describe(path)}' of {owner} {plain}, not {_show(error.value)}{hint}",
            doc.loc(path),
        )


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _owner(data: Any, path: PathKey) -> str:
    """Names the node that holds a field: "plan 'x'", "key task 'kt-1'", or "milestone 2 of
    plan 'x'" for an item of a list that has no id."""
    node = data
    label = (
        f"{data.get('kind', 'document')} '{data.get('id', '?')}'" if isinstance(data, dict) else ""
    )
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        listed = path[i - 1] if i else None
        if not isinstance(node, dict) or not isinstance(listed, str):
            continue
        if "id" in node:
            label = f"{_singular(listed)} '{node['id']}'"
        elif isinstance(part, int):
            label = f"{_singular(listed)} {part + 1} of {label or 'the document'}"
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
        "people": "person",
    }
    return words.get(name, name.rstrip("s").replace("_", " "))


# --- repair: set a bad value aside so the rest of the document can still be checked -------


def _repair(cls: type[Record], data: Any, path: PathKey, error: Problem) -> None:
    if not path:
        return
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    annotation = _annotation_at(cls, path)
    if error.fault == "missing_field" or isinstance(parent, list):
        parent[last] = _placeholder(annotation)
    elif isinstance(parent, dict):
        del parent[last]
        if annotation is not None and _is_required(cls, path):
            parent[last] = _placeholder(annotation)


def _annotation_at(cls: type[Record], path: PathKey) -> Any:
    annotation: Any = cls
    for part in path:
        annotation = unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
        elif records.is_record(annotation):
            field = _field(annotation, part)
            annotation = field.annotation if field else None
        else:
            return None
    return annotation


def _field(cls: type[Record], key: str) -> records.Field | None:
    return next((f for f in records.fields(cls) if f.key == key), None)


def _is_required(cls: type[Record], path: PathKey) -> bool:
    owner = unwrap(_annotation_at(cls, path[:-1]))
    field = _field(owner, str(path[-1])) if records.is_record(owner) else None
    return field is not None and field.required


def _field_names(cls: type[Record], path: PathKey) -> list[str]:
    """The fields a mapping at ``path`` may have (of every record a union there allows)."""
    target = unwrap(_annotation_at(cls, path))
    members = typing.get_args(target) if records.is_union(target) else (target,)
    names = [f.key for m in members if records.is_record(m) for f in records.fields(m)]
    return list(dict.fromkeys(names))


def _placeholder(annotation: Any) -> Any:
    """The plainest value that satisfies a type, standing in for a bad or missing one."""
    annotation = unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return []
    if origin is Literal:
        return typing.get_args(annotation)[0]
    if records.is_union(annotation):
        return _placeholder(typing.get_args(annotation)[0])
    if records.is_record(annotation):
        return {f.key: _placeholder(f.annotation) for f in records.fields(annotation) if f.required}
    if isinstance(annotation, type):
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
