"""The metric ladder is a tree: each metric under the metric (or success factor) it drives."""

from __future__ import annotations

from collections.abc import Callable

from mission_playbook.checks import metrics
from mission_playbook.playbook import Playbook

PLAN = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
metrics:
  - {id: m-zeta, name: Zeta wins, type: outcome, drives: sf-a}
  - {id: m-alpha, name: Alpha wins, type: outcome, drives: sf-a}
  - {id: m-zeta-leads, name: Zeta leads, type: leading, drives: m-zeta}
  - {id: m-alpha-leads, name: Alpha leads, type: leading, drives: m-alpha}
  - {id: m-alpha-calls, name: Alpha calls, type: activity, drives: m-alpha-leads}
"""


def test_each_metric_follows_the_one_it_drives(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    """Sorted by depth (as it was), Zeta's leads came after Alpha's and read as Alpha's."""
    playbook = check({**base, "functions/marketing/plan-a.yaml": PLAN})
    assert playbook.errors == 0, [str(d) for d in playbook.diagnostics]
    drivers = metrics.metric_ladder(playbook.ladder)["sf-a"]
    assert [(d.metric.id, d.depth, d.parent.id if d.parent else None) for d in drivers] == [
        ("m-alpha", 1, "sf-a"),
        ("m-alpha-leads", 2, "m-alpha"),
        ("m-alpha-calls", 3, "m-alpha-leads"),
        ("m-zeta", 1, "sf-a"),
        ("m-zeta-leads", 2, "m-zeta"),
    ]
    for d in drivers:
        assert d.parent is not None and d.metric.data.drives == d.parent.id


def test_a_metric_that_reaches_no_success_factor_is_in_no_tree(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    loose = PLAN + "  - {id: m-loose, name: Loose, type: outcome}\n"
    playbook = check({**base, "functions/marketing/plan-a.yaml": loose})
    ids = [d.metric.id for d in metrics.metric_ladder(playbook.ladder)["sf-a"]]
    assert "m-loose" not in ids and len(ids) == 5
