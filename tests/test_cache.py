"""The caches: a warm check repeats its output without loading the model, and a change to
any input (a file, the settings, the options, the code) is checked again.

Every test runs with its own empty cache folder (``PLAYBOOK_CACHE_DIR``, see conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import generator
from generator import cache as cache_mod
from generator import playbook as playbook_mod
from generator.cli import main
from generator.config import Settings, read_plans
from generator.playbook import load

REPO = Path(__file__).resolve().parents[1]

#: Runs the command in a fresh interpreter, then says whether the model was imported.
PROBE = (
    "import sys\n"
    "from generator.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('MODEL LOADED' if 'generator.model' in sys.modules else 'MODEL NOT LOADED')\n"
    "raise SystemExit(code)\n"
)


def probe(cwd: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout


def cache_files() -> list[Path]:
    return sorted(Path(os.environ["PLAYBOOK_CACHE_DIR"]).glob("*"))


def test_a_warm_check_prints_the_same_without_loading_the_model(write_playbook, tmp_path, base):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    cold_code, cold_out = probe(tmp_path)
    warm_code, warm_out = probe(tmp_path)
    assert cold_out.endswith("MODEL LOADED\n")
    assert warm_out.endswith("MODEL NOT LOADED\n")
    assert cold_code == warm_code == 1
    assert "PB013" in cold_out
    assert warm_out.replace("MODEL NOT LOADED", "MODEL LOADED") == cold_out


def test_a_changed_file_is_checked_again(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, base)
    assert main(["check"]) == 0
    write_playbook(tmp_path, {"functions/marketing/plan-a.yaml": base["mission.yaml"]})
    assert main(["check"]) == 1
    assert "PB002" in capsys.readouterr().out
    write_playbook(tmp_path, base)
    assert main(["check"]) == 0


def test_an_added_or_removed_file_is_checked_again(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, base)
    assert main(["check"]) == 0
    write_playbook(tmp_path, {"functions/marketing/plan-b.yaml": "kind: plan\nid: plan-b\n"})
    assert main(["check"]) == 1
    write_playbook(tmp_path, {"functions/marketing/plan-b.yaml": None})
    assert main(["check"]) == 0
    assert "plan-b" not in capsys.readouterr().out.split("\n\n")[-1]


def test_options_and_settings_are_part_of_the_key(write_playbook, tmp_path, base, capsys):
    plan = base["functions/marketing/plan-a.yaml"].replace("2027-02-01", "2026-12-01")
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": plan})  # PB009
    assert main(["check"]) == 0
    assert main(["check", "--strict"]) == 1
    assert main(["check", "--format", "json"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("]")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - playbook:\n      severity: {PB009: error}\n", encoding="utf-8"
    )
    assert main(["check"]) == 1


def test_the_working_folder_is_part_of_the_key(write_playbook, tmp_path, base, monkeypatch):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    first = probe(tmp_path)[1]
    second = probe(tmp_path / "plans", "--plans", ".")[1]
    assert "plans/functions/marketing/plan-a.yaml" in first
    assert "\nfunctions/marketing/plan-a.yaml" in "\n" + second
    assert "MODEL LOADED" in second.splitlines()[-1] and "NOT" not in second.splitlines()[-1]


def test_the_product_code_is_part_of_the_key(write_playbook, tmp_path, base, monkeypatch):
    write_playbook(tmp_path, base)
    store = cache_mod.CheckCache(Path("plans"))
    sources = read_plans(Path("plans"))
    before = store.key(sources, "text")
    monkeypatch.setattr(generator, "__version__", "999.0")
    assert store.key(sources, "text") != before


def test_the_installed_libraries_are_part_of_the_key(write_playbook, tmp_path, base, monkeypatch):
    write_playbook(tmp_path, base)
    assert "pydantic=" in cache_mod._libraries() and "ruamel.yaml=" in cache_mod._libraries()
    store = cache_mod.CheckCache(Path("plans"))
    sources = read_plans(Path("plans"))
    before = store.key(sources, "text")
    monkeypatch.setattr(cache_mod, "_libraries", lambda: "pydantic=/elsewhere:1:2")
    assert store.key(sources, "text") != before


def test_a_damaged_or_deleted_cache_is_a_miss(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    assert main(["check"]) == 1
    expected = capsys.readouterr().out
    files = cache_files()
    assert {p.suffix for p in files} == {".json", ".pickle"}
    for path in files:
        path.write_bytes(b"\x80not a cache")
    assert main(["check"]) == 1
    assert capsys.readouterr().out == expected
    for path in cache_files():
        path.unlink()
    assert main(["check"]) == 1
    assert capsys.readouterr().out == expected


def test_a_cache_entry_of_the_wrong_shape_is_a_miss(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, base)
    assert main(["check"]) == 0
    (json_file,) = (p for p in cache_files() if p.suffix == ".json")
    json_file.write_text('{"' + "0" * 40 + '": [1, "x"]}', encoding="utf-8")
    assert cache_mod.CheckCache(Path("plans")).get("0" * 40) is None


def test_the_check_cache_keeps_only_the_newest_entries(write_playbook, tmp_path, base):
    write_playbook(tmp_path, base)
    store = cache_mod.CheckCache(Path("plans"))
    for i in range(store.KEEP + 3):
        store.put(f"k{i}", f"out {i}", 0)
    assert store.get("k0") is None
    assert store.get(f"k{store.KEEP + 2}") == (f"out {store.KEEP + 2}", 0)
    assert store.get("k3") == ("out 3", 0)


def test_cache_off_in_the_settings_writes_nothing(write_playbook, tmp_path, base):
    write_playbook(tmp_path, base)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - playbook:\n      cache: false\n", encoding="utf-8"
    )
    assert main(["check"]) == 0
    assert cache_files() == []


def test_editing_one_file_parses_that_file_only(write_playbook, tmp_path, base, monkeypatch):
    """What ``mkdocs serve`` relies on: a rebuild after one edit re-parses one file."""
    write_playbook(tmp_path, base)
    parsed: list[str] = []
    real = playbook_mod.parse_bytes

    def counting(raw: bytes, file: str, *args: object, **kwargs: object) -> object:
        parsed.append(file)
        return real(raw, file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(playbook_mod, "parse_bytes", counting)
    settings = Settings(plans=Path("plans"))
    first = load("plans", settings)
    assert len(parsed) == len(base)
    parsed.clear()
    again = load("plans", settings)
    assert parsed == []
    assert [str(d) for d in again.diagnostics] == [str(d) for d in first.diagnostics]
    edited = base["functions/marketing/plan-a.yaml"].replace("Plan A", "Plan A, edited")
    write_playbook(tmp_path, {"functions/marketing/plan-a.yaml": edited})
    third = load("plans", settings)
    assert parsed == ["plans/functions/marketing/plan-a.yaml"]
    assert third.nodes["plan-a"].data.title == "Plan A, edited"


def test_a_finding_from_a_cached_parse_still_has_its_position(write_playbook, tmp_path, base):
    bad = base["functions/marketing/plan-a.yaml"].replace("supports: [est-a]", "supports: [est-z]")
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": bad})
    settings = Settings(plans=Path("plans"))
    cold = [str(d) for d in load("plans", settings).diagnostics]
    warm = [str(d) for d in load("plans", settings).diagnostics]
    assert warm == cold
    assert any(":5:" in line and "PB004" in line for line in warm)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_every_format_is_cached_apart(write_playbook, tmp_path, base, capsys, fmt):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    main(["check", "--format", fmt])
    cold = capsys.readouterr().out
    main(["check", "--format", "text" if fmt != "text" else "json"])
    capsys.readouterr()
    main(["check", "--format", fmt])
    assert capsys.readouterr().out == cold
