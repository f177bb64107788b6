"""The home page's downloads, made by a second process while MkDocs writes the pages
(``export/downloads.py``): the same bytes as made in the building process, and made there
when the second process fails."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.test_plugin import copy_fixture

from mission_playbook import load
from mission_playbook.export import downloads
from mission_playbook.model.config import Settings, read_plans

pytestmark = pytest.mark.slow  # site builds and second processes (make test runs them)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"


def test_the_second_process_makes_the_bytes_the_building_process_would(tmp_path: Path) -> None:
    settings = Settings(plans=SAMPLE)
    worker = downloads.Worker(settings, read_plans(SAMPLE), "Octet 2027")
    made = worker.result()
    assert made is not None, worker.error
    assert made == downloads.make(load(SAMPLE, settings), "Octet 2027")
    assert not worker.folder.exists()  # its job and answer are removed
    data = json.loads(made[downloads.JSON_PATH])
    assert data["title"] and len(data["nodes"]) == len(load(SAMPLE).nodes)


def build_fixture(root: Path, site: Path) -> None:
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    build(config)


def test_a_build_writes_the_files_the_second_process_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture(tmp_path / "small")
    expected = downloads.make(load(root / "plans"), "unused")
    real_make = downloads.make

    def not_here(*args: object) -> dict[str, bytes]:
        raise AssertionError("the building process made the downloads itself")

    monkeypatch.setattr(downloads, "make", not_here)
    build_fixture(root, tmp_path / "site")
    monkeypatch.setattr(downloads, "make", real_make)
    site = tmp_path / "site"
    assert (site / downloads.JSON_PATH).read_bytes() == expected[downloads.JSON_PATH]
    book = openpyxl.load_workbook(site / downloads.XLSX_PATH)
    assert "Plans" in book.sheetnames


def test_a_failed_second_process_leaves_the_files_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture(tmp_path / "small")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    build_fixture(root, tmp_path / "site")
    monkeypatch.undo()
    expected = downloads.make(load(root / "plans"), "unused")
    assert (tmp_path / "site" / downloads.JSON_PATH).read_bytes() == expected[downloads.JSON_PATH]
    assert (tmp_path / "site" / downloads.XLSX_PATH).stat().st_size > 1000


def test_a_worker_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def no_room(*args: object, **kwargs: object) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_room)
    worker = downloads.Worker(Settings(plans=SAMPLE), read_plans(SAMPLE), "Octet 2027")
    assert worker.result() is None
    assert "No space left" in worker.error


def test_under_serve_the_last_rebuilds_downloads_are_written_after_its_pages(
    tmp_path: Path,
) -> None:
    """``mkdocs serve`` writes a rebuild's downloads once made, without holding up the pages;
    a rebuild that begins first supersedes them (its own are the ones written)."""
    from mission_playbook.plugin import PlaybookPlugin

    root = copy_fixture(tmp_path / "small")
    site = tmp_path / "served"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)
    plugin = config.plugins["playbook"]
    assert isinstance(plugin, PlaybookPlugin)
    try:
        build(config, dirty=True)
        first = plugin.writing
        plan = root / "plans" / "functions" / "marketing" / "mkt-abm.yaml"
        plan.write_text(
            plan.read_text(encoding="utf-8").replace("-based programs", "-based growth"),
            encoding="utf-8",
        )
        build(load_config(str(root / "mkdocs.yml"), site_dir=str(site)), dirty=True)
        assert plugin.writing is not first  # a thread per build
        plugin.wait_for_downloads()
        assert first is not None and not first.is_alive()
        written = json.loads((site / downloads.JSON_PATH).read_bytes())
        expected = json.loads(downloads.make(load(root / "plans"), "unused")[downloads.JSON_PATH])
        assert written["nodes"] == expected["nodes"]
        assert any("growth" in json.dumps(n) for n in written["nodes"])
    finally:  # the plugins are kept for the process: leave them as a build does
        config.plugins.on_startup(command="build", dirty=False)
        config.plugins.on_shutdown()
