"""What a playbook repository of its own relies on: the generator's version in the site's
footer (with the site's own copyright and theme overrides), ``playbook render --zensical``,
and a clear message when the installed package lacks the Mermaid library."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mission_playbook import __version__, load
from mission_playbook.cli import main
from mission_playbook.plugin import with_generator
from mission_playbook.views import assets, pages

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "small"
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
    options = pages.Options(templates=root / "templates")
    count = len(pages.render_pages(load(Path("plans")), options))
    assert f"wrote {count} pages and 3 assets to docs" in capsys.readouterr().out
    for name in (assets.MERMAID_JS, *assets.STYLE_SHEETS):
        assert (root / "docs" / name).read_bytes() == (assets.ASSETS / name).read_bytes()
    page = (root / "docs" / "plans" / "mkt-abm.md").read_text(encoding="utf-8")
    # In HTML, a link to another page is its .md path from this one (Zensical resolves it).
    assert '<a href="mkt-campaigns.md">Demand campaigns</a>' in page
    assert '<a href="../mkt-campaigns/">' not in page.split("```mermaid")[0]
    # Diagrams keep browser URLs: Zensical leaves the diagram's text alone.
    assert re.search(r'click n\d+ href "\.\./mkt-campaigns/"', page)

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


# --- make dist's checks ------------------------------------------------------------------


def build_dist() -> Any:
    spec = importlib.util.spec_from_file_location("build_dist", REPO / "scripts" / "build_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_the_wheel_check_wants_the_locked_mermaid_and_no_compiled_file(tmp_path: Path) -> None:
    dist = build_dist()
    good = {f"mission_playbook/{name}": b"x" for name in dist.REQUIRED}
    good["mission_playbook/assets/js/mermaid.min.js"] = assets.site_assets()[assets.MERMAID_JS]
    dist.check_wheel(wheel(tmp_path / "good.whl", good))

    cases = {
        "stale.whl": {**good, "mission_playbook/assets/js/mermaid.min.js": b"an older build"},
        "missing.whl": {k: v for k, v in good.items() if "starter_files" not in k},
        "pycache.whl": {**good, "mission_playbook/views/templates/__pycache__/plan.pyc": b""},
    }
    messages = {}
    for name, members in cases.items():
        with pytest.raises(dist.DistError) as failed:
            dist.check_wheel(wheel(tmp_path / name, members))
        messages[name] = str(failed.value)
    assert "is not the locked version" in messages["stale.whl"]
    assert "lacks authoring/starter_files/plans/sla.yaml.j2" in messages["missing.whl"]
    assert "carries files it must not" in messages["pycache.whl"]
