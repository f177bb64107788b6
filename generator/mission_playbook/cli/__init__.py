"""The ``playbook`` command: a thin layer over the core library, one module per command.

Each module of this package named in ``COMMANDS`` has ``register(subparsers, common)``, which
adds its subcommand (``common`` adds the shared --plans/--config options) and sets ``run`` to
a function of the parsed arguments that returns the exit code. No library module imports this
package.

This module is on the measured warm path of ``playbook check`` (a check that changed nothing
prints its stored output in a few tens of ms): ``typing`` is imported for the type checker
only, and only the command asked for is imported and built.

Exit codes: 0 no errors, 1 errors (or warnings under ``--strict``), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mission_playbook import __version__
from mission_playbook.model.cache import OptionsCache
from mission_playbook.model.config import ConfigError, Settings, load_settings

TYPE_CHECKING = False  # typing is imported for the type checker only (model/values.py)
if TYPE_CHECKING:
    from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

#: Subcommand → the module of this package that registers it, in the order of ``--help``.
COMMANDS: dict[str, str] = {
    "check": "check",
    "render": "render",
    "diff": "diff",
    "new": "author",
    "fmt": "author",
    "rename": "author",
    "schema": "author",
    "review": "review",
    "codeowners": "codeowners",
    "init": "init",
    "actuals": "actuals",
    "export": "export",
    "pdf": "pdf",
}


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
    """Settings from mkdocs.yml (``--config``, else ./mkdocs.yml if any) and ``--plans``; the
    options are kept in the user's cache folder (``model/cache.py``'s ``OptionsCache``)."""
    config = Path(args.config) if args.config else None
    if config is None and Path("mkdocs.yml").is_file():
        config = Path("mkdocs.yml")
    return load_settings(config, Path(args.plans) if args.plans else None, OptionsCache())


def common(p: argparse.ArgumentParser) -> None:
    """The options every command that reads plans shares."""
    p.add_argument("--plans", metavar="DIR", help="the plans folder (default: from mkdocs.yml)")
    p.add_argument("--config", metavar="FILE", help="mkdocs.yml with the playbook plugin's options")


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only`` a command builds that one alone (and imports no other
    command's module): a check that changed nothing answers in a few tens of ms."""
    p = _Parser(
        prog="playbook", description="Mission plan playbooks: check the ladder, build the site."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    modules = [COMMANDS[only]] if only is not None else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(f"{__name__}.{name}").register(sub, common)
    if only is not None:
        p.whole = parser
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    args = parser(only).parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        sys.stderr.write(f"playbook: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
