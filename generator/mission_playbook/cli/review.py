"""``playbook review ID``: stamp a node as reviewed against what it supports (PB019)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from mission_playbook.authoring import review
from mission_playbook.authoring.fmt import AuthoringError
from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, settings_from_args
from mission_playbook.model.files import display_path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


def cmd_review(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    try:
        stamp = review.review(settings.plans, settings, args.id, args.by, args.date)
    except (AuthoringError, OSError) as exc:
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        message = exc.strerror if isinstance(exc, OSError) else str(exc)
        sys.stderr.write(f"playbook: {where}{message}; nothing written\n")
        return EXIT_FINDINGS
    parents = ", ".join(f"'{p}'" for p in stamp.against)
    verb = "replaced the review stamp of" if stamp.replaced else "stamped"
    sys.stdout.write(
        f"{verb} {stamp.node.label} '{stamp.node.id}' in {display_path(stamp.path)} at line "
        f"{stamp.line}: reviewed on {stamp.date} by {stamp.by} against {parents}\n"
    )
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook review`` to the command line."""
    p = subparsers.add_parser(
        "review",
        help="record that a node was reviewed against what it supports",
        description=(
            "Write a review stamp into the node's YAML: the date, who reviewed it and a short "
            "hash of each field of each node it supports. When one of those changes later, "
            "the check reports the node as suspect (PB019) until it is reviewed again."
        ),
    )
    common(p)
    p.add_argument("id", metavar="ID", help="a success factor, key task, estimate or plan")
    p.add_argument("--by", metavar="NAME", help="who reviewed it (default: its owner)")
    p.add_argument(
        "--date", metavar="YYYY-MM-DD", type=_date, help="the day of the review (default: today)"
    )
    p.set_defaults(run=cmd_review)
