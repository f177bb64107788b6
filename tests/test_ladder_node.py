"""``Node.record``: a node's data as its kind's record class, or a TypeError that says which
node holds what (``model/ladder.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import BASE

from mission_playbook.model import kinds
from mission_playbook.playbook import Playbook
from mission_playbook.plugin.reads import read_through, recording


def test_record_of_the_right_kind_is_the_node_data(check: Callable[..., Playbook]) -> None:
    playbook = check(BASE)
    plan = playbook.nodes["plan-a"]
    record = plan.record(kinds.Plan)
    assert record is plan.data
    assert record.function == "marketing"
    assert playbook.nodes["sf-a"].record(kinds.SuccessFactor) is playbook.nodes["sf-a"].data


def test_record_of_another_kind_raises_naming_the_node(check: Callable[..., Playbook]) -> None:
    plan = check(BASE).nodes["plan-a"]
    with pytest.raises(TypeError) as raised:
        plan.record(kinds.Sla)
    assert str(raised.value) == "the plan node 'plan-a' holds a Plan, not a Sla"


def test_record_through_a_read_node_records_the_file(check: Callable[..., Playbook]) -> None:
    """Under ``mkdocs serve`` (``plugin/reads.py``) the accessor's read is a read of the file."""
    playbook = check(BASE)
    plan = playbook.nodes["plan-a"]
    with read_through(playbook.ladder), recording() as files:
        assert plan.record(kinds.Plan) is plan.data
    assert files == {plan.doc.file}
