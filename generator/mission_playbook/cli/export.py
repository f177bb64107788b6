"""``playbook export``: the playbook for spreadsheets, BI tools and scripts.

``--format json`` writes one document (``export/document.py``; ``--out -`` prints it),
``xlsx`` a workbook of the planner's tables, ``csv`` a folder of the same tables, one file
each. ``--schema`` prints the JSON document's schema. A playbook with errors is not
exported, as it is not rendered: fix them first.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, settings_from_args
from mission_playbook.views.report import check_output

FORMATS = ("json", "xlsx", "csv")


def _refuse(message: str) -> int:
    sys.stderr.write(f"playbook: {message}\n")
    return EXIT_USAGE


def _check_out(fmt: str, out: Path, keep: list[Path]) -> str | None:
    """Why ``out`` cannot take the export, or None."""
    if fmt == "csv":
        for folder in keep:
            if folder.resolve().is_relative_to(out.resolve()):
                return f"--out {out} would replace {folder}; choose another folder"
        if out.is_file():
            return f"--out {out} is a file; csv writes a folder of files"
        from mission_playbook.export.tables import Tables, file_name

        ours = {f"{file_name(name)}.csv" for name in Tables.ORDER}
        others = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.is_dir() else []
        if others:
            return (
                f"--out {out} holds other files ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}); csv replaces the whole folder: "
                "choose an empty or new folder"
            )
    elif out.is_dir():
        return f"--out {out} is a folder; {fmt} writes one file (for example {out}/playbook.{fmt})"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    if args.schema:
        from mission_playbook.export.schema import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    if not args.format or not args.out:
        return _refuse("export needs --format json|xlsx|csv and --out PATH (or --schema)")
    settings = settings_from_args(args)
    out = Path(args.out)
    stdout = args.out == "-"
    if stdout and args.format != "json":
        return _refuse(f"--out - prints JSON only; {args.format} needs a path")
    if not stdout:
        problem = _check_out(args.format, out, [settings.plans, settings.templates, Path.cwd()])
        if problem:
            return _refuse(problem)
    from mission_playbook.playbook import load

    playbook = load(settings.plans, settings)
    if playbook.errors:
        sys.stderr.write(check_output(playbook, "text"))
        sys.stderr.write("playbook: not exported: fix the errors above first\n")
        return EXIT_FINDINGS
    from mission_playbook.model import writing

    if args.format == "json":
        from mission_playbook.export.document import document_text

        text = document_text(playbook)
        if stdout:
            sys.stdout.write(text)
            return EXIT_OK
        out.parent.mkdir(parents=True, exist_ok=True)
        writing.write_file_atomic(out, text)
        sys.stdout.write(f"wrote {len(playbook.nodes)} nodes to {out}\n")
        return EXIT_OK
    from mission_playbook.export.tables import Tables

    tables = Tables(playbook).all()
    if args.format == "xlsx":
        from mission_playbook.export.workbook import workbook_bytes

        mission = playbook.mission
        data = workbook_bytes(tables, mission.title if mission else "Playbook")
        out.parent.mkdir(parents=True, exist_ok=True)
        writing.write_file_atomic(out, data)
        sys.stdout.write(f"wrote {len(tables)} sheets to {out}\n")
        return EXIT_OK
    from mission_playbook.export.csvfiles import csv_files

    writing.write_tree(out, csv_files(tables))
    sys.stdout.write(f"wrote {len(tables)} tables to {out}\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook export`` to the command line."""
    p = subparsers.add_parser(
        "export", help="write the playbook as JSON, a workbook (xlsx) or CSV files"
    )
    common(p)
    p.add_argument("--format", choices=FORMATS, help="json, xlsx, or csv (a folder of files)")
    p.add_argument(
        "--out", metavar="PATH", help="the file (json, xlsx) or folder (csv); '-' prints JSON"
    )
    p.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of the json export instead"
    )
    p.set_defaults(run=cmd_export)
