"""The caches: a warm check repeats its output without loading the model, and a change to
any input (a file, the settings, the options, the code) is checked again.

Every test runs with its own empty cache folder (``PLAYBOOK_CACHE_DIR``, see conftest).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import mission_playbook as generator
from mission_playbook import playbook as playbook_mod
from mission_playbook.cli import main
from mission_playbook.compare.snapshot import Snapshot, snapshot
from mission_playbook.model import cache as cache_mod
from mission_playbook.model.config import (
    ConfigError,
    Settings,
    load_settings,
    read_mkdocs_options,
    read_plans,
)
from mission_playbook.playbook import load

REPO = Path(__file__).resolve().parents[1]

#: Runs the command in a fresh interpreter, then says whether the model and the YAML library
#: were imported.
PROBE = (
    "import sys\n"
    "from mission_playbook.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('YAML LOADED' if 'ruamel.yaml' in sys.modules else 'YAML NOT LOADED')\n"
    "model = 'mission_playbook.model.kinds' in sys.modules\n"
    "print('MODEL LOADED' if model else 'MODEL NOT LOADED')\n"
    "heavy = ('typing', 'dataclasses', 'inspect', '_hashlib', 'shutil')\n"
    "print('HEAVY', *[m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def probe(cwd: Path, *args: str) -> tuple[int, str]:
    return probe_all(cwd, *args)[:2]


def probe_all(cwd: Path, *args: str) -> tuple[int, str, str]:
    """Exit code, output, and the standard library's slower modules the run imported."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr.splitlines()[-1]


def cached_findings(settings: Settings) -> list[str]:
    """The findings of ./plans, loaded with the parsed-file cache the settings allow."""
    playbook = load("plans", settings, cache=cache_mod.file_cache(settings))
    return [str(d) for d in playbook.diagnostics]


def cache_files() -> list[Path]:
    return sorted(Path(os.environ["PLAYBOOK_CACHE_DIR"]).glob("*"))


def test_a_warm_check_prints_the_same_without_loading_the_model(write_playbook, tmp_path, base):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - playbook:\n      severity: {PB014: off}\n", encoding="utf-8"
    )
    cold_code, cold_out = probe(tmp_path)
    warm_code, warm_out = probe(tmp_path)
    assert cold_out.endswith("YAML LOADED\nMODEL LOADED\n")
    assert warm_out.endswith("YAML NOT LOADED\nMODEL NOT LOADED\n")  # nor mkdocs.yml parsed
    assert cold_code == warm_code == 1
    assert "PB013" in cold_out
    assert warm_out.replace(" NOT LOADED", " LOADED") == cold_out


def test_a_warm_check_imports_neither_typing_nor_dataclasses_nor_openssl(
    write_playbook, tmp_path, base
):
    """A warm check is mostly Python starting; these three cost it a third more."""
    write_playbook(tmp_path, base)
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - playbook\n", "utf-8")
    cold = probe_all(tmp_path)
    warm = probe_all(tmp_path)
    assert cold[2].startswith("HEAVY ") and "typing" in cold[2]  # the model needs them
    assert warm[:2] == (cold[0], cold[1].replace(" LOADED", " NOT LOADED"))
    assert warm[2] == "HEAVY"


def test_mkdocs_options_are_kept_by_the_bytes_of_the_file(write_playbook, tmp_path, base):
    write_playbook(tmp_path, base)
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - playbook:\n      severity: {PB009: error}\n", "utf-8")
    stored = cache_mod.OptionsCache()
    assert read_mkdocs_options(config, stored) == {"severity": {"PB009": "error"}}
    assert stored.get(stored.key(config.read_bytes())) == {"severity": {"PB009": "error"}}
    config.write_text("plugins:\n  - playbook:\n      severity: {PB009: info}\n", "utf-8")
    assert read_mkdocs_options(config, stored) == {"severity": {"PB009": "info"}}
    config.write_text("plugins:\n  - playbook:\n      severity: [\n", "utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):  # an error is never kept
        read_mkdocs_options(config, stored)


def test_the_core_opens_no_cache_of_its_own(write_playbook, tmp_path, base):
    """Only a caller that passes a cache has one read or written: the library is pure."""
    write_playbook(tmp_path, base)
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - playbook:\n      severity: {PB009: error}\n", "utf-8")
    settings = load_settings(config)
    assert settings.cache  # the settings allow a cache; none is passed
    assert read_mkdocs_options(config) == {"severity": {"PB009": "error"}}
    assert load("plans", settings).errors == 0
    assert cache_files() == []
    load("plans", settings, cache=cache_mod.file_cache(settings))
    load_settings(config, store=cache_mod.OptionsCache())
    assert sorted(p.suffix for p in cache_files()) == [".json", ".pickle"]


def test_the_parsed_file_cache_keeps_plain_values(write_playbook, tmp_path, base):
    """What is pickled holds no class of this product: a cache never runs its code."""
    import pickle

    broken = base["functions/marketing/plan-a.yaml"] + "  - [\n"  # a PB001 finding
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": broken})
    settings = Settings(plans=Path("plans"))
    cold = cached_findings(settings)
    (stored,) = cache_files()
    assert b"mission_playbook" not in stored.read_bytes()  # no class of ours is named in it
    _version, entries = pickle.loads(stored.read_bytes())
    assert len(entries) == len(base)
    warm = cached_findings(settings)
    assert warm == cold and any("PB001" in line for line in warm)


def test_options_that_json_would_change_are_not_kept(tmp_path):
    store = cache_mod.OptionsCache(tmp_path)
    store.put("a", {"when": date(2027, 1, 1)})
    store.put("b", {"severity": {1: "error"}})  # JSON would give the key back as "1"
    store.put("c", {"plans": "plans", "cache": True, "max_file_size": 10})
    assert (store.get("a"), store.get("b")) == (None, None)
    assert cache_mod.OptionsCache(tmp_path).get("c") == {
        "plans": "plans",
        "cache": True,
        "max_file_size": 10,
    }


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
    assert "ruamel.yaml=" in cache_mod._libraries()
    store = cache_mod.CheckCache(Path("plans"))
    sources = read_plans(Path("plans"))
    before = store.key(sources, "text")
    monkeypatch.setattr(cache_mod, "_libraries", lambda: "ruamel.yaml=/elsewhere:1:2")
    assert store.key(sources, "text") != before


def test_the_code_stamp_changes_with_any_module_even_if_copied_with_its_time(tmp_path, monkeypatch):
    code = tmp_path / "mission_playbook" / "model"
    code.mkdir(parents=True)
    module = code / "diagnostics.py"
    module.write_text('CODE = "PB002"\n', encoding="utf-8")
    monkeypatch.setattr(cache_mod, "__file__", str(code / "cache.py"))
    before = cache_mod.code_stamp()
    mtime = module.stat().st_mtime_ns
    module.write_text('CODE = "PB00X"\n', encoding="utf-8")  # same size
    os.utime(module, ns=(mtime, mtime))  # and the same mtime, as `cp -p` or `tar` keep it
    assert cache_mod.code_stamp() != before


def test_a_damaged_or_deleted_cache_is_a_miss(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": "kind: plan\nid: X\n"})
    (tmp_path / "mkdocs.yml").write_text("plugins:\n  - playbook:\n      plans: plans\n", "utf-8")
    assert main(["check"]) == 1
    expected = capsys.readouterr().out
    files = cache_files()
    assert [p.suffix for p in files].count(".json") == 2  # the check's and mkdocs.yml's
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
    for i in range(store.store.keep + 3):
        store.put(f"k{i}", f"out {i}", 0)
    assert store.get("k0") is None
    assert store.get(f"k{store.store.keep + 2}") == (f"out {store.store.keep + 2}", 0)
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
    first = load("plans", settings, cache=cache_mod.file_cache(settings))
    assert len(parsed) == len(base)
    parsed.clear()
    again = load("plans", settings, cache=cache_mod.file_cache(settings))
    assert parsed == []
    assert [str(d) for d in again.diagnostics] == [str(d) for d in first.diagnostics]
    edited = base["functions/marketing/plan-a.yaml"].replace("Plan A", "Plan A, edited")
    write_playbook(tmp_path, {"functions/marketing/plan-a.yaml": edited})
    third = load("plans", settings, cache=cache_mod.file_cache(settings))
    assert parsed == ["plans/functions/marketing/plan-a.yaml"]
    assert third.nodes["plan-a"].data.title == "Plan A, edited"


def test_a_finding_from_a_cached_parse_still_has_its_position(write_playbook, tmp_path, base):
    bad = base["functions/marketing/plan-a.yaml"].replace("supports: [est-a]", "supports: [est-z]")
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": bad})
    settings = Settings(plans=Path("plans"))
    cold = cached_findings(settings)
    warm = cached_findings(settings)
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


def test_the_base_cache_keeps_one_snapshot_by_everything_it_depends_on(
    write_playbook, tmp_path, base, monkeypatch
):
    write_playbook(tmp_path, {**base, "functions/marketing/plan-b.yaml": "kind: plan\nid: X\n"})
    playbook = load("plans")
    taken = snapshot(playbook)
    store = cache_mod.BaseCache(Path("plans"))
    settings = Settings(plans=Path("plans"))
    key = store.key("0" * 40, "plans", settings)
    assert store.get(key) is None
    store.put(key, taken.to_json())
    stored = json.loads(store.path.read_bytes())  # JSON on disk: values, no pickle
    assert list(stored) == [key]
    kept = Snapshot.from_json(store.get(key))
    assert kept == taken
    kept = Snapshot.from_json(cache_mod.BaseCache(Path("plans")).get(key))  # read from disk
    assert kept == taken and kept is not taken
    assert sorted(kept.nodes) == sorted(playbook.nodes)
    assert [f.message for f in kept.findings] == [d.message for d in playbook.diagnostics]
    assert kept.findings  # the broken plan's findings are kept too
    others = [
        store.key("1" * 40, "plans", settings),  # another commit
        store.key("0" * 40, "other/plans", settings),  # the folder elsewhere in the tree
        store.key("0" * 40, "plans", Settings(plans=Path("plans"), max_file_size=10)),
    ]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # file names in findings are relative to the working folder
    others.append(store.key("0" * 40, "plans", settings))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(generator, "__version__", "999.0")
    others.append(store.key("0" * 40, "plans", settings))  # another version of the product
    assert len(set(others)) == 5 and key not in others
    assert all(store.get(k) is None for k in others)
    store.put(others[0], taken.to_json())  # one entry: the newest replaces the last
    fresh = cache_mod.BaseCache(Path("plans"))
    assert fresh.get(key) is None and Snapshot.from_json(fresh.get(others[0])) == taken


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b'{"truncated": ',
        b"[1, 2, 3]",
        b"\x80\x04\x95 a pickle",
    ],
)
def test_a_damaged_base_cache_is_a_miss(write_playbook, tmp_path, base, content):
    write_playbook(tmp_path, base)
    store = cache_mod.BaseCache(Path("plans"))
    key = store.key("0" * 40, "plans", Settings())
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_bytes(content)
    assert store.get(key) is None
    assert Snapshot.from_json(store.get(key)) is None


def test_a_foreign_entry_under_the_key_is_not_a_snapshot(write_playbook, tmp_path, base):
    write_playbook(tmp_path, base)
    good = snapshot(load("plans")).to_json()
    node = good["nodes"][0]
    foreign: list[object] = [
        {"not": "a snapshot"},
        None,
        {**good, "format": 999},  # another version of the JSON form
        {**good, "nodes": [{**node, "title": None}]},  # a field of the wrong type
        {**good, "nodes": [{k: v for k, v in node.items() if k != "parents"}]},  # one missing
        {**good, "nodes": [{**node, "links": {"supports": "est-a"}}]},  # ids not a list
        {**good, "coverage": [["plan", "plans", 1, 1]]},  # not an object
        {**good, "findings": [{"code": "PB001"}]},
        {**good, "nodes": [{**node, "parents": [True]}]},
    ]
    store = cache_mod.BaseCache(Path("plans"))
    key = store.key("0" * 40, "plans", Settings())
    for value in foreign:
        store.put(key, value)
        assert store.get(key) == value
        assert Snapshot.from_json(store.get(key)) is None, value
    store.put(key, good)
    assert Snapshot.from_json(cache_mod.BaseCache(Path("plans")).get(key)) is not None
