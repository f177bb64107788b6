"""``playbook check``: the linkage check, for people, tools and CI.

On the measured warm path: when nothing that decides the result changed, the stored output is
printed again without importing the model or the report (``model/cache.py``'s ``CheckCache``);
``typing`` is imported for the type checker only (``model/values.py``).
"""

from __future__ import annotations

import argparse
import sys

from mission_playbook.cli import EXIT_FINDINGS, EXIT_OK, settings_from_args
from mission_playbook.model.cache import CheckCache, file_cache
from mission_playbook.model.config import Settings, read_plans
from mission_playbook.model.files import Sources

TYPE_CHECKING = False  # typing is imported for the type checker only (model/values.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: ``views/report.py``'s formats, named here so that a warm check does not import it (a test
#: keeps the two the same).
FORMATS = ("text", "json", "github")


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
    # the model and the report: imported only when there is work to do
    from mission_playbook.playbook import load
    from mission_playbook.views.report import check_output

    playbook = load(settings.plans, settings, sources, file_cache(settings))
    failing = playbook.errors or (strict and playbook.warnings)
    return check_output(playbook, fmt), EXIT_FINDINGS if failing else EXIT_OK


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``playbook check`` to the command line."""
    p = subparsers.add_parser("check", help="check that every plan links up to the mission")
    common(p)
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.set_defaults(run=cmd_check)
