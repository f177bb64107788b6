"""``playbook diff``: what a change does to the plan, for pull requests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.cli import EXIT_OK, settings_from_args
from mission_playbook.compare.diff import diff_playbooks
from mission_playbook.compare.revisions import find_repo_root, load_revision, plans_path_in
from mission_playbook.model.cache import file_cache
from mission_playbook.playbook import load
from mission_playbook.views.changes import to_json, to_markdown

FORMATS = ("markdown", "json")


def cmd_diff(args: argparse.Namespace) -> int:
    """``playbook diff BASE [HEAD]``: print the diff; exit 0 (it is information)."""
    settings = settings_from_args(args)
    sides = [args.base] + ([args.head] if args.head is not None else [])
    root: Path | None = None
    rel = "."
    if not all(Path(s).is_dir() for s in sides):
        root = find_repo_root()
        rel = plans_path_in(root, settings.plans)
    base = load_revision(args.base, rel, root, settings)
    if args.head is None:
        head = load(settings.plans, settings, cache=file_cache(settings))
    else:
        head = load_revision(args.head, rel, root, settings)
    diff = diff_playbooks(base, head)
    sys.stdout.write(to_json(diff) if args.format == "json" else to_markdown(diff))
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook diff`` to the command line."""
    p = subparsers.add_parser(
        "diff",
        help="compare the plan at two git revisions or plans folders",
        description="Compare the plan model at BASE and HEAD (git revisions or plans "
        "folders; HEAD defaults to the work tree): nodes, links, targets, coverage, findings.",
    )
    common(p)
    p.add_argument("base", metavar="BASE", help="a git revision or a plans folder")
    p.add_argument(
        "head",
        metavar="HEAD",
        nargs="?",
        help="a git revision or a plans folder (default: work tree)",
    )
    p.add_argument("--format", choices=FORMATS, default="markdown", help="output format")
    p.set_defaults(run=cmd_diff)
