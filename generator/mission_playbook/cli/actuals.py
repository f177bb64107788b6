"""``playbook actuals import FILE --as-of DATE [--map MAP.yaml]``: record actual results.

Writes (or merges into) ``plans/actuals/<as_of>.yaml`` from a CSV (``authoring/actuals.py``).
Exit codes: 0 written, 1 refused (every finding on stderr at ``file:row:column``, nothing
written), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.authoring import actuals
from mission_playbook.authoring.fmt import AuthoringError
from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, settings_from_args
from mission_playbook.model.cache import file_cache
from mission_playbook.model.files import display_path
from mission_playbook.playbook import load


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    playbook = load(settings.plans, settings, cache=file_cache(settings))
    source = Path(args.file)
    try:
        imported = actuals.import_actuals(
            source,
            args.as_of,
            playbook,
            settings.plans,
            Path(args.map) if args.map else None,
            args.by,
        )
        if args.dry_run:
            sys.stdout.write(imported.text)
            return EXIT_OK
        if imported.changed:
            actuals.write(imported, settings.plans)
    except actuals.Refused as refused:
        for finding in refused.findings:
            sys.stderr.write(f"{finding}\n")
        count = len(refused.findings)
        sys.stderr.write(
            f"playbook: {display_path(source)}: {count} problem{'s' * (count != 1)}; "
            "nothing written\n"
        )
        return EXIT_FINDINGS
    except (AuthoringError, OSError) as exc:
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        sys.stderr.write(f"playbook: {where}{exc}\n")
        return EXIT_FINDINGS
    verb = "wrote" if imported.created else ("updated" if imported.changed else "unchanged:")
    parts = [f"{imported.values} value{'s' * (imported.values != 1)}"]
    parts.append(f"{imported.volumes} funnel volume{'s' * (imported.volumes != 1)}")
    line = f"{verb} {display_path(imported.path)}: {', '.join(parts)}"
    if imported.left_out:
        line += f"; {imported.left_out} dates before the horizon or after {args.as_of} left out"
    sys.stdout.write(line + "\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook actuals import`` to the command line."""
    p = subparsers.add_parser(
        "actuals",
        help="record actual results as check-ins (import a spreadsheet or CRM export)",
        description="Record actual results as check-ins in plans/actuals/.",
    )
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser(
        "import",
        help="write plans/actuals/<as-of>.yaml from a CSV",
        description=(
            "Write a check-in, plans/actuals/AS_OF.yaml (or merge into it), from a CSV: the "
            "columns id, period, value and optionally confidence and note, or another "
            "export's columns named by a map (--map), such as a CRM report with one date "
            "column per stage, counted per period into funnel volumes. Every row is checked "
            "first: one bad row and nothing is written."
        ),
    )
    common(imp)
    imp.add_argument("file", metavar="FILE", help="the CSV (UTF-8, as Excel writes it)")
    imp.add_argument(
        "--as-of", required=True, type=_date, metavar="DATE", help="the date the values are true"
    )
    imp.add_argument("--map", metavar="MAP", help="a YAML map of the export's columns")
    imp.add_argument("--by", metavar="NAME", help="who reports (the check-in's 'by')")
    imp.add_argument("--dry-run", action="store_true", help="print the check-in, write nothing")
    imp.set_defaults(run=cmd_import)
