"""The site's What changed page: the plan diff told part by part, in sentences, with no advice
for authors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mission_playbook import load
from mission_playbook.compare.diff import diff_playbooks
from mission_playbook.playbook import Playbook
from mission_playbook.views import changes_page, pages, sitemap

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"


@pytest.fixture(scope="module")
def sample() -> Playbook:
    playbook = load(SAMPLE)
    assert playbook.errors == 0
    return playbook


def test_what_changed_tells_a_commitment_in_words(tmp_path: Path, sample: Playbook) -> None:
    head_plans = tmp_path / "plans"
    shutil.copytree(SAMPLE, head_plans)
    sla = head_plans / "sla.yaml"
    text = sla.read_text(encoding="utf-8")
    assert "volume: 225 " in text
    sla.write_text(text.replace("volume: 225 ", "volume: 150 "), encoding="utf-8")
    head = load(head_plans)
    link = sitemap.link_from("changes.md", head)
    out = changes_page.sentences(diff_playbooks(sample, head), head, link)
    assert "Marketing qualified lead (MQL)" in out
    assert "225 a month → 150 a month; now 217 short of the 667 a quarter" in out
    assert "[Marketing](functions/marketing.md)'s commitment" in out
    assert "added party" not in out and "per:" not in out  # not a list diff
    assert "**New findings of the check:**" in out


def test_what_changed_says_when_nothing_changed(sample: Playbook) -> None:
    link = sitemap.link_from("changes.md", sample)
    out = changes_page.sentences(diff_playbooks(sample, sample), sample, link)
    assert out == "Nothing in the plan itself changed.\n"


def test_what_changed_page_gives_readers_no_configuration_advice(sample: Playbook) -> None:
    options = pages.Options(changes=("2027.1", "Nothing in the plan itself changed.\n"))
    page = pages.render_pages(sample, options)["changes.md"]
    intro = page.split("# What changed", 1)[1].split("Nothing in the plan", 1)[0]
    assert "`2027.1`" in intro
    for advice in ("plugin", "option", "`changes`", "auto"):
        assert advice not in intro
