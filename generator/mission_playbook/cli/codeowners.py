"""``playbook codeowners [--check]``: the owners of each plan file as ``.github/CODEOWNERS``."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, settings_from_args
from mission_playbook.model import writing as output
from mission_playbook.model.files import display_path
from mission_playbook.playbook import load
from mission_playbook.views import codeowners
from mission_playbook.views.provenance import toplevel

DEFAULT = Path(".github") / "CODEOWNERS"


def cmd_codeowners(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    playbook = load(settings.plans, settings)
    if playbook.errors:
        sys.stderr.write(
            f"playbook: the playbook has {playbook.errors} error(s) (playbook check); "
            "CODEOWNERS not written\n"
        )
        return EXIT_FINDINGS
    root = toplevel(settings.plans) or Path.cwd()
    target = Path(args.output) if args.output else root / DEFAULT
    real_root = root.resolve()
    paths: dict[str, str] = {}
    for file in playbook.files:
        try:
            paths[file] = Path(file).resolve().relative_to(real_root).as_posix()
        except ValueError:
            continue  # outside the repository: no rule can name it
    found = codeowners.owners(playbook.ladder, paths)
    try:
        existing: str | None = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = None
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"playbook: {display_path(target)}: cannot read it: {exc}\n")
        return EXIT_FINDINGS
    for gap in found.gaps:
        sys.stdout.write(f"no owner to ask: {gap}\n")
    shown = display_path(target)
    if not found.rules and (existing is None or codeowners.BEGIN not in existing):
        sys.stdout.write(f"no owner has a handle: {shown} is left as it is\n")
        return EXIT_OK
    text = codeowners.merge(existing, found.block())
    files = f"{len(found.rules)} plan file{'s' * (len(found.rules) != 1)}"
    if args.check:
        if text == existing:
            sys.stdout.write(f"{shown} is up to date: {files}\n")
            return EXIT_OK
        sys.stdout.writelines(
            difflib.unified_diff(
                (existing or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"a/{shown}",
                f"b/{shown}",
            )
        )
        sys.stdout.write(f"{shown} is out of date: run `playbook codeowners`\n")
        return EXIT_FINDINGS
    if text != existing:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            output.write_file_atomic(target, text)
        except OSError as exc:
            sys.stderr.write(f"playbook: {shown}: cannot write it: {exc.strerror}\n")
            return EXIT_FINDINGS
    verb = "wrote" if text != existing else "kept"
    sys.stdout.write(f"{verb} {shown}: {files}\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook codeowners`` to the command line."""
    p = subparsers.add_parser(
        "codeowners",
        help="write .github/CODEOWNERS from the owners of the plans",
        description=(
            "Write the owners of each plan file, by their handles, into .github/CODEOWNERS at "
            "the root of the repository (between marker lines; rules outside them are kept): "
            "a plan to its owner and its function's leader, a function to its leader, the "
            "mission, intent, glossary and people to the commander, the SLA to its parties' "
            "leaders. Files whose owners have no handle are listed."
        ),
    )
    common(p)
    p.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs (CI); write nothing"
    )
    p.add_argument("--output", metavar="FILE", help="where to write (default: .github/CODEOWNERS)")
    p.set_defaults(run=cmd_codeowners)
