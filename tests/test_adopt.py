"""What a playbook repository of its own relies on: the generator's version in the site's
footer (with the site's own copyright and theme overrides), ``playbook render --zensical``,
and a clear message when the installed package lacks the Mermaid library."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mission_playbook import __version__, load
from mission_playbook.cli import main
from mission_playbook.plugin import with_generator
from mission_playbook.views import assets, pages

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "small"
FOOTER = f"Made with Mission Playbook {__version__}"


def copy_fixture(dst: Path) -> Path:
    shutil.copytree(FIXTURE, dst, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return dst


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def copyright_html(root: Path) -> str:
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<div class="md-copyright__highlight">(.*?)</div>', html, re.S)
    assert found, "no copyright in the footer"
    return " ".join(found.group(1).split())


# --- the footer ----------------------------------------------------------------------------


def test_with_generator_follows_the_sites_copyright() -> None:
    line = f'<span class="playbook-generator">{FOOTER}</span>'
    assert with_generator(None) == line
    assert with_generator("© 2027 Acme") == f"© 2027 Acme<br>{line}"
    assert with_generator(with_generator("© Acme")) == with_generator("© Acme")  # serve's rebuilds


def test_the_footer_survives_a_theme_override_and_keeps_the_copyright(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "site")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n", 1)
    config.write_text(text + "copyright: © 2027 Widget Co\n", encoding="utf-8")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}Draft for review{% endblock %}\n',
        encoding="utf-8",
    )
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert copyright_html(root) == (
        f'© 2027 Widget Co<br><span class="playbook-generator">{FOOTER}</span>'
    )
    html = (root / "site" / "plans" / "mkt-abm" / "index.html").read_text(encoding="utf-8")
    assert "Draft for review" in html and FOOTER in html


def test_the_footer_can_be_left_out(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "site")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      severity: {}\n", "      generator: false\n"), "utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "playbook-generator" not in (root / "site" / "index.html").read_text(encoding="utf-8")


# --- playbook render --zensical ------------------------------------------------------------


def test_render_for_zensical_writes_the_assets_and_md_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fixture(tmp_path / "small")
    monkeypatch.chdir(root)
    assert main(["render", "--out", "docs", "--zensical"]) == 0
    count = len(pages.render(load(Path("plans")), pages.Options(templates=root / "templates")))
    assert f"wrote {count} pages and 2 assets to docs" in capsys.readouterr().out
    for name in (assets.MERMAID_JS, assets.PLAYBOOK_CSS):
        assert (root / "docs" / name).read_bytes() == (assets.ASSETS / name).read_bytes()
    page = (root / "docs" / "plans" / "mkt-abm.md").read_text(encoding="utf-8")
    # In HTML, a link to another page is its .md path from this one (Zensical resolves it).
    assert '<a href="mkt-campaigns.md">Demand campaigns</a>' in page
    assert '<a href="../mkt-campaigns/">' not in page.split("```mermaid")[0]
    # Diagrams keep browser URLs: Zensical leaves the diagram's text alone.
    assert 'click n2 href "../mkt-campaigns/"' in page

    assert main(["render", "--out", "plain"]) == 0
    plain = (root / "plain" / "plans" / "mkt-abm.md").read_text(encoding="utf-8")
    assert '<a href="../mkt-campaigns/">Demand campaigns</a>' in plain
    assert not (root / "plain" / "js").exists()


def test_a_missing_mermaid_library_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fixture(tmp_path / "small")
    monkeypatch.chdir(root)
    empty = tmp_path / "assets"
    (empty / "css").mkdir(parents=True)
    monkeypatch.setattr(assets, "ASSETS", empty)
    assert main(["render", "--out", "docs", "--zensical"]) == 1
    err = capsys.readouterr().err
    assert "the Mermaid library is missing from the installed mission-playbook" in err
    assert "pip install mission-playbook" in err and "make mermaid" in err
    assert not (root / "docs").exists()
