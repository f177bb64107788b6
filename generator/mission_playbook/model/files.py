"""Finding and reading plan files: bounded, never leaving the plans folder, read once.

Parsing them is ``model/source.py``; this module does not import a YAML library, so a check
whose result is cached reads the files and stops here. On that measured warm path: the value
classes of ``model/values.py`` instead of dataclasses.
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG

from mission_playbook.model.diagnostics import Findings, Location
from mission_playbook.model.values import Fields

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
PLAN_SUFFIXES = (".yaml", ".yml")


def plan_files(root: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``root``, sorted, never leaving ``root``.

    Symbolic links are followed only when they resolve inside ``root``, and a file is read
    once however many links lead to it (by its own name when it is listed itself); hidden
    files and folders are skipped.
    """
    return [Path(p) for p in _plan_paths(root)]


def _plan_paths(root: Path) -> list[str]:
    """``plan_files`` as strings, sorted as paths sort (a playbook has thousands)."""
    real_root = root.resolve()
    seen: set[Path] = set()
    plain: dict[str, str] = {}  # real path -> path, for files that are not links
    linked: dict[Path, str] = {}  # real path -> the first path, in order, of links to it
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = Path(dirpath).resolve()
        if real in seen:  # a link back to a folder already read
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and _inside(Path(dirpath, d), real_root)
        ]
        real_dir = str(real)
        for name in filenames:
            if not name.endswith(PLAN_SUFFIXES) or name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):  # in a folder already known to be inside
                plain[os.path.join(real_dir, name)] = path
                continue
            target = _resolve(Path(path))
            if target is not None and target.is_relative_to(real_root):
                linked[target] = min(path, linked.get(target, path), key=_parts)
    chosen = {str(target): path for target, path in linked.items()}
    chosen.update(plain)
    return sorted(chosen.values(), key=_parts)


def _parts(path: str) -> list[str]:
    return path.split(os.sep)


def _resolve(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None


def _inside(path: Path, real_root: Path) -> bool:
    real = _resolve(path)
    return real is not None and real.is_relative_to(real_root)


def display_path(path: str | Path, cwd: str | None = None) -> str:
    """A path as users see it: relative to the working folder when under it."""
    cwd = cwd or os.getcwd()
    text = os.path.normpath(os.path.join(cwd, path))
    if text.startswith(cwd + os.sep):
        return text[len(cwd) + 1 :].replace(os.sep, "/")
    return Path(path).as_posix()


#: Opening never waits for a writer (a named pipe) and never leaks into a child process.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read(fd: int, count: int) -> bytes:
    """Up to ``count`` bytes, fewer only at the end of the file (no buffered file object:
    a check that changed nothing reads every plan file, and its time is mostly fixed costs)."""
    chunks = []
    while count > 0:
        chunk = os.read(fd, count)
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_bytes(
    path: str | Path, file: str, findings: Findings, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> bytes | None:
    """A plan file's bytes, or None (with a finding) when too big or unreadable.

    Only regular files are read (a named pipe or a device would block or never end), and
    never more than ``max_bytes + 1`` bytes, whatever the file's size said a moment before.
    The file is checked after it is opened, so what is checked is what is read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not S_ISREG(info.st_mode):
                findings.add(
                    "PB001", "not a regular file; a plan file is a text file", Location(file, 1, 1)
                )
                return None
            size = info.st_size
            if size <= max_bytes:
                raw = _read(fd, size + 1)  # a buffer of the file's size, not of the limit
                if len(raw) > size:  # it grew since: read on, up to the limit
                    raw += _read(fd, max_bytes + 1 - len(raw))
                if len(raw) <= max_bytes:
                    return raw
                size = len(raw)
        finally:
            os.close(fd)
        findings.add(
            "PB001",
            f"the file is {size:,} bytes, over the limit of {max_bytes:,}; split it",
            Location(file, 1, 1),
        )
        return None
    except OSError as exc:
        findings.add("PB001", f"the file cannot be read: {exc.strerror}", Location(file, 1, 1))
        return None


class Source(Fields):
    """One plan file as read: its path, its name as shown in findings, and its bytes.

    ``raw`` is None when the file could not be read; the finding saying why is in the
    ``Sources`` it belongs to.
    """

    __slots__ = ("path", "file", "raw")

    def __init__(self, path: Path, file: str, raw: bytes | None) -> None:
        self.path = path
        self.file = file
        self.raw = raw


class Sources(Fields):
    """Every plan file of a plans folder, read once, with the findings of reading them."""

    __slots__ = ("root", "files", "findings")

    def __init__(self, root: Path, files: list[Source], findings: Findings) -> None:
        self.root = root
        self.files = files
        self.findings = findings


def read_sources(root: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Sources:
    """Read every plan file under ``root``; the caller checks that ``root`` is a folder."""
    findings = Findings()
    cwd = os.getcwd()
    files = []
    for path in _plan_paths(root):
        file = display_path(path, cwd)
        files.append(Source(Path(path), file, read_bytes(path, file, findings, max_bytes)))
    return Sources(root, files, findings)
