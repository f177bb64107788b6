"""The ``playbook`` command: a thin layer over the core library.

Exit codes: 0 no errors, 1 errors (or warnings under ``--strict``), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from generator import __version__
from generator.cache import CheckCache
from generator.config import ConfigError, Settings, load_settings, read_plans
from generator.files import Sources
from generator.report import FORMATS, render

TYPE_CHECKING = False  # typing is imported for the type checker only (generator.values)
if TYPE_CHECKING:
    from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

#: Modules that add subcommands: each has ``register(subparsers, common)`` where ``common``
#: adds the shared --plans/--config options, and sets ``run`` to a function of the arguments.
EXTENSIONS: tuple[str, ...] = ("generator.diff", "generator.authoring")


class _Formatter(argparse.HelpFormatter):
    """argparse's help at the terminal's width, found as ``shutil`` finds it, without
    importing ``shutil`` (2 ms of a check that changed nothing)."""

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                columns = 0
            columns = columns or 80
        super().__init__(prog, width=columns - 2)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        #: makes the whole command line, whose usage an error prints (built only then)
        self.whole: Callable[[], argparse.ArgumentParser] | None = None

    def error(self, message: str) -> None:  # type: ignore[override]
        (self.whole() if self.whole else self).print_usage(sys.stderr)
        sys.stderr.write(f"playbook: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from mkdocs.yml (``--config``, else ./mkdocs.yml if any) and ``--plans``."""
    config = Path(args.config) if args.config else None
    if config is None and Path("mkdocs.yml").is_file():
        config = Path("mkdocs.yml")
    return load_settings(config, Path(args.plans) if args.plans else None)


def cmd_check(args: argparse.Namespace) -> int:
    """Check the plans; when nothing that decides the result changed, repeat the last output."""
    settings = settings_from_args(args)
    sources = read_plans(settings.plans, settings.max_file_size)
    store = CheckCache(settings.plans, settings.cache_dir) if settings.cache else None
    key = store.key(sources, settings, args.format, args.strict) if store else ""
    hit = store.get(key) if store else None
    if hit is None:
        hit = _check(settings, sources, args.format, args.strict)
        if store:
            store.put(key, *hit)
    sys.stdout.write(hit[0])
    return hit[1]


def _check(settings: Settings, sources: Sources, fmt: str, strict: bool) -> tuple[str, int]:
    """The check's output and exit code."""
    from generator.playbook import load  # the model: imported only when there is work to do

    playbook = load(settings.plans, settings, sources)
    failing = playbook.errors or (strict and playbook.warnings)
    return render(playbook, fmt), EXIT_FINDINGS if failing else EXIT_OK


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
    from generator.playbook import load

    playbook = load(settings.plans, settings)
    if playbook.errors:
        sys.stderr.write(render(playbook, "text"))
        sys.stderr.write("playbook: not rendered: fix the errors above first\n")
        return EXIT_FINDINGS
    from generator import output, pages  # Jinja2 is needed only here

    options = pages.Options(templates=settings.templates)
    try:
        written = output.write_tree(Path(args.out), pages.render(playbook, options))
    except ValueError as exc:  # a path that would leave the output folder: nothing written
        sys.stderr.write(f"playbook: not rendered: {exc}\n")
        return EXIT_FINDINGS
    sys.stdout.write(f"wrote {written} pages to {args.out}\n")
    return EXIT_OK


def common(p: argparse.ArgumentParser) -> None:
    """The options every command that reads plans shares."""
    p.add_argument("--plans", metavar="DIR", help="the plans folder (default: from mkdocs.yml)")
    p.add_argument("--config", metavar="FILE", help="mkdocs.yml with the playbook plugin's options")


BUILT_IN = ("check", "render")


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only`` a built-in command leaves out the others (and does not
    import the extensions): a check that changed nothing answers in a few tens of ms."""
    p = _Parser(
        prog="playbook", description="Mission plan playbooks: check the ladder, build the site."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    if only in (None, "check"):
        check = sub.add_parser("check", help="check that every plan links up to the mission")
        common(check)
        check.add_argument("--format", choices=FORMATS, default="text", help="output format")
        check.add_argument("--strict", action="store_true", help="fail on warnings too")
        check.set_defaults(run=cmd_check)

    if only in (None, "render"):
        rend = sub.add_parser("render", help="write the site's Markdown pages to a folder")
        common(rend)
        rend.add_argument(
            "--out", metavar="DIR", required=True, help="the folder to write pages to"
        )
        rend.add_argument(
            "--templates", metavar="DIR", help="template overrides (default: templates)"
        )
        rend.set_defaults(run=cmd_render)

    for name in EXTENSIONS if only is None else ():
        importlib.import_module(name).register(sub, common)
    if only is not None:
        p.whole = parser
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser(argv[0] if argv and argv[0] in BUILT_IN else None).parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        sys.stderr.write(f"playbook: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
