"""Who owns what: owners, leaders and the commander as people (docs/model.md, "People").

An owner is written as text (``owner: Rachel Nguyen, Director of Demand Generation``), as a
person (``owner: {name: Rachel Nguyen, handle: "@rnguyen"}``) or as a person of the
playbook's ``people`` list by id (``owner: {person: rnguyen}``). :func:`resolve` turns any of
them into one :class:`Someone`; :func:`owner_of` says who answers for a node of the ladder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mission_playbook.model import kinds as model
from mission_playbook.model.ladder import Ladder, Node


@dataclass(frozen=True, slots=True)
class Someone:
    """A person as the playbook names them; ``id`` when defined in the people list."""

    name: str
    role: str | None = None
    handle: str | None = None
    email: str | None = None
    id: str | None = None

    @property
    def key(self) -> str:
        """What tells two people apart: the handle, else the id, else the name."""
        return self.handle or self.id or self.name

    def __str__(self) -> str:
        shown = self.name + (f", {self.role}" if self.role else "")
        return f"{shown} ({self.handle})" if self.handle else shown


def resolve(value: Any, ladder: Ladder) -> Someone | None:
    """The person an ``owner``, ``leader`` or ``commander`` value names; None for none, or for
    an id that names no person (PB004)."""
    if value is None or value == "":
        return None
    if isinstance(value, model.PersonRef):
        node = ladder.nodes.get(value.person)
        if node is None or node.kind != "person":
            return None
        value = node.data
    if isinstance(value, model.Person | model.Member):
        return Someone(
            str(value.name),
            value.role,
            value.handle,
            value.email,
            getattr(value, "id", None),
        )
    return Someone(" ".join(str(value).split()))


def owner_field(node: Node) -> str | None:
    """The field of a node that names its owner, if it has one."""
    return {"plan": "owner", "function": "leader", "mission": "commander"}.get(node.kind)


def owner_of(node: Node, ladder: Ladder) -> Someone | None:
    """Who answers for a node: a plan's owner (else its function's leader), a function's
    leader (and so an estimate's), the commander for the mission, its success factors, the
    intent and its key tasks; a nested node's document's owner otherwise."""
    if node.kind == "plan":
        own = resolve(node.record(model.Plan).owner, ladder)
        if own is not None:
            return own
    if node.kind in ("plan", "estimate", "function"):
        function = ladder.nodes.get(str(node.function))
        if function is not None and isinstance(function.data, model.Function):
            return resolve(function.data.leader, ladder)
        return None
    if node.kind == "stage":
        function = ladder.nodes.get(node.record(model.Stage).owner)
        if function is not None and isinstance(function.data, model.Function):
            return resolve(function.data.leader, ladder)
        return None
    if node.kind in ("mission", "success_factor", "intent", "key_task"):
        mission = next(ladder.of_kind("mission"), None)
        if mission is None:
            return None
        return resolve(mission.record(model.Mission).commander, ladder)
    if node.owner is not None:
        return owner_of(node.owner, ladder)
    return None
