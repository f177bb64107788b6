"""``playbook render``: the site's Markdown pages written to a folder, without MkDocs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, settings_from_args
from mission_playbook.model import writing as output
from mission_playbook.model.cache import file_cache
from mission_playbook.playbook import load
from mission_playbook.views import pages
from mission_playbook.views.report import render


def cmd_render(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.templates:
        settings.templates = Path(args.templates)
    out = Path(args.out).resolve()
    for keep in (settings.plans, settings.templates, Path.cwd()):
        if keep.resolve().is_relative_to(out):
            sys.stderr.write(
                f"playbook: --out {args.out} would replace {keep}; choose another folder\n"
            )
            return EXIT_USAGE
    playbook = load(settings.plans, settings, cache=file_cache(settings))
    if playbook.errors:
        sys.stderr.write(render(playbook, "text"))
        sys.stderr.write("playbook: not rendered: fix the errors above first\n")
        return EXIT_FINDINGS
    options = pages.Options(templates=settings.templates)
    try:
        written = output.write_tree(Path(args.out), pages.render(playbook, options))
    except ValueError as exc:  # a path that would leave the output folder: nothing written
        sys.stderr.write(f"playbook: not rendered: {exc}\n")
        return EXIT_FINDINGS
    sys.stdout.write(f"wrote {written} pages to {args.out}\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook render`` to the command line."""
    p = subparsers.add_parser("render", help="write the site's Markdown pages to a folder")
    common(p)
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write pages to")
    p.add_argument("--templates", metavar="DIR", help="template overrides (default: templates)")
    p.set_defaults(run=cmd_render)
