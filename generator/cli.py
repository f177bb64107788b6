"""The ``playbook`` command: a thin layer over the core library.

Exit codes: 0 no errors, 1 errors (or warnings under ``--strict``), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.config import ConfigError, Settings, load_settings
from generator.playbook import load
from generator.report import FORMATS, render

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"playbook: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _settings(args: argparse.Namespace) -> Settings:
    config = Path(args.config) if args.config else None
    if config is None and Path("mkdocs.yml").is_file():
        config = Path("mkdocs.yml")
    return load_settings(config, Path(args.plans) if args.plans else None)


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    playbook = load(settings.plans, settings)
    sys.stdout.write(render(playbook, args.format))
    failing = playbook.errors or (args.strict and playbook.warnings)
    return EXIT_FINDINGS if failing else EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="playbook", description="Mission plan playbooks: check the ladder, build the site."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="check that every plan links up to the mission")
    check.add_argument(
        "--plans", metavar="DIR", help="the plans folder (default: from mkdocs.yml, else plans)"
    )
    check.add_argument(
        "--config", metavar="FILE", help="mkdocs.yml holding the playbook plugin's options"
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="output format")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=cmd_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        sys.stderr.write(f"playbook: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
