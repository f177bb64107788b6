"""A cache of parsed plan files, keyed by each file's content.

Parsing is most of the cost of a check, and it depends only on a file's bytes, its path as
shown in findings, and this product's code. So the parsed values are kept between runs: a
warm check re-parses only files that changed, and under ``mkdocs serve`` editing one file
re-parses that file only. Positions are not kept: the few files that have findings are read
again when a finding needs a line and column. Validation and the link checks always run.

The cache lives outside the repository (``$PLAYBOOK_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, under ``mission-playbook/``), so a pull request cannot plant entries in it; it
is safe to delete at any time, and an entry that cannot be read is simply a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic
from generator.source import Document

_CODE = ("source.py", "diagnostics.py", "cache.py")


@dataclass
class ParsedFile:
    """What parsing one file gives, without positions: (index, start, data) per document."""

    parts: list[tuple[int, tuple[int, int], Any]]
    findings: list[Diagnostic]

    @classmethod
    def of(cls, documents: list[Document], findings: list[Diagnostic]) -> ParsedFile:
        return cls([(d.index, d.start, d.data) for d in documents], list(findings))

    def documents(self, file: str, origin: Path) -> list[Document]:
        """Documents whose positions are read again from ``origin`` when first needed."""
        return [
            Document(file, i, data, start=start, origin=origin) for i, start, data in self.parts
        ]


def _code_version() -> str:
    """A hash of the code that parses files: any change to it invalidates the cache."""
    from generator import __version__

    digest = hashlib.blake2b(f"{__version__}|{sys.version}".encode(), digest_size=16)
    here = Path(__file__).parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def default_dir() -> Path:
    """Where caches live unless told otherwise."""
    explicit = os.environ.get("PLAYBOOK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mission-playbook"


class FileCache:
    """One cache file per plans folder: {content key: ParsedFile}."""

    def __init__(self, plans: Path, directory: Path | None = None) -> None:
        self.version = _code_version()
        folder = hashlib.blake2b(str(plans.resolve()).encode(), digest_size=12).hexdigest()
        self.path = (directory or default_dir()) / f"{folder}.pickle"
        self.entries: dict[str, ParsedFile] = {}
        self.used: set[str] = set()
        self.dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with self.path.open("rb") as fh:
                version, entries = pickle.load(fh)
        except Exception:  # a missing, stale or damaged cache is a miss, never an error
            return
        if version == self.version and isinstance(entries, dict):
            self.entries = entries

    @staticmethod
    def key(file: str, raw: bytes) -> str:
        digest = hashlib.blake2b(raw, digest_size=20)
        digest.update(b"\0" + file.encode())
        return digest.hexdigest()

    def get(self, key: str) -> ParsedFile | None:
        hit = self.entries.get(key)
        if hit is not None:
            self.used.add(key)
        return hit

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.entries[key] = parsed
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Keep the entries used in this run (dropping the rest), written atomically."""
        if not self.dirty and len(self.used) == len(self.entries):
            return
        keep = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((self.version, keep), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:  # a read-only home or a full disk: run without a cache
            return
