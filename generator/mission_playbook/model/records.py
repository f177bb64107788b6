"""Typed records: the base of the model's classes and their validation.

A record class says in its annotations what each of its fields holds: text, a number, a whole
number, a date, one of some words (``Literal``), a list, another record, or a union of these.
:func:`validate` turns a plain mapping (as YAML gives it) into a record and reports *every*
problem, each with its path and what is wrong with it (a ``Fault``: ``missing_field``,
``unknown_field``, ``not_text``, ...), so that ``model/validate.py`` can say where it is and
what to write.

Written here rather than taken from pydantic, which the model used before: importing pydantic
and building the model cost 0.12 s a process, most of a cold ``playbook check`` of a small
playbook, while the model needs six kinds of value. Unknown fields are errors; a
number is accepted as text, a whole float as a whole number, a numeric text as a number, and
a text ``YYYY-MM-DD`` or a midnight (in any time zone) as a date. A boolean is neither a
number nor text; a number must be finite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import math
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

Path = tuple[str | int, ...]

#: What can be wrong with a value: a required field not written, a field the record does not
#: have, a word not among the allowed ones, or a value that is not what its field holds.
Fault = Literal[
    "missing_field",
    "unknown_field",
    "not_one_of",
    "not_text",
    "not_number",
    "not_whole_number",
    "not_finite",
    "not_date",
    "date_with_time",  # a date and time that is not midnight
    "not_list",
    "not_mapping",
    "not_form",  # text that does not match its field's pattern
]


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """One problem found by :func:`validate`: what is wrong, where, and what was written
    there (for ``missing_field``, the mapping that lacks it)."""

    fault: Fault
    path: Path
    value: Any
    expected: str = ""  # not_one_of: the allowed values; not_form: the form, as a reader reads them


class Invalid(ValueError):
    """A mapping does not fit its record class; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclasses.dataclass(frozen=True)
class Describe:
    """A description for the JSON Schema, attached with ``Annotated[str, Describe("...")]``.

    ``pattern`` (a regular expression the whole text must match) is checked by
    :func:`validate` (a ``not_form`` problem, whose ``expected`` is ``form``) and
    written into the schema.
    """

    text: str
    pattern: str | None = None
    form: str | None = None  # the pattern as a reader reads it ("'@' and an account name")


class _Spec(typing.NamedTuple):
    key: str | None = None
    default: Any = MISSING
    factory: Callable[[], Any] | None = None


def field(*, key: str | None = None, default: Any = MISSING, factory: Any = None) -> Any:
    """A field written in YAML under another ``key``, or whose default ``factory`` makes."""
    return _Spec(key, default, factory)


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class Record:
    """Base of record classes: keyword-only constructors, equality by value, plain pickles.

    Not dataclasses: making their methods costs about 0.4 ms a class at import, 12 ms for the
    model, paid by every ``playbook check``.
    """

    _specs: ClassVar[dict[str, _Spec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs = dict(cls._specs)
        for name, annotation in inspect.get_annotations(cls).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = cls.__dict__.get(name, MISSING)
            spec = value if isinstance(value, _Spec) else _Spec(default=value)
            if isinstance(spec.default, list | dict | set):
                raise TypeError(f"{cls.__name__}.{name}: a mutable default is shared; use factory")
            specs[name] = spec
            if isinstance(value, _Spec):
                delattr(cls, name)
        cls._specs = specs

    def __init__(self, **values: Any) -> None:
        for name, spec in self._specs.items():
            if name in values:
                self.__dict__[name] = values.pop(name)
            elif spec.factory is not None:
                self.__dict__[name] = spec.factory()
            elif spec.default is MISSING:
                raise TypeError(f"{type(self).__name__}() needs '{name}'")
            else:
                self.__dict__[name] = spec.default
        if values:
            raise TypeError(f"{type(self).__name__}() has no field '{next(iter(values))}'")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._specs)
        return f"{type(self).__name__}({shown})"


R = TypeVar("R", bound=Record)


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with some fields changed."""
    return type(record)(**{**record.__dict__, **changes})


@dataclasses.dataclass(frozen=True)
class Field:
    """What a record class says of one field."""

    name: str  # the attribute
    key: str  # as written in YAML
    annotation: Any  # resolved, ``Annotated`` kept
    default: Any  # what a record without the field holds; MISSING when it is required
    description: str | None

    @property
    def required(self) -> bool:
        return self.default is MISSING


def fields(cls: type[Record]) -> tuple[Field, ...]:
    """The fields of a record class, in the order they are declared."""
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = _fields(cls)
    return known


_FIELDS: dict[type[Record], tuple[Field, ...]] = {}


def _fields(cls: type[Record]) -> tuple[Field, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    out = []
    for name, spec in cls._specs.items():
        annotation = hints[name]
        described = [a for a in typing.get_args(annotation)[1:] if isinstance(a, Describe)]
        out.append(
            Field(
                name=name,
                key=spec.key or name,
                annotation=annotation,
                default=spec.default if spec.factory is None else spec.factory(),
                description=described[0].text if described else None,
            )
        )
    return tuple(out)


def unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if is_union(annotation):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return unwrap(args[0])
    return annotation


def is_record(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Record)


def validate(cls: type[R], data: Any) -> R:
    """The record ``data`` describes; :class:`Invalid` with every problem if it does not fit."""
    problems: list[Problem] = []
    value = _convert(cls)(data, (), problems)
    if problems:
        raise Invalid(problems)
    return typing.cast(R, value)


def dump(value: Any) -> Any:
    """A record as JSON values, keyed as written in YAML: dates in ISO form, records as mappings."""
    if isinstance(value, Record):
        return {f.key: dump(getattr(value, f.name)) for f in fields(type(value))}
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- converters: one function per annotation, made once --------------------------------------

#: Turns a value into what a field holds; what it returns counts only if it added no problem.
Converter = Callable[[Any, Path, list[Problem]], Any]
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[+-]?[0-9]+")


def is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _convert(annotation: Any) -> Converter:
    """The converter for an annotation (made once)."""
    known = _CONVERTERS.get(annotation)
    if known is None:
        known = _CONVERTERS[annotation] = _make(annotation)
    return known


_CONVERTERS: dict[Any, Converter] = {}


def _make(annotation: Any) -> Converter:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extras = typing.get_args(annotation)
        for extra in extras:
            if isinstance(extra, Describe) and extra.pattern is not None:
                return _pattern(_convert(annotation), extra)
    origin = typing.get_origin(annotation)
    if is_union(annotation):
        return _union(typing.get_args(annotation))
    if origin is list:
        return _list(_convert(typing.get_args(annotation)[0]))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return _mapping(_convert(key), _convert(value))
    if origin is Literal:
        return _literal(typing.get_args(annotation))
    if is_record(annotation):
        return _record(annotation)
    simple = {str: _text, int: _whole, float: _number, dt.date: _date}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"records cannot hold {annotation!r}")


def _problem(problems: list[Problem], fault: Fault, path: Path, value: Any) -> None:
    problems.append(Problem(fault, path, value))


def _text(value: Any, path: Path, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _problem(problems, "not_text", path, value)


def _float(text: str) -> float | None:
    """A number written as text (ASCII digits only), or None."""
    try:
        return float(text) if text.isascii() else None
    except ValueError:
        return None


def _number(value: Any, path: Path, problems: list[Problem]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _float(value.strip()) if isinstance(value, str) else value
    if number is None:
        return _problem(problems, "not_number", path, value)
    if not isinstance(number, float):
        return _problem(problems, "not_number", path, value)
    if not math.isfinite(number):
        return _problem(problems, "not_finite", path, value)
    return number


def _whole(value: Any, path: Path, problems: list[Problem]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):  # exactly: no detour through a float
            try:
                return int(text)
            except ValueError:  # more digits than Python converts (4,300)
                return _problem(problems, "not_whole_number", path, value)
        number = _float(text)
        if number is None:
            return _problem(problems, "not_whole_number", path, value)
    else:
        number = value
    if not isinstance(number, float):
        return _problem(problems, "not_whole_number", path, value)
    if not math.isfinite(number):
        return _problem(problems, "not_finite", path, value)
    if not number.is_integer():
        return _problem(problems, "not_whole_number", path, value)
    return int(number)


def _date(value: Any, path: Path, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.fullmatch(text):
                value = dt.date.fromisoformat(text)
            elif _DATE.match(text) and text[10:11] in ("T", " "):  # YYYY-MM-DD, then a time
                value = dt.datetime.fromisoformat(text)
            else:
                raise ValueError(text)
        except ValueError:
            return _problem(problems, "not_date", path, value)
    if isinstance(value, dt.datetime):  # midnight is a date, in any time zone
        if value.time() != dt.time():
            return _problem(problems, "date_with_time", path, value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _problem(problems, "not_date", path, value)


def _literal(allowed: tuple[Any, ...]) -> Converter:
    shown = [repr(a) for a in allowed]
    expected = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

    def convert(value: Any, path: Path, problems: list[Problem]) -> Any:
        if value in allowed:
            return value
        problems.append(Problem("not_one_of", path, value, expected))

    return convert


def _pattern(text: Converter, describe: Describe) -> Converter:
    form = re.compile(describe.pattern or "")
    expected = describe.form or f"text of the form {describe.pattern}"

    def convert(value: Any, loc: Path, problems: list[Problem]) -> Any:
        before = len(problems)
        result = text(value, loc, problems)
        if len(problems) == before and not form.fullmatch(result):
            problems.append(Problem("not_form", loc, value, expected))
        return result

    return convert


def _patterned(annotations: list[Any]) -> bool:
    """Whether any of ``annotations`` is a text with a pattern."""
    return any(
        isinstance(extra, Describe) and extra.pattern is not None
        for a in annotations
        if typing.get_origin(a) is typing.Annotated
        for extra in typing.get_args(a)[1:]
    )


def _mapping(key: Converter, item: Converter) -> Converter:
    """A mapping of keys (text) to values of one type, such as ``dict[str, str]``."""

    def convert(value: Any, loc: Path, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            return _problem(problems, "not_mapping", loc, value)
        return {key(k, (*loc, k), problems): item(v, (*loc, k), problems) for k, v in value.items()}

    return convert


def _list(item: Converter) -> Converter:
    def convert(value: Any, path: Path, problems: list[Problem]) -> Any:
        if not isinstance(value, list):
            return _problem(problems, "not_list", path, value)
        return [item(v, (*path, i), problems) for i, v in enumerate(value)]

    return convert


def _union(members: tuple[Any, ...]) -> Converter:
    """A union takes the first member that accepts the value as it is, else the first that
    converts it. When none does, the problems reported are those of the member that comes
    closest: one that takes this shape of value (a record for a mapping) with the fewest
    problems, else the first member."""
    nullable = type(None) in members
    kinds = [m for m in members if m is not type(None)]
    # taken as they are: text and whole numbers (a float is checked for finiteness, a
    # patterned text against its pattern)
    exact = tuple(m for m in map(unwrap, kinds) if m in (str, int) and not _patterned(kinds))
    converters = [_convert(m) for m in kinds]

    def convert(value: Any, path: Path, problems: list[Problem]) -> Any:
        if value is None and nullable:
            return None
        if type(value) in exact:
            return value
        tries: list[list[Problem]] = []
        for conv in converters:
            tried: list[Problem] = []
            result = conv(value, path, tried)
            if not tried:
                return result
            tries.append(tried)
        shaped = [t for t in tries if not (len(t) == 1 and t[0].path == path)]
        best: list[Problem] = min(shaped, key=len) if shaped else tries[0]
        problems.extend(best)

    return convert


def _record(cls: type[Record]) -> Converter:
    table = [(f.key, f.name, _convert(f.annotation), cls._specs[f.name]) for f in fields(cls)]
    keys = {f.key for f in fields(cls)}
    new = object.__new__

    def convert(value: Any, path: Path, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            return _problem(problems, "not_mapping", path, value)
        before = len(problems)
        values = {}
        for key, name, conv, spec in table:
            if key in value:
                values[name] = conv(value[key], (*path, key), problems)
            elif spec.factory is not None:
                values[name] = spec.factory()
            elif spec.default is MISSING:
                _problem(problems, "missing_field", (*path, key), value)
            else:
                values[name] = spec.default
        for key in value:
            if key not in keys:
                _problem(problems, "unknown_field", (*path, key), value[key])
        if len(problems) > before:
            return None
        record = new(cls)
        record.__dict__ = values  # what __init__ would do, without its checks
        return record

    return convert
