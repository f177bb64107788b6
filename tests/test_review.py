"""Review stamps (``playbook review``) and suspect links (PB019)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mission_playbook.authoring import rename
from mission_playbook.authoring.fmt import AuthoringError, format_text
from mission_playbook.authoring.review import review
from mission_playbook.checks.review import content, fingerprint, short_hash
from mission_playbook.cli import main
from mission_playbook.compare.diff import diff_playbooks
from mission_playbook.model.config import Settings
from mission_playbook.model.diagnostics import Severity
from mission_playbook.playbook import Playbook, load

PLANS = Path("plans")
PLAN = "plans/functions/marketing/plan-a.yaml"
FUNCTION = "plans/functions/marketing.yaml"
INTENT = "plans/intent.yaml"
DAY = dt.date(2027, 1, 15)

Check = Callable[..., Playbook]


def read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def write(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8", newline="")


def reload() -> Playbook:
    return load(PLANS, Settings(plans=PLANS, cache=False))


def suspects(pb: Playbook) -> list[tuple[str, int, int, str]]:
    return [
        (d.location.file, d.location.line, d.location.column, d.message)
        for d in pb.diagnostics
        if d.code == "PB019"
    ]


@pytest.fixture
def playbook(check: Check, base: dict[str, str]) -> Playbook:
    """The base playbook with a described estimate and a plan owned by a person."""
    base["functions/marketing.yaml"] = base["functions/marketing.yaml"] + (
        "    situation: >-\n      Two campaigns a year,\n      no nurture.\n"
        "    conclusion: Capacity for 225 MQLs a month.\n"
    )
    base["functions/marketing/plan-a.yaml"] = base["functions/marketing/plan-a.yaml"].replace(
        "function: marketing\n", 'function: marketing\nowner: {name: Rachel, handle: "@rn"}\n'
    )
    pb = check(base)
    assert pb.diagnostics == []
    return pb


def test_a_stamp_is_written_after_the_nodes_fields_and_nothing_else_changes(
    playbook: Playbook,
) -> None:
    before = read(PLAN)
    stamp = review(PLANS, Settings(), "plan-a", date=DAY)
    estimate = fingerprint(playbook.nodes["est-a"])
    assert list(estimate) == ["title", "situation", "conclusion"]
    after = read(PLAN)
    assert after.startswith(before)
    assert after[len(before) :].split("\n")[:5] == [
        "review:",
        "  date: 2027-01-15",
        '  by: "@rn"',  # the owner, by handle
        "  against:",
        "    est-a:",
    ]
    for line, (name, value) in zip(after.split("\n")[-4:-1], estimate.items(), strict=True):
        # a hash that YAML would read as a number is quoted
        assert re.fullmatch(rf'      {name}: ({value}|"{value}")', line)
    assert re.fullmatch("[0-9a-f]{7}", estimate["title"])
    assert (stamp.line, stamp.by, stamp.replaced) == (14, "@rn", False)
    pb = reload()
    assert pb.diagnostics == []
    assert pb.nodes["plan-a"].data.review.against == {"est-a": estimate}
    formatted = format_text(read(PLAN))[0]
    assert formatted is not None and formatted.endswith(after[len(before) :])  # fmt keeps it


def test_a_parent_that_changes_makes_the_node_suspect_until_it_is_reviewed_again(
    playbook: Playbook,
) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    write(FUNCTION, read(FUNCTION).replace("225 MQLs", "300 MQLs"))
    pb = reload()
    assert suspects(pb) == [
        (
            PLAN,
            14,
            1,  # the stamp's key
            "plan 'plan-a' is suspect: the 'conclusion' of estimate 'est-a' changed since its "
            "review on 2027-01-15; read it again, then run `playbook review plan-a`",
        )
    ]
    finding = next(d for d in pb.diagnostics if d.code == "PB019")
    assert finding.severity is Severity.WARNING
    assert [str(r) for r in finding.related] == [f"{FUNCTION}:5:9"]  # the estimate

    write(FUNCTION, read(FUNCTION).replace("title: Estimate A", "title: Estimate B"))
    assert "the 'title' and 'conclusion' of estimate 'est-a'" in suspects(reload())[0][3]

    lines = read(PLAN).count("\n")
    stamp = review(PLANS, Settings(), "plan-a", by="Rachel Nguyen", date=DAY + dt.timedelta(7))
    assert (stamp.replaced, stamp.line) == (True, 14)
    assert read(PLAN).count("\n") == lines  # the stamp replaced in place
    assert "  date: 2027-01-22\n  by: Rachel Nguyen\n" in read(PLAN)
    assert reload().diagnostics == []


def test_formatting_comments_quotes_and_key_order_do_not_disturb_a_stamp(
    playbook: Playbook,
) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    write(
        FUNCTION,
        "# the marketing function\n"
        "kind: function\n"
        "name: 'Marketing'   # quoted now\n"
        "id: marketing\n"
        "estimates:\n"
        "  # the one estimate\n"
        "  - supports:\n"
        "      - kt-a\n"
        '    title: "Estimate A"\n'
        "    id: est-a\n"
        "    conclusion: |-\n"
        "      Capacity for 225 MQLs a month.   \n"
        "    situation: Two campaigns a year, no nurture.\n",
    )
    assert reload().diagnostics == []
    assert main(["fmt", "--plans", "plans"]) == 0
    assert reload().diagnostics == []
    # a number written as text is the number
    assert (
        short_hash(content(reload().nodes["est-a"])["title"])
        == fingerprint(playbook.nodes["est-a"])["title"]
    )


def test_what_is_not_content_does_not_make_a_node_suspect(
    check: Check, base: dict[str, str]
) -> None:
    """Links, owners and a parent's own stamp are not its content."""
    base["intent.yaml"] = base["intent.yaml"].replace(
        "    supports: [sf-a]\n", "    priority: 1\n    supports: [sf-a]\n"
    )
    check(base)
    review(PLANS, Settings(), "est-a", by="Priya", date=DAY)
    review(PLANS, Settings(), "kt-a", by="Elena", date=DAY)  # a stamp on the parent itself
    write(
        "plans/mission.yaml",
        read("plans/mission.yaml").replace("statement:", "commander: Elena\nstatement:"),
    )
    assert reload().diagnostics == []
    write(INTENT, read(INTENT).replace("priority: 1", "priority: 2"))
    assert [m for _, _, _, m in suspects(reload())] == [
        "estimate 'est-a' is suspect: the 'priority' of key task 'kt-a' changed since its "
        "review on 2027-01-15; read it again, then run `playbook review est-a`"
    ]


def test_stamps_on_nested_nodes_sit_at_their_indentation(playbook: Playbook) -> None:
    review(PLANS, Settings(), "kt-a", by="Elena", date=DAY)
    review(PLANS, Settings(), "sf-a", by="Elena", date=DAY)
    review(PLANS, Settings(), "est-a", by="Priya", date=DAY)
    intent = read(INTENT)
    assert intent.endswith(
        "    supports: [sf-a]\n"
        "    review:\n"
        "      date: 2027-01-15\n"
        "      by: Elena\n"
        "      against:\n"
        "        sf-a:\n"
        f"          title: {fingerprint(playbook.nodes['sf-a'])['title']}\n"
    )
    mission = reload().nodes["sf-a"]
    assert list(mission.data.review.against) == ["m"]  # a success factor supports the mission
    assert "    conclusion: Capacity for 225 MQLs a month.\n    review:\n" in read(FUNCTION)
    assert reload().diagnostics == []
    write("plans/mission.yaml", read("plans/mission.yaml").replace("the thing", "the things"))
    assert [(f, m.split(":")[0]) for f, _, _, m in suspects(reload())] == [
        ("plans/mission.yaml", "success factor 'sf-a' is suspect")
    ]


def test_a_new_parent_is_one_the_review_did_not_cover(check: Check, base: dict[str, str]) -> None:
    base["functions/marketing.yaml"] += (
        "  - id: est-b\n    title: Estimate B\n    supports: [kt-a]\n"
    )
    base["functions/marketing/plan-b.yaml"] = (
        base["functions/marketing/plan-a.yaml"]
        .replace("plan-a", "plan-b")
        .replace("met-a", "met-b")
        .replace("[est-a]", "[est-b]")
    )
    check(base)
    review(PLANS, Settings(), "plan-a", by="Rachel", date=DAY)
    write(PLAN, read(PLAN).replace("supports: [est-a]", "supports: [est-a, est-b]"))
    assert [m for _, _, _, m in suspects(reload())] == [
        "plan 'plan-a' is suspect: it now supports estimate 'est-b', which its review on "
        "2027-01-15 did not cover; read it again, then run `playbook review plan-a`"
    ]
    write(PLAN, read(PLAN).replace("supports: [est-a, est-b]", "supports: [est-b]"))
    assert len(suspects(reload())) == 1  # est-a dropped: not suspect; est-b still not covered
    write(PLAN, read(PLAN).replace("supports: [est-b]", "supports: [est-a]"))
    assert suspects(reload()) == []


def test_rename_rewrites_the_ids_in_stamps(playbook: Playbook) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    plan = rename.plan_rename(PLANS, Settings(), "est-a", "est-demand")
    assert {c.file.name: c.count for c in plan.changes} == {FUNCTION: 1, PLAN: 2}
    rename.apply(plan, PLANS)
    assert "  against:\n    est-demand:\n" in read(PLAN)
    assert reload().diagnostics == []


def test_fmt_puts_a_stamp_after_the_nodes_fields(playbook: Playbook) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    text = read(PLAN)
    stamp = text[text.index("review:") :]
    moved = "kind: plan\n" + stamp + text[len("kind: plan\n") : text.index("review:")]
    result, problems = format_text(moved)
    assert problems == []
    assert result == format_text(text)[0]
    assert result is not None and result.endswith(stamp)


def test_a_stamp_keeps_the_files_line_ends_and_byte_order_mark(playbook: Playbook) -> None:
    raw = b"\xef\xbb\xbf" + read(PLAN).replace("\n", "\r\n").encode()
    Path(PLAN).write_bytes(raw)
    review(PLANS, Settings(), "plan-a", date=DAY)
    after = Path(PLAN).read_bytes()
    assert (
        after.startswith(raw)
        and after.endswith(b"\r\n")
        and b"\n" not in after.replace(b"\r\n", b"")
    )


@pytest.mark.parametrize(
    ("node_id", "by", "message"),
    [
        ("plan-z", None, "no node has the id 'plan-z'; did you mean 'plan-a'?"),
        ("met-a", None, "'met-a' is a metric: only what supports something is reviewed"),
        ("marketing", None, "'marketing' is a function: only what supports something"),
        ("est-a", " ", "estimate 'est-a' names no owner: say who reviews, --by NAME"),
    ],
)
def test_what_cannot_be_reviewed_is_refused_with_nothing_written(
    playbook: Playbook, node_id: str, by: str | None, message: str
) -> None:
    before = {p: p.read_bytes() for p in PLANS.rglob("*.yaml")}
    with pytest.raises(AuthoringError) as refused:
        review(PLANS, Settings(), node_id, by=by, date=DAY)
    assert str(refused.value).startswith(message)
    assert {p: p.read_bytes() for p in PLANS.rglob("*.yaml")} == before


def test_a_node_in_flow_style_is_refused(check: Check, base: dict[str, str]) -> None:
    base["intent.yaml"] = (
        "kind: intent\nid: intent\npurpose: Why.\n"
        "key_tasks: [{id: kt-a, title: Task A, supports: [sf-a]}]\n"
    )
    check(base)
    with pytest.raises(AuthoringError, match=r"flow style .*`playbook fmt`"):
        review(PLANS, Settings(), "kt-a", by="Elena", date=DAY)


def test_a_node_that_supports_nothing_is_refused(check: Check, base: dict[str, str]) -> None:
    base["functions/marketing/plan-a.yaml"] = base["functions/marketing/plan-a.yaml"].replace(
        "supports: [est-a]\n", ""
    )
    check(base)
    with pytest.raises(AuthoringError, match="supports nothing yet"):
        review(PLANS, Settings(), "plan-a", by="R", date=DAY)


def test_the_command(playbook: Playbook, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "plan-a", "--plans", "plans", "--date", "2027-01-15"]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"stamped plan 'plan-a' in {PLAN} at line 14: reviewed on 2027-01-15 by @rn "
        "against 'est-a'\n"
    )
    assert main(["review", "est-z", "--plans", "plans"]) == 1
    assert capsys.readouterr().err == (
        "playbook: no node has the id 'est-z'; did you mean 'est-a'?; nothing written\n"
    )
    with pytest.raises(SystemExit) as usage:
        main(["review", "plan-a", "--plans", "plans", "--date", "15/01/2027"])
    assert usage.value.code == 2
    assert "'15/01/2027' is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_pb019_severity_is_configurable(playbook: Playbook) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    write(FUNCTION, read(FUNCTION).replace("225 MQLs", "300 MQLs"))
    pb = load(PLANS, Settings(plans=PLANS, cache=False, severity={"PB019": Severity.ERROR}))
    assert [(d.code, d.severity) for d in pb.diagnostics] == [("PB019", Severity.ERROR)]


def test_the_plan_diff_shows_a_stamp_by_its_date_and_reviewer(
    playbook: Playbook, tmp_path: Path
) -> None:
    review(PLANS, Settings(), "plan-a", date=DAY)
    shutil.copytree(PLANS, tmp_path / "before")
    write(FUNCTION, read(FUNCTION).replace("225 MQLs", "300 MQLs"))
    review(PLANS, Settings(), "plan-a", by="Rachel", date=DAY + dt.timedelta(1))
    diff = diff_playbooks(load(tmp_path / "before"), reload())
    changes = {c.node.id: [(f.field, f.old, f.new) for f in c.fields] for c in diff.changed}
    assert changes["plan-a"] == [
        ("review.by", "@rn", "Rachel"),
        ("review.date", "2027-01-15", "2027-01-16"),
    ]  # not the hashes: the estimate's own change is listed on its own
    assert [f.field for f in next(c for c in diff.changed if c.node.id == "est-a").fields] == [
        "conclusion"
    ]
