"""``playbook render``: the site's Markdown pages written to a folder, without MkDocs.

With ``--zensical`` the pages are for Zensical, which runs no MkDocs plugins: the folder also
gets the files the plugin would serve (the Mermaid library and the style sheets, which its
``mkdocs.yml`` lists in ``extra_javascript`` and ``extra_css``; README), and links in the
pages' HTML are ``.md`` paths, which Zensical resolves in HTML as in Markdown (MkDocs leaves
HTML as it is).
"""

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
from mission_playbook.views import assets, pages, provenance
from mission_playbook.views.environment import CompiledTemplates, cache_folder
from mission_playbook.views.report import check_output


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
        sys.stderr.write(check_output(playbook, "text"))
        sys.stderr.write("playbook: not rendered: fix the errors above first\n")
        return EXIT_FINDINGS
    history = provenance.history(settings.plans, playbook.files)
    options = pages.Options(templates=settings.templates, md_links=args.zensical, history=history)
    compiled = CompiledTemplates(cache_folder(settings))  # in memory only under `cache: false`
    files: dict[str, str | bytes] = dict(pages.render_pages(playbook, options, compiled))
    count = len(files)
    if args.zensical:
        try:
            extra = assets.site_assets()
        except assets.MissingAsset as exc:
            sys.stderr.write(f"playbook: not rendered: {exc}\n")
            return EXIT_FINDINGS
        clash = sorted(set(extra) & set(files))
        if clash:  # pragma: no cover - page paths end in .md
            sys.stderr.write(f"playbook: not rendered: a page is named {clash[0]}\n")
            return EXIT_FINDINGS
        files.update(extra)
    try:
        output.write_tree(Path(args.out), files)
    except ValueError as exc:  # a path that would leave the output folder: nothing written
        sys.stderr.write(f"playbook: not rendered: {exc}\n")
        return EXIT_FINDINGS
    also = f" and {len(files) - count} assets" if args.zensical else ""
    sys.stdout.write(f"wrote {count} pages{also} to {args.out}\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook render`` to the command line."""
    p = subparsers.add_parser("render", help="write the site's Markdown pages to a folder")
    common(p)
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write pages to")
    p.add_argument("--templates", metavar="DIR", help="template overrides (default: templates)")
    p.add_argument(
        "--zensical",
        action="store_true",
        help="pages for Zensical: also write js/mermaid.min.js, css/playbook.css and "
        "css/print.css (its mkdocs.yml lists them in extra_javascript and extra_css), and links "
        "in HTML as .md paths",
    )
    p.set_defaults(run=cmd_render)
