"""Shared helpers for the core tests: a minimal valid playbook and a way to write and check it.

Tests copy ``BASE`` (through the ``base`` fixture), break one thing, write it with
``write_playbook`` and load it with ``check``. Both fixtures chdir into ``tmp_path`` so that the
files in findings read ``plans/intent.yaml``, as a user sees them.

Line numbers of the base files, for computing expected locations by hand::

    mission.yaml                      intent.yaml
     1 kind: mission                   1 kind: intent
     2 id: m                           2 id: intent
     3 title: Mission                  3 purpose: Why we do it.
     4 statement: Do the thing.        4 key_tasks:
     5 horizon:                        5   - id: kt-a
     6   start: 2027-01-01             6     title: Task A
     7   end: 2027-12-31               7     supports: [sf-a]
     8 success_factors:
     9   - id: sf-a
    10     title: Factor A

    functions/marketing.yaml          functions/marketing/plan-a.yaml
     1 kind: function                  1 kind: plan
     2 id: marketing                   2 id: plan-a
     3 name: Marketing                 3 title: Plan A
     4 estimates:                      4 function: marketing
     5   - id: est-a                   5 supports: [est-a]
     6     title: Estimate A           6 start: 2027-02-01
     7     supports: [kt-a]            7 end: 2027-03-31
                                       8 metrics:
                                       9   - id: met-a
                                      10     name: Metric A
                                      11     type: outcome
                                      12     drives: sf-a
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import pytest

from mission_playbook.model.config import Settings
from mission_playbook.playbook import Playbook, load

MISSION = """\
kind: mission
id: m
title: Mission
statement: Do the thing.
horizon:
  start: 2027-01-01
  end: 2027-12-31
success_factors:
  - id: sf-a
    title: Factor A
"""

INTENT = """\
kind: intent
id: intent
purpose: Why we do it.
key_tasks:
  - id: kt-a
    title: Task A
    supports: [sf-a]
"""

FUNCTION = """\
kind: function
id: marketing
name: Marketing
estimates:
  - id: est-a
    title: Estimate A
    supports: [kt-a]
"""

PLAN = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
start: 2027-02-01
end: 2027-03-31
metrics:
  - id: met-a
    name: Metric A
    type: outcome
    drives: sf-a
"""

#: The minimal valid playbook: path under ``plans/`` → YAML text.
BASE: dict[str, str] = {
    "mission.yaml": MISSION,
    "intent.yaml": INTENT,
    "functions/marketing.yaml": FUNCTION,
    "functions/marketing/plan-a.yaml": PLAN,
}

Files = Mapping[str, str | bytes | None]


def _text(content: str) -> str:
    """Dedent, and drop the one newline that follows an opening triple quote."""
    text = textwrap.dedent(content)
    return text[1:] if text.startswith("\n") else text


def write_playbook(tmp_path: Path, files: Files) -> Path:
    """Write ``files`` (path under plans/ → YAML) into ``tmp_path/plans``; return that folder.

    Text is dedented; bytes are written as they are; ``None`` removes the file.
    """
    root = tmp_path / "plans"
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(_text(content), encoding="utf-8", newline="\n")
    return root


@pytest.fixture
def base() -> dict[str, str]:
    """A fresh copy of the minimal valid playbook, to break one thing in."""
    return dict(BASE)


@pytest.fixture(name="write_playbook")
def write_playbook_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path, Files], Path]:
    """``write_playbook(tmp_path, files)``, with the working folder set to ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    return write_playbook


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Playbook]:
    """``check(files, settings=None)``: write ``files`` as the only plan files and load them."""
    monkeypatch.chdir(tmp_path)

    def run(files: Files, settings: Settings | None = None) -> Playbook:
        write_playbook(tmp_path, files)
        return load(Path("plans"), settings)

    return run


# CI runs the property tests on the same examples every time (a failure there is reproducible
# at once); local runs keep exploring new ones.
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None)
    _hypothesis_settings.load_profile("ci")


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The names of the templates Jinja compiles from now on, in order."""
    names: list[str | None] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        names.append(name)
        return compile_(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty cache folder: no test reads what another (or a user) left."""
    monkeypatch.setenv("PLAYBOOK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _no_serve_left_over() -> Iterator[None]:
    """MkDocs keeps one ``playbook`` plugin for the process (it has ``on_startup``), as for
    ``mkdocs serve``: a test that served ends that session, as the server would, so that the
    next test's builds are plain builds (``mkdocs build`` starts one with ``on_startup``)."""
    yield
    from mkdocs.config.defaults import MkDocsConfig

    cached = list(MkDocsConfig.plugins.plugin_cache.values())
    if any(getattr(plugin, "serving", False) for plugin in cached):
        for plugin in cached:  # as `mkdocs build` would start (Material's search: not dirty)
            if hasattr(plugin, "on_startup"):
                plugin.on_startup(command="build", dirty=False)
            if hasattr(plugin, "on_shutdown"):
                plugin.on_shutdown()
