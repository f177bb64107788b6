"""Actual results on the site (issue 18, "The site"): the status section of node pages, the
charts over time, the scorecard, the home headline, the waterfall's plan against actual, the
marks of the synchronization matrix, and a site without check-ins exactly as before.

Rendered in process from the sample playbook (``plans/``, three monthly check-ins of 2027 Q1
with a lapse MQL → SAL) and from a copy of it without its check-ins."""

from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from mission_playbook import load
from mission_playbook.checks.status import Counts, Status
from mission_playbook.playbook import Playbook
from mission_playbook.views import charts, pages, results

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"
XYCHART = re.compile(r"^xychart$", re.M)


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(SAMPLE)


@pytest.fixture(scope="module")
def rendered(sample: Playbook) -> dict[str, str]:
    return pages.render_pages(sample)


@pytest.fixture(scope="module")
def bare_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample playbook without its check-ins."""
    root = tmp_path_factory.mktemp("bare") / "plans"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("actuals", "__pycache__"))
    return root


# --- without check-ins: the site as before -------------------------------------------------


def test_without_checkins_no_page_shows_results(bare_root: Path, rendered: dict[str, str]) -> None:
    bare = load(bare_root)
    assert bare.as_of is None
    plain = pages.render_pages(bare)
    assert set(rendered) - set(plain) == {"scorecard.md"}  # the only page added
    for path, text in plain.items():
        for trace in ("playbook-status", "## Status", "As of", "Plan against actual", "xychart"):
            assert trace not in text, f"{path} shows {trace!r} without check-ins"


def test_node_pages_without_checkins_are_unchanged_by_the_status_block(
    bare_root: Path, sample: Playbook, rendered: dict[str, str]
) -> None:
    """The status section is added, nothing else of a node page changes."""
    plain = pages.render_pages(load(bare_root))
    page = "plans/se-l2r-definitions.md"
    with_status = rendered[page]
    start = with_status.index("## Status")
    end = with_status.index("<!-- /playbook:html -->", start) + len("<!-- /playbook:html -->")
    without = with_status[:start] + with_status[end:]
    assert re.sub(r"\n{2,}", "\n", without) == re.sub(r"\n{2,}", "\n", plain[page])


# --- node pages ----------------------------------------------------------------------------


def test_a_plan_page_shows_each_metric_against_its_path(
    sample: Playbook, rendered: dict[str, str]
) -> None:
    text = rendered["plans/se-l2r-definitions.md"]
    status = sample.status("se-l2r-definitions")
    assert status is not None and status.status is Status.OFF_TRACK
    section = text[text.index("## Status") :]
    assert "As of 2027-03-31" in section
    assert '<span class="playbook-status playbook-status--off-track">off track</span>' in section
    metric = sample.status("se-l2r-definitions-first-accept")
    assert metric is not None and metric.latest is not None
    # actual, expected to date, target, the period, the owner's own call and note
    row = re.search(
        r"<tr><td>[^<]*</td><td[^>]*><span[^>]*>off track</span></td>(.*?)</tr>", section
    )
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[0].startswith(results.figure(metric.actual))
    assert cells[1] == results.figure(metric.expected)
    assert cells[2].startswith(results.figure(metric.target))
    assert cells[3] == "2027-03" and cells[4] == "off track"
    assert "A third of MQLs are accepted at first review" in section
    assert len(XYCHART.findall(section)) >= 1  # three months of history


def test_a_success_factor_page_charts_its_actuals_against_the_path(
    sample: Playbook, rendered: dict[str, str]
) -> None:
    text = rendered["factors/sf-design-wins.md"]
    status = sample.status("sf-design-wins")
    assert status is not None and len(status.points) == 3
    assert f">{status.status.value}</span>" in text
    chart = text[text.index("xychart") :]
    assert 'x-axis ["2027-01-31", "2027-02-28", "2027-03-31"]' in chart
    assert 'bar "Actual" [15, 30, 44]' in chart
    expected = ", ".join(charts.figure(p.expected) for p in status.points)
    assert f'line "Expected" [{expected}]' in chart
    assert "Bars: each actual reported. Line: what the path" in chart  # not by colour alone


def test_counted_pages_list_their_troubled_plans(
    sample: Playbook, rendered: dict[str, str]
) -> None:
    fn = sample.status("marketing")
    assert fn is not None and fn.plans.total > 0
    text = rendered["functions/marketing.md"]
    assert f"{fn.plans.total} plans beneath it: {results.counted(fn.plans)}." in text
    if fn.plans.off_track:
        assert "playbook-status--off-track" in text


def test_a_note_is_text_never_markup(tmp_path: Path) -> None:
    root = tmp_path / "plans"
    shutil.copytree(SAMPLE, root)
    march = root / "actuals" / "2027-03-31.yaml"
    text = march.read_text(encoding="utf-8")
    text = text.replace(
        "      A third of MQLs are accepted at first review",
        "      <script>alert(1)</script> ``` ]] A third of MQLs are accepted at first review",
    )
    march.write_text(text, encoding="utf-8")
    page = pages.render_pages(load(root))["plans/se-l2r-definitions.md"]
    assert "<script>alert(1)</script>" not in page
    assert "script&gt;alert(1)&lt;" in page  # shown as written, escaped


# --- the views -----------------------------------------------------------------------------


def test_the_scorecard_puts_off_track_first(sample: Playbook, rendered: dict[str, str]) -> None:
    text = rendered["scorecard.md"]
    factors = text[text.index("## Success factors") : text.index("## Functions")]
    words = re.findall(r"<tr><td><span[^>]*>([a-z ]+)</span></td>", factors)
    assert len(words) == 5
    rank = [results.WORST_FIRST[Status(w)] for w in words]
    assert rank == sorted(rank)
    on_track, total = results.headline(sample.statuses, sample.ladder)
    assert f"As of 2027-03-31: {on_track} of {total} success factors on track." in text


def test_home_leads_with_the_headline(sample: Playbook, rendered: dict[str, str]) -> None:
    on_track, total = results.headline(sample.statuses, sample.ladder)
    assert total == 5
    body = rendered["index.md"].split("---\n", 2)[2].lstrip()
    assert body.startswith("# ")
    first = body.split("\n", 2)[2].lstrip().removeprefix("<!-- playbook:html -->\n")
    assert first.startswith(
        f'<p class="playbook-headline"><strong>As of 2027-03-31: {on_track} of 5 success '
        "factors on track.</strong>"
    )
    link = re.search(r'<a href="([^"]*)">See the scorecard</a>', first)
    assert link is not None and link.group(1) in ("scorecard/", "scorecard.html")  # a URL


def test_the_waterfall_shows_plan_against_actual(
    sample: Playbook, rendered: dict[str, str]
) -> None:
    text = rendered["waterfall.md"]
    section = text[text.index("## Plan against actual") : text.index("## Definitions")]
    funnel = sample.funnels[0]
    latest = funnel.periods[-1]
    assert latest.lapse is not None
    a, b = latest.lapse.stage, latest.lapse.next
    assert a.stage.id == "mql" and b.stage.id == "sal"
    lapse = re.search(r"<strong>The lapse:</strong>(.*?)</p>", section)
    assert lapse is not None
    assert f"{results.percent(a.actual_conversion)} moved on against " in lapse.group(1)
    assert f"{results.percent(a.planned_conversion)} planned" in lapse.group(1)
    owners = re.findall(r'\(<a href="[^"]*functions/([a-z-]+)[^"]*">', lapse.group(1))
    assert owners == [a.owner, b.owner] == ["marketing", "sales"]  # both ends, linked
    for stage in latest.stages:
        if stage.reforecast is not None:
            assert f">{results.needed(stage.reforecast)}</td>" in section
        for c in stage.commitments:
            assert f"{results.figure(c.delivered)} of {results.needed(c.committed)}" in section
    # every period reported, latest first
    shown = [h.strip() for h in re.findall(r'<h3 id="actual-[^"]*">([^<]*)', section)]
    assert shown == [str(p.period) for p in reversed(funnel.periods)][: len(shown)]
    assert shown[0] == str(latest.period)


def test_the_synchronization_matrix_marks_plans_by_status(
    sample: Playbook, rendered: dict[str, str]
) -> None:
    text = rendered["schedule.md"]
    assert "with its status as of 2027-03-31" in text
    status = sample.status("se-l2r-definitions")
    assert status is not None
    label = re.search(r"Shared lead definitions and.*?<small>", text)
    assert label is not None and f">{status.status.value}</span>" in label.group(0)


# --- formatting and charts -----------------------------------------------------------------


def test_figures_as_people_read_them() -> None:
    assert results.figure(Fraction(1234)) == "1,234"
    assert results.figure(Fraction(89, 2)) == "44.5"
    assert results.figure(Fraction(1, 3)) == "0.33"
    assert results.figure(None) == ""
    assert results.percent(Fraction(1, 4)) == "25%"
    assert results.percent(Fraction(7, 19)) == "36.8%"
    assert results.percent(None) == ""
    assert results.needed(Fraction(12332, 10)) == "1,234"
    assert results.needed(Fraction(5)) == "5"
    assert results.counted(Counts(on_track=2, off_track=1)) == "2 on track, 1 off track"
    assert results.counted(Counts()) == "none"


def test_a_chart_needs_history(sample: Playbook) -> None:
    status = sample.status("sf-design-wins")
    assert status is not None
    assert charts.trend(status.points[:1]) == ""
    assert results.chart(None) == ""
    two = charts.trend(status.points[:2], "design wins")
    assert XYCHART.search(two) and 'y-axis "design wins" 0 -->' in two


def test_chart_text_from_a_plan_cannot_break_out() -> None:
    hostile = 'wins"] \n bar "x" [1] %%{init: {}}%% <b>'
    text = charts.axis_text(hostile)
    assert not set(text) & set('"[]\n{}<>:')
    assert len(charts.axis_text("x" * 100)) == 40
