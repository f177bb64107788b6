"""Writing output safely: inside the output folder only, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_tree(out: Path, files: Mapping[str, str | bytes]) -> int:
    """Write ``{relative path: text or bytes}`` as a new folder ``out``, replacing it only on
    success.

    Files are written into a temporary folder beside ``out`` which then takes its place, so a
    failure leaves the previous ``out`` as it was. A path that would leave ``out`` is refused.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        root = staging.resolve()
        for rel, text in files.items():
            target = (staging / rel).resolve()
            if not target.is_relative_to(root) or Path(rel).is_absolute():
                raise ValueError(f"refusing to write outside the output folder: {rel}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
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


def write_file_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8, line ends as given; or bytes) to ``path`` all or nothing.

    The text goes to a temporary file in the same folder, which then replaces ``path`` with
    ``os.replace``; a failure leaves ``path`` as it was. An existing file keeps its permissions.
    """
    path = Path(path)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
