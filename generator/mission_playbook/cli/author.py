"""Authoring commands: ``playbook new``, ``fmt``, ``rename`` and ``schema``.

Every command that writes does it atomically (a temporary file in the same folder, then
``os.replace``), writes nothing when it refuses or fails, and only writes inside the plans
folder. Exit codes: 0 done, 1 refused or (``fmt --check``) files to change, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.authoring import fmt, rename, scaffold, schema
from mission_playbook.authoring.fmt import AuthoringError
from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, settings_from_args
from mission_playbook.model import writing as output
from mission_playbook.model.cache import file_cache
from mission_playbook.model.files import display_path
from mission_playbook.model.validate import PLACEHOLDER
from mission_playbook.playbook import load


def _refusal(exc: Exception) -> int:
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"playbook: {where}cannot write: {exc.strerror or exc}; nothing changed\n")
    else:
        sys.stderr.write(f"playbook: {exc}\n")
    return EXIT_FINDINGS


def cmd_new(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    supports = [s for value in args.supports or [] for s in value.split(",") if s]
    cache = file_cache(settings)
    try:
        result = scaffold.new(
            settings.plans, settings, args.kind, args.id, args.function, supports, args.title, cache
        )
    except (AuthoringError, OSError) as exc:
        return _refusal(exc)
    verb = "wrote" if result.created else "added to"
    shown = display_path(result.path)
    sys.stdout.write(f"{verb} {shown}: {args.kind} '{args.id}' at line {result.first_line}\n")
    if result.placeholders:
        lines = ", ".join(str(n) for n in result.placeholders)
        sys.stdout.write(f"fill in the {PLACEHOLDER} placeholders on lines {lines}\n")
    playbook = load(settings.plans, settings, cache=cache)
    about = [d for d in playbook.diagnostics if f"'{args.id}'" in d.message]
    for diagnostic in about:
        sys.stdout.write(f"{diagnostic}\n")
    if result.next_step:
        sys.stdout.write(f"next: {result.next_step}\n")
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    root = settings.plans
    if not root.is_dir():
        sys.stderr.write(f"playbook: {root}: the plans folder does not exist\n")
        return 2
    try:
        paths = fmt.targets([Path(p) for p in args.paths] or [root], root)
    except AuthoringError as exc:
        return _refusal(exc)
    failed = changed = 0
    for path in paths:
        outcome = fmt.format_file(path, settings.max_file_size)
        for problem in outcome.problems:
            sys.stderr.write(f"{problem}\n")
        failed += bool(outcome.problems)
        if not outcome.changed or outcome.text is None:
            continue
        changed += 1
        if args.check:
            sys.stdout.write(f"would reformat {display_path(path)}\n")
        else:
            try:
                output.write_file_atomic(fmt.inside(path, root), outcome.text)
            except (AuthoringError, OSError) as exc:
                _refusal(exc)
                failed += 1
                continue
            sys.stdout.write(f"reformatted {display_path(path)}\n")
    if args.check:
        summary = f"{changed} of {len(paths)} files would be reformatted"
    else:
        summary = f"{changed} of {len(paths)} files reformatted"
    if failed:
        summary += f", {failed} left untouched (see above)"
    sys.stderr.write(summary + "\n")
    return EXIT_FINDINGS if failed or (args.check and changed) else EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    try:
        plan = rename.plan_rename(settings.plans, settings, args.old, args.new, args.lifecycle)
        for note in plan.notes:
            sys.stderr.write(f"playbook: note: {note}\n")
        if args.dry_run:
            sys.stdout.write("".join(change.diff() for change in plan.changes))
            return EXIT_OK
        rename.apply(plan, settings.plans)
    except (AuthoringError, OSError) as exc:
        return _refusal(exc)
    files = len(plan.changes)
    places = "place" if plan.count == 1 else "places"
    in_files = "1 file" if files == 1 else f"{files} files"
    sys.stdout.write(
        f"renamed the {plan.namespace} '{plan.old}' to '{plan.new}': "
        f"{plan.count} {places} in {in_files}\n"
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema.schema_text())
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``new``, ``fmt``, ``rename`` and ``schema`` to the ``playbook`` command."""
    new = subparsers.add_parser(
        "new",
        help="write a new node, linked up the ladder, in its conventional place",
        description=(
            "Write a new node with its links filled in and TODO placeholders for its required "
            "fields: a success factor into the mission, a key task into the intent, an estimate "
            "into its function's file, a function into functions/ID.yaml, a plan into "
            "functions/FUNCTION/ID.yaml."
        ),
    )
    common(new)
    new.add_argument(
        "kind", choices=list(scaffold.KINDS), metavar="KIND", help=", ".join(scaffold.KINDS)
    )
    new.add_argument("id", metavar="ID", help="the new node's id")
    new.add_argument("--function", metavar="F", help="the function of an estimate or plan")
    new.add_argument(
        "--supports", metavar="ID", nargs="+", help="the nodes one rung up that it supports"
    )
    new.add_argument("--title", help="its title (a function's name)")
    new.set_defaults(run=cmd_new)

    form = subparsers.add_parser(
        "fmt",
        help="lay out plan files canonically, keeping every comment",
        description=(
            "Lay out plan files in one canonical layout: keys in the order of the domain model, "
            "2-space indentation, lists indented under their key, lines of at most 100 "
            "characters. Comments, blank lines and block scalars are kept."
        ),
    )
    common(form)
    form.add_argument("--check", action="store_true", help="list the files it would change")
    form.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: plans)")
    form.set_defaults(run=cmd_fmt)

    ren = subparsers.add_parser(
        "rename",
        help="change an id and every reference to it",
        description=(
            "Change an id and every reference to it in every plan file, editing only those "
            "values: everything else in the files stays byte for byte."
        ),
    )
    common(ren)
    ren.add_argument("old", metavar="OLD")
    ren.add_argument("new", metavar="NEW")
    ren.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    ren.add_argument(
        "--lifecycle",
        action="store_true",
        help="rename the mission's lifecycle stage OLD (and plans' lifecycle_stage)",
    )
    ren.set_defaults(run=cmd_rename)

    sch = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of plan files",
        description="Print the JSON Schema of plan files (for editors and validators).",
    )
    sch.set_defaults(run=cmd_schema)
