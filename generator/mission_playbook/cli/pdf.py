"""``playbook pdf``: the operation order printed to a PDF by headless Chromium.

Builds a site of the one print page it needs (``print.md``, or ``print/<function>.md`` with
``--function``) with MkDocs and the ``playbook`` plugin into a temporary folder, using the
site's own ``mkdocs.yml`` (theme, Markdown settings, the plugin's options) when there is
one, then prints that page (``export/pdf.py``). Without Playwright's package or a Chromium
it says what to install and exits 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, settings_from_args
from mission_playbook.model.config import Settings

#: The site ``playbook pdf`` builds when there is no mkdocs.yml: the theme and Markdown
#: settings the plugin's pages are written for (README, "MkDocs, ProperDocs or Zensical").
MINIMAL_SITE = """\
site_name: {name}
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - playbook:
      plans: {plans}
      templates: {templates}
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:mermaid2.fence_mermaid_custom
"""


def _say(message: str) -> None:
    sys.stderr.write(f"playbook: {message}\n")


class _Relay(logging.Handler):
    """MkDocs' warnings and errors during the build, on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"mkdocs: {record.levelname.lower()}: {record.getMessage()}\n")


@contextmanager
def _relayed() -> Iterator[None]:
    logger = logging.getLogger("mkdocs")
    handler = _Relay(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _json_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def build_print_site(
    config_file: Path | None, settings: Settings, page: str, work: Path, edition: str | None
) -> tuple[Path, str]:
    """Build the site of one print page into ``work/site``: its folder, and the page's URL
    path in it."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # a banner about a release that is not
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    if config_file is None:
        (work / "docs").mkdir()
        config_file = work / "mkdocs.yml"
        config_file.write_text(
            MINIMAL_SITE.format(
                name=_json_str("Operation order"),
                plans=_json_str(str(settings.plans.resolve())),
                templates=_json_str(str(settings.templates.resolve())),
            ),
            encoding="utf-8",
        )
    site = work / "site"
    config = load_config(config_file=str(config_file), site_dir=str(site))
    plugin: Any = config.plugins.get("playbook")
    if plugin is None:
        raise ValueError(f"{config_file} does not list the playbook plugin")
    plugin.config["plans"] = str(settings.plans.resolve())  # --plans wins over mkdocs.yml
    plugin.print_only = page
    plugin.edition = edition
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    from mission_playbook.views.sitemap import url_of

    return site, url_of(page, config.use_directory_urls)


def cmd_pdf(args: argparse.Namespace) -> int:
    from mission_playbook.export import pdf

    try:
        pdf.require_playwright()
        browser = pdf.find_browser(args.browser)
    except pdf.PdfUnavailable as exc:
        _say(str(exc))
        return EXIT_USAGE
    out = Path(args.out)
    if out.is_dir():
        _say(f"--out {out} is a folder; give the PDF's file name (for example {out}/order.pdf)")
        return EXIT_USAGE
    settings = settings_from_args(args)
    config_file = Path(args.config) if args.config else None
    if config_file is None and Path("mkdocs.yml").is_file():
        config_file = Path("mkdocs.yml")
    from mission_playbook.model.diagnostics import did_you_mean
    from mission_playbook.playbook import load
    from mission_playbook.views import sitemap
    from mission_playbook.views.report import check_output

    playbook = load(settings.plans, settings)
    if playbook.errors:
        sys.stderr.write(check_output(playbook, "text"))
        _say("not printed: fix the errors above first")
        return EXIT_FINDINGS
    page = sitemap.PRINT_PAGE
    if args.function:
        functions = [f.id for f in playbook.of_kind("function")]
        if args.function not in functions:
            _say(
                f"--function {args.function}: no function has that id "
                f"({', '.join(functions) or 'the playbook has none'})"
                + did_you_mean(args.function, functions)
            )
            return EXIT_USAGE
        page = sitemap.FUNCTION_PRINT_PAGE.format(id=args.function)
    from mkdocs.exceptions import MkDocsException

    with tempfile.TemporaryDirectory(prefix="playbook-pdf-") as tmp, _relayed():
        try:
            site, url = build_print_site(config_file, settings, page, Path(tmp), args.edition)
        except (MkDocsException, ValueError, OSError) as exc:
            _say(f"not printed: the print page did not build: {exc}")
            return EXIT_FINDINGS
        try:
            printed = pdf.print_pdf(site, url, out, browser, timeout=args.timeout)
        except pdf.PdfUnavailable as exc:
            _say(str(exc))
            return EXIT_USAGE
        except pdf.PrintFailed as exc:
            _say(f"not printed: {exc}")
            return EXIT_FINDINGS
    if printed.refused:
        _say(
            f"refused {len(printed.refused)} request(s) to other hosts while printing, "
            f"the first to {printed.refused[0]}"
        )
    what = f"{printed.diagrams} diagram{'s' * (printed.diagrams != 1)}"
    sys.stdout.write(f"wrote {out} ({printed.size:,} bytes, {what} drawn)\n")
    return EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook pdf`` to the command line."""
    p = subparsers.add_parser(
        "pdf", help="print the operation order to a PDF with headless Chromium"
    )
    common(p)
    p.add_argument("--out", metavar="FILE.pdf", required=True, help="the PDF to write")
    p.add_argument("--function", metavar="ID", help="the order of one function only")
    p.add_argument(
        "--browser",
        metavar="PATH",
        help="the Chromium or Chrome to print with (default: chromium on PATH)",
    )
    p.add_argument("--edition", metavar="TEXT", help="the version named on the title page")
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long to wait for the page and its diagrams (default: 120)",
    )
    p.set_defaults(run=cmd_pdf)
