"""The cycle collector under ``mkdocs serve`` (``plugin/collector.py``): off while a rebuild
runs, one collection after it, and left as it was found when the server stops."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest

from mission_playbook.plugin.collector import IdleCollector


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def cycle() -> None:
    """Garbage that only the cycle collector frees."""
    a: list[object] = []
    a.append(a)


def wait_for(done: object, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:  # type: ignore[operator]
        time.sleep(0.01)


def test_a_rebuild_runs_without_automatic_collections_and_one_follows_it() -> None:
    collector = IdleCollector(delay=0.05)
    collector.pause()
    assert not gc.isenabled()
    before = gc.get_stats()[2]["collections"]
    for _ in range(50_000):
        cycle()
    assert gc.get_stats()[2]["collections"] == before  # none while paused
    collector.resume_later()
    assert not gc.isenabled()  # not before the delay
    wait_for(lambda: collector.collections == 1)
    assert collector.collections == 1 and gc.isenabled()
    assert gc.get_stats()[2]["collections"] > before


def test_a_rebuild_that_begins_before_the_collection_puts_it_off() -> None:
    collector = IdleCollector(delay=0.2)
    collector.pause()
    collector.resume_later()
    collector.pause()  # the next edit, within the delay
    time.sleep(0.4)
    assert collector.collections == 0 and not gc.isenabled()
    collector.resume_later()
    wait_for(lambda: collector.collections == 1)
    assert collector.collections == 1 and gc.isenabled()


def test_stopping_collects_and_leaves_the_collector_as_it_was() -> None:
    gc.disable()  # an application that runs without it
    collector = IdleCollector(delay=60)
    collector.pause()
    collector.resume_later()
    collector.stop()
    assert not gc.isenabled()
    gc.enable()
    collector = IdleCollector(delay=60)
    collector.pause()
    collector.stop()
    assert gc.isenabled()
    collector.resume_later()  # not paused: nothing to do
    assert collector.timer is None


def test_the_plugin_leaves_the_collector_as_it_was_for_another_command() -> None:
    """MkDocs keeps a plugin with ``on_startup`` for the process: a ``build`` after
    ``serve`` runs with the collector on, whatever the last rebuild left pending."""
    from mission_playbook.plugin import PlaybookPlugin

    plugin = PlaybookPlugin()
    plugin.on_startup(command="serve", dirty=True)
    assert plugin.collector is not None
    plugin.collector.pause()  # as on_config of a rebuild
    plugin.on_build_error(error=RuntimeError("the rebuild failed"))
    assert plugin.collector.timer is not None  # a collection is pending
    plugin.on_startup(command="build", dirty=False)
    assert plugin.collector is None and gc.isenabled()
