"""Owners as people: text, a person written in place, or a person of the ``people`` list by id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mission_playbook.authoring import rename
from mission_playbook.authoring.fmt import format_text
from mission_playbook.model.config import Settings
from mission_playbook.model.people import Someone, owner_of, resolve
from mission_playbook.playbook import Playbook
from mission_playbook.views import pages

PLAN = "plans/functions/marketing/plan-a.yaml"

PEOPLE = """\
kind: people
id: people
people:
  - id: rnguyen
    name: Rachel Nguyen
    role: Director of Demand Generation
    handle: "@rnguyen"
    email: rachel@example.com
  - id: praman
    name: Priya Raman
    handle: "@octet/marketing-leads"
"""

Check = Callable[..., Playbook]


def with_owner(base: dict[str, str], owner: str) -> dict[str, str]:
    plan = base["functions/marketing/plan-a.yaml"].replace(
        "function: marketing\n", f"function: marketing\nowner: {owner}\n"
    )
    return {**base, "functions/marketing/plan-a.yaml": plan, "people.yaml": PEOPLE}


def found(pb: Playbook) -> list[tuple[str, str, int, int, str]]:
    return [
        (d.code, d.location.file, d.location.line, d.location.column, d.message)
        for d in pb.diagnostics
    ]


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("Rachel Nguyen, Director", Someone("Rachel Nguyen, Director")),
        (
            '{name: Rachel Nguyen, handle: "@rnguyen", email: r@example.com}',
            Someone("Rachel Nguyen", None, "@rnguyen", "r@example.com"),
        ),
        (
            "{person: rnguyen}",
            Someone(
                "Rachel Nguyen",
                "Director of Demand Generation",
                "@rnguyen",
                "rachel@example.com",
                "rnguyen",
            ),
        ),
    ],
)
def test_an_owner_is_text_a_person_or_a_person_by_id(
    check: Check, base: dict[str, str], owner: str, expected: Someone
) -> None:
    pb = check(with_owner(base, owner))
    assert found(pb) == []
    plan = pb.nodes["plan-a"]
    assert resolve(plan.data.owner, pb.ladder) == expected
    assert owner_of(plan, pb.ladder) == expected


def test_who_answers_for_each_rung(check: Check, base: dict[str, str]) -> None:
    files = with_owner(base, "{person: rnguyen}")
    files["mission.yaml"] = base["mission.yaml"].replace(
        "statement:", "commander: {name: Elena Marquez, handle: '@emarquez'}\nstatement:"
    )
    files["functions/marketing.yaml"] = base["functions/marketing.yaml"].replace(
        "name: Marketing\n", "name: Marketing\nleader: {person: praman}\n"
    )
    pb = check(files)
    assert found(pb) == []
    handles = {
        node_id: getattr(owner_of(pb.nodes[node_id], pb.ladder), "handle", None)
        for node_id in ("m", "sf-a", "intent", "kt-a", "marketing", "est-a", "plan-a", "met-a")
    }
    assert handles == {
        "m": "@emarquez",
        "sf-a": "@emarquez",
        "intent": "@emarquez",
        "kt-a": "@emarquez",
        "marketing": "@octet/marketing-leads",
        "est-a": "@octet/marketing-leads",
        "plan-a": "@rnguyen",
        "met-a": "@rnguyen",  # a metric answers to its plan's owner
    }
    # a plan without an owner answers to its function's leader
    files["functions/marketing/plan-a.yaml"] = base["functions/marketing/plan-a.yaml"]
    pb = check(files)
    assert owner_of(pb.nodes["plan-a"], pb.ladder) == resolve(
        pb.nodes["marketing"].data.leader, pb.ladder
    )


def test_an_unknown_person_is_pb004_with_a_suggestion(check: Check, base: dict[str, str]) -> None:
    pb = check(with_owner(base, "{person: rnguyn}"))
    assert found(pb) == [
        (
            "PB004",
            PLAN,
            5,
            17,
            "plan 'plan-a' names 'rnguyn' in 'owner', but no person has that id; "
            "did you mean 'rnguyen'?",
        )
    ]


def test_a_person_id_naming_another_kind_is_pb005(check: Check, base: dict[str, str]) -> None:
    pb = check(with_owner(base, "{person: est-a}"))
    assert [(d.code, d.location.line) for d in pb.diagnostics] == [("PB005", 5)]
    assert "which must name a person" in pb.diagnostics[0].message


@pytest.mark.parametrize(
    ("person", "line", "column", "message"),
    [
        (
            '{name: R, handle: "rnguyen"}',
            5,
            26,
            "'owner.handle' of plan 'plan-a' must be '@' and an account name such as "
            "'@rnguyen' (or a team, '@org/team'), in quotes, not 'rnguyen'",
        ),
        (
            '{name: R, handle: "@rn guyen"}',
            5,
            26,
            "'owner.handle' of plan 'plan-a' must be '@' and an account name such as "
            "'@rnguyen' (or a team, '@org/team'), in quotes, not '@rn guyen'",
        ),
        (
            "{name: R, email: rachel.example.com}",
            5,
            25,
            "'owner.email' of plan 'plan-a' must be an e-mail address (name@example.com), "
            "not 'rachel.example.com'",
        ),
        (
            '{nmae: R, handle: "@r"}',
            5,
            9,
            "unknown field 'nmae' in plan 'plan-a'; did you mean 'name'?",
        ),
    ],
)
def test_a_malformed_person_is_pb002_where_it_is_written(
    check: Check, base: dict[str, str], person: str, line: int, column: int, message: str
) -> None:
    pb = check(with_owner(base, person))
    assert (PLAN, line, column, message) in [
        (d.location.file, d.location.line, d.location.column, d.message)
        for d in pb.diagnostics
        if d.code == "PB002"
    ]
    assert {d.code for d in pb.diagnostics} == {"PB002"}


def test_the_people_list_is_checked_like_any_node(check: Check, base: dict[str, str]) -> None:
    people = PEOPLE.replace("id: praman", "id: marketing").replace('"@rnguyen"', "'@r@n'")
    pb = check({**base, "people.yaml": people})
    codes = [(d.code, d.location.file, d.location.line) for d in pb.diagnostics]
    assert ("PB002", "plans/people.yaml", 7) in codes  # the handle
    assert ("PB003", "plans/people.yaml", 9) in codes  # 'marketing' is the function's id too


def test_pages_show_the_person_and_their_handle(check: Check, base: dict[str, str]) -> None:
    files = with_owner(base, "{person: rnguyen}")
    files["functions/marketing.yaml"] = base["functions/marketing.yaml"].replace(
        "name: Marketing\n", 'name: Marketing\nleader: {name: "Priya <b>Raman</b>"}\n'
    )
    rendered = pages.render_pages(check(files))
    plan = rendered["plans/plan-a.md"]
    assert (
        "<li><strong>Owner:</strong> Rachel Nguyen, Director of Demand Generation "
        "<code>@rnguyen</code></li>"
    ) in plan
    function = rendered["functions/marketing.md"]
    assert "**Leader:** Priya <\u2060b>Raman<\u2060/b>" in function  # plan text, escaped
    assert "<code>@rnguyen</code></td>" in function  # the plans table


def test_rename_changes_a_person_id_and_every_reference(check: Check, base: dict[str, str]) -> None:
    check(with_owner(base, "{person: rnguyen}"))
    plan = rename.plan_rename(Path("plans"), Settings(), "rnguyen", "rachel")
    assert sorted((c.file.name, c.count) for c in plan.changes) == [
        (PLAN, 1),
        ("plans/people.yaml", 1),
    ]
    rename.apply(plan, Path("plans"))
    assert "owner: {person: rachel}" in Path(PLAN).read_text(encoding="utf-8")


def test_fmt_orders_a_persons_fields_and_keeps_a_reference() -> None:
    text = "kind: people\nid: people\npeople:\n  - email: r@example.com\n    name: R\n    id: r\n"
    result, problems = format_text(text)
    assert problems == []
    assert result == (
        "kind: people\nid: people\npeople:\n  - id: r\n    name: R\n    email: r@example.com\n"
    )
