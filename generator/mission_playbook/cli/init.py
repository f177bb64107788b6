"""``playbook init [DIR]``: a new playbook repository (``authoring/starter.py`` writes it).

In a terminal it asks for the company, mission statement, horizon, revenue target and period,
run-rate share and average deal (an empty answer takes the default shown); the same come as
options, and ``--yes`` (or a standard input that is not a terminal) takes the defaults for
the rest. It never overwrites: when any file it would write exists, it lists them, writes
nothing and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.authoring import starter
from mission_playbook.cli import EXIT_OK, EXIT_USAGE

#: option → the answer it gives
OPTIONS = {
    "company": "--company",
    "statement": "--statement",
    "horizon": "--horizon",
    "revenue_target": "--revenue-target",
    "period": "--period",
    "run_rate_share": "--run-rate-share",
    "average_deal": "--average-deal",
    "site_url": "--site-url",
    "repo_url": "--repo-url",
    "action_owner": "--action-owner",
}


def cmd_init(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    given = {name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}
    answers = starter.Answers(**given)
    try:
        if not args.yes and sys.stdin is not None and sys.stdin.isatty():
            answers = starter.ask(answers, set(given), input, lambda s: print(s, file=sys.stderr))
        planned = starter.files(answers)
    except starter.StarterError as exc:
        sys.stderr.write(f"playbook: init: {exc}\n")
        return EXIT_USAGE
    except EOFError:
        sys.stderr.write("\nplaybook: init: no answer; nothing written\n")
        return EXIT_USAGE
    if root.exists() and not root.is_dir():
        sys.stderr.write(f"playbook: init: {root} is not a folder; nothing written\n")
        return EXIT_USAGE
    clashes = starter.existing(root, planned)
    if clashes:
        sys.stderr.write(
            f"playbook: init: {len(clashes)} of the files it would write exist in {root}; "
            "nothing written, nothing overwritten:\n"
        )
        for path in clashes:
            sys.stderr.write(f"  {path}\n")
        return EXIT_USAGE
    try:
        starter.write(root, planned)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"playbook: init: {where}cannot write: {exc.strerror or exc}\n")
        return EXIT_USAGE
    for path in planned:
        sys.stdout.write(f"wrote {(root / path).as_posix()}\n")
    into = "" if root.resolve() == Path.cwd().resolve() else f"cd {root} && "
    sys.stdout.write(
        f"next: {into}playbook check, then mkdocs serve to preview "
        "(README.md says how to publish)\n"
    )
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook init`` to the command line."""
    p = subparsers.add_parser(
        "init",
        help="start a new playbook repository",
        description=(
            "Write a new playbook repository: mkdocs.yml, a plans/ skeleton that checks clean "
            "(mission, intent, Marketing and Sales with an estimate and a plan each, an SLA "
            "whose waterfall is computed from the revenue figures, a glossary), templates/, "
            "a GitHub workflow, pre-commit configuration, .gitignore and a README. In a "
            "terminal it asks for what the options below leave out; it never overwrites a file."
        ),
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="where (default: here)")
    p.add_argument("--company", help="the company's name")
    p.add_argument("--statement", help="the mission statement (who, what, when, where, why)")
    p.add_argument("--horizon", help="a year (2027) or START..END (2027-01-01..2027-12-31)")
    p.add_argument("--revenue-target", metavar="AMOUNT", help="revenue a period (10000000)")
    p.add_argument("--period", choices=["month", "quarter", "year"], help="of the target")
    p.add_argument("--run-rate-share", metavar="SHARE", help="revenue that arrives regardless")
    p.add_argument("--average-deal", metavar="AMOUNT", help="revenue of a won deal (100000)")
    p.add_argument("--site-url", metavar="URL", help="where the site is published")
    p.add_argument("--repo-url", metavar="URL", help="the repository (for edit links)")
    p.add_argument(
        "--action-owner",
        metavar="OWNER",
        help=f"the GitHub owner of the mission-playbook action (default: {starter.ACTION_OWNER})",
    )
    p.add_argument("--yes", "-y", action="store_true", help="ask nothing: defaults for the rest")
    p.set_defaults(run=cmd_init)
