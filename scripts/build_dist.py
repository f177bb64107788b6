#!/usr/bin/env python3
"""Build the sdist and the wheel of Mission Playbook from a clean copy, and check them.

The copy holds the files git tracks (as they are in the work tree) and the Mermaid library,
which must be the locked one (``scripts/fetch_mermaid.py``, run first by ``make dist``): no
build output, cache or compiled template of the work tree gets in. Then ``python -m build``
writes both archives to ``--out`` (default ``dist/``), and each is checked: the wheel and the
sdist carry ``mermaid.min.js`` with the locked SHA-256, the packaged templates and the
starter files, and no ``__pycache__``, compiled file or egg-info of the work tree.

Exit codes: 0 built and checked, 1 a check failed, 2 the build could not run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "generator/mission_playbook"
MERMAID = f"{PACKAGE}/assets/js/mermaid.min.js"
LOCK = REPO / PACKAGE / "assets" / "mermaid.lock.json"
#: files each archive must carry, relative to the package
REQUIRED = (
    "assets/js/mermaid.min.js",
    "assets/css/playbook.css",
    "views/templates/plan.md.j2",
    "authoring/starter_files/plans/sla.yaml.j2",
    "authoring/starter_files/github/playbook.yml.j2",
)
FORBIDDEN = ("__pycache__/", ".pyc", ".pyo", ".tmp")


class DistError(Exception):
    """A check of the built archives failed."""


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    )
    return [name for name in listed.stdout.split("\0") if name]


def clean_copy(dest: Path) -> Path:
    """The tracked files present in the work tree, and the Mermaid library, in ``dest``."""
    for name in [*tracked_files(), MERMAID]:
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def locked_sha256() -> str:
    return str(json.loads(LOCK.read_text(encoding="utf-8"))["sha256"])


def check_members(archive: Path, names: list[str], read: dict[str, bytes], prefix: str) -> None:
    bad = [n for n in names if any(f in n for f in FORBIDDEN)]
    if bad:
        raise DistError(f"{archive.name} carries files it must not: {', '.join(bad[:5])}")
    missing = [r for r in REQUIRED if f"{prefix}{r}" not in names]
    if missing:
        raise DistError(f"{archive.name} lacks {', '.join(missing)}")
    data = read[f"{prefix}assets/js/mermaid.min.js"]
    if hashlib.sha256(data).hexdigest() != locked_sha256():
        raise DistError(f"{archive.name}: mermaid.min.js is not the locked version")


def check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        mermaid = "mission_playbook/assets/js/mermaid.min.js"
        read = {mermaid: archive.read(mermaid)} if mermaid in names else {mermaid: b""}
    check_members(wheel, names, read, "mission_playbook/")


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        root = names[0].split("/")[0]
        prefix = f"{root}/{PACKAGE}/"
        member = archive.extractfile(f"{prefix}assets/js/mermaid.min.js")
        read = {f"{prefix}assets/js/mermaid.min.js": member.read() if member else b""}
    check_members(sdist, names, read, prefix)


def build(out: Path) -> tuple[Path, Path]:
    """Build both archives into ``out`` (emptied first) from a clean copy; check them."""
    if not (REPO / MERMAID).is_file():
        raise DistError(f"{MERMAID} is missing: run `make mermaid` (make dist does)")
    if hashlib.sha256((REPO / MERMAID).read_bytes()).hexdigest() != locked_sha256():
        raise DistError(f"{MERMAID} is not the locked version: run `make mermaid`")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="mission-playbook-dist-") as tmp:
        source = clean_copy(Path(tmp) / "src")
        cmd = [sys.executable, "-m", "build", "--outdir", str(out.resolve()), str(source)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DistError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise DistError(f"expected one wheel and one sdist in {out}")
    check_wheel(wheels[0])
    check_sdist(sdists[0])
    return wheels[0], sdists[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where to write them")
    args = parser.parse_args(argv)
    try:
        wheel, sdist = build(args.out)
    except DistError as exc:
        print(f"build_dist: ERROR: {exc}", file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"build_dist: {exc}", file=sys.stderr)
        return 2
    print(f"build_dist: wrote and checked {wheel} and {sdist}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
