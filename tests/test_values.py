"""model/values.py: the small classes of a check's warm path behave as dataclasses would."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from mission_playbook.model.config import Settings
from mission_playbook.model.diagnostics import Diagnostic, Location, Severity


def test_a_value_is_equal_hashed_ordered_and_unchangeable():
    a, b = Location("x.yaml", 3, 1), Location("x.yaml", 3, 1)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Location("x.yaml", 3, 2) and a != ("x.yaml", 3, 1)
    assert sorted([Location("b", 1), Location("a", 9), Location("a", 2, 5)]) == [
        Location("a", 2, 5),
        Location("a", 9),
        Location("b", 1),
    ]
    with pytest.raises(AttributeError):
        a.line = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.line  # type: ignore[misc]
    assert a <= b and a >= b and Location("a") < Location("b") < Location("c")
    assert (a == "x.yaml") is False
    with pytest.raises(TypeError):
        _ = a < "x.yaml"  # type: ignore[operator]
    assert repr(a) == "Location(file='x.yaml', line=3, column=1)"
    assert Location("x.yaml") == Location("x.yaml", 0, 0)


def test_a_value_pickles_copies_and_replaces():
    d = Diagnostic("PB004", "unknown id", Location("p.yaml", 2, 3), Severity.ERROR)
    assert pickle.loads(pickle.dumps(d)) == d and copy.deepcopy(d) == d
    moved = d.replace(location=Location("q.yaml", 2, 3))
    assert moved.location.file == "q.yaml" and d.location.file == "p.yaml"
    assert moved.related == () and moved.severity is Severity.ERROR


def test_fields_are_mutable_compared_by_value_and_not_hashable():
    s = Settings(plans=Path("plans"), cache=False)
    assert s == Settings(plans=Path("plans"), cache=False) != Settings()
    assert Settings().severity is not Settings().severity  # a fresh dict each
    s.templates = Path("t")
    assert s.replace(cache=True) == Settings(plans=Path("plans"), templates=Path("t"))
    assert "cache=False" in repr(s) and "templates=PosixPath('t')" in repr(s)
    with pytest.raises(TypeError):
        hash(s)
