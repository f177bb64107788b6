"""Writing output safely: inside the output folder only, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_tree(out: Path, files: Mapping[str, str]) -> int:
    """Write ``{relative path: text}`` as a new folder ``out``, replacing it only on success.

    Files are written into a temporary folder beside ``out`` which then takes its place, so a
    failure leaves the previous ``out`` as it was. A path that would leave ``out`` is refused.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        root = staging.resolve()
        for rel, text in files.items():
            target = (staging / rel).resolve()
            if not target.is_relative_to(root) or Path(rel).is_absolute():
                raise ValueError(f"refusing to write outside the output folder: {rel}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(files)


def swap(new: Path, target: Path) -> None:
    """Put folder ``new`` in place of ``target`` (which may not exist), then drop the old one."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
