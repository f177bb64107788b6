"""Caches keyed by content: parsed plan files, and whole check results.

The core never opens a cache by itself: the command line and the MkDocs plugin make the ones
the settings allow (``file_cache``, ``options_cache``) and pass them in. On the measured warm
path of ``playbook check`` (a check that changed nothing): the value classes of
``model/values.py``, ``typing`` for the type checker only, and the parser, the model, pickle
and tempfile imported where they are used.

Parsing is most of the cost of a check, and it depends only on a file's bytes, its path as
shown in findings, and this product's code. So the parsed values are kept between runs
(``FileCache``): under ``mkdocs serve`` editing one file re-parses that file only. What is
kept is plain values (the documents' data, and each finding as a tuple), not the model's
classes. Positions are not kept: the few files that have findings are read again when a
finding needs a line and column.

The "What changed" page compares the playbook with a git revision, the previous published
version; a snapshot of that revision's playbook, as plain JSON values, is kept too
(``BaseCache``), by its commit: a commit never changes, so a build reads it back instead of
loading the revision again.

``playbook check`` also keeps its whole output (``CheckCache``), keyed by every plan file's
name and bytes, the settings, the options, the working folder and the product's code: when
nothing changed, a check reads the files, finds the key and prints the same output without
loading the model at all; the ``playbook`` plugin's options are kept by the bytes of
mkdocs.yml (``OptionsCache``), so it does not parse YAML either. These three are JSON files
(``JsonStore``): nothing in them is ever executed.

The cache lives outside the repository (``$PLAYBOOK_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, under ``mission-playbook/``), so a pull request cannot plant entries in it; it
is safe to delete at any time, and an entry that cannot be read is simply a miss.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from mission_playbook.model.diagnostics import Diagnostic, Location, Severity
from mission_playbook.model.files import Sources
from mission_playbook.model.values import Fields

try:  # blake2 without loading OpenSSL, which `hashlib` does (5 ms of a check's 40)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python than CPython
    from hashlib import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:  # the parser and the model are imported only when needed; typing neither
    from typing import Any

    from mission_playbook.model.config import Settings
    from mission_playbook.model.source import Document

#: The modules whose code decides what parsing a file gives.
_PARSE_CODE = ("model/source.py", "model/diagnostics.py", "model/values.py", "model/cache.py")


#: A document as the cache keeps it: its index, start, plain values and nodes' positions.
Part = tuple[int, tuple[int, int], "Any", dict[tuple[str | int, ...], tuple[int, int]]]


class ParsedFile(Fields):
    """What parsing one file gives, without positions but the nodes' (``Document.starts``):
    (index, start, data, starts) per document."""

    __slots__ = ("parts", "findings")

    def __init__(self, parts: list[Part], findings: list[Diagnostic]) -> None:
        self.parts = parts
        self.findings = findings

    @classmethod
    def of(cls, documents: list[Document], findings: list[Diagnostic]) -> ParsedFile:
        return cls([(d.index, d.start, d.data, d.starts) for d in documents], list(findings))

    def stored(self) -> tuple[list[Part], list[tuple[Any, ...]]]:
        """Plain values to keep: each finding as (code, message, place, severity, related)."""
        findings = [
            (
                d.code,
                d.message,
                d.location.fields(),
                d.severity.value,
                [r.fields() for r in d.related],
            )
            for d in self.findings
        ]
        return self.parts, findings

    @classmethod
    def from_stored(cls, value: Any) -> ParsedFile | None:
        """What ``stored`` gave, back; None when it has another shape (an old cache)."""
        try:
            parts, findings = value
            if any(len(part) != 4 for part in parts):
                return None
            return cls(
                list(parts),
                [
                    Diagnostic(
                        code,
                        message,
                        Location(*place),
                        Severity(severity),
                        tuple(Location(*r) for r in related),
                    )
                    for code, message, place, severity, related in findings
                ],
            )
        except (TypeError, ValueError):
            return None

    def documents(self, file: str, origin: Path) -> list[Document]:
        """Documents whose positions are read again from ``origin`` when first needed."""
        from mission_playbook.model.source import Document

        return [
            Document(file, i, data, start=start, origin=origin, starts=starts)
            for i, start, data, starts in self.parts
        ]


#: Libraries whose upgrade can change what a check says (parsing).
LIBRARIES = ("ruamel.yaml",)


def _libraries() -> str:
    """Where each library in LIBRARIES is installed, and its file's size and time: an upgrade
    or a reinstall changes them (found without importing the libraries)."""
    import importlib.util

    parts = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            info = os.stat(origin)
            parts.append(f"{name}={origin}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(parts)


def code_stamp(names: tuple[str, ...] | None = None) -> str:
    """A stamp of the product's version and code (``names``, else every module of it: each
    one's size and time, as Python's own bytecode cache checks a module), the Python that
    runs it and the libraries it uses."""
    from mission_playbook import __version__

    digest = blake2b(f"{__version__}|{sys.version}|{_libraries()}".encode(), digest_size=16)
    package = Path(__file__).parent.parent  # mission_playbook/
    digest.update(str(package).encode())
    for path in sorted(package / n for n in names) if names else sorted(package.rglob("*.py")):
        info = path.stat()  # and ctime: a copy that keeps the mtime (cp -p, tar) changes it
        name = path.relative_to(package).as_posix()
        stamp = f"{name}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}\0"
        digest.update(stamp.encode())
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; a cache that cannot be written is skipped."""
    import tempfile  # only when writing: it imports more than the warm path needs

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:  # a read-only home or a full disk: run without a cache
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _read_pickle(path: Path) -> Any:
    """What a pickle cache file holds; None when it is missing or damaged (a miss, never an
    error). The other caches are JSON: only parsed files use pickle."""
    import pickle

    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:
        return None


def _folder_name(plans: Path) -> str:
    return blake2b(str(plans.resolve()).encode(), digest_size=12).hexdigest()


def default_dir() -> Path:
    """Where caches live unless told otherwise."""
    explicit = os.environ.get("PLAYBOOK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mission-playbook"


class FileCache:
    """One cache file per plans folder: {content key: ``ParsedFile.stored()``}."""

    def __init__(self, plans: Path, directory: Path | None = None) -> None:
        self.version = code_stamp(_PARSE_CODE)
        self.path = (directory or default_dir()) / f"{_folder_name(plans)}.pickle"
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.dirty = False
        self._load()

    def _load(self) -> None:
        stored = _read_pickle(self.path)
        if isinstance(stored, tuple) and len(stored) == 2:
            version, entries = stored
            if version == self.version and isinstance(entries, dict):
                self.entries = entries

    @staticmethod
    def key(file: str, raw: bytes) -> str:
        digest = blake2b(raw, digest_size=20)
        digest.update(b"\0" + file.encode())
        return digest.hexdigest()

    def get(self, key: str) -> ParsedFile | None:
        hit = ParsedFile.from_stored(self.entries[key]) if key in self.entries else None
        if hit is not None:
            self.used.add(key)
        return hit

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.entries[key] = parsed.stored()
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Keep the entries used in this run (dropping the rest), written atomically."""
        if not self.dirty and len(self.used) == len(self.entries):
            return
        import pickle

        keep = {k: v for k, v in self.entries.items() if k in self.used}
        write_atomic(self.path, pickle.dumps((self.version, keep), pickle.HIGHEST_PROTOCOL))


def file_cache(settings: Settings) -> FileCache | None:
    """The parsed-file cache of the settings' plans folder, or None under ``cache: false``:
    what the command line and the plugin pass to ``load``."""
    return FileCache(settings.plans, settings.cache_dir) if settings.cache else None


class BaseCache:
    """The snapshot of the last git revision compared with one plans folder (plain JSON
    values, ``compare/snapshot.py``), by everything it depends on (``key``); one entry."""

    def __init__(self, plans: Path, directory: Path | None = None) -> None:
        path = (directory or default_dir()) / f"{_folder_name(plans)}.base.json"
        self.store = JsonStore(path, keep=1)

    @property
    def path(self) -> Path:
        return self.store.path

    @staticmethod
    def key(commit: str, rel: str, settings: object) -> str:
        """The product's code, the commit, the folder in its tree, the settings and the
        working folder (file names in findings are relative to it)."""
        parts = f"{code_stamp()}\0{commit}\0{rel}\0{settings!r}\0{os.getcwd()}"
        return blake2b(parts.encode(), digest_size=20).hexdigest()

    def get(self, key: str) -> Any:
        """The JSON value stored under ``key``, or None (a missing or damaged file too)."""
        return self.store.get(key)

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON values) under ``key``, replacing the entry kept before."""
        self.store.put(key, value)


class JsonStore:
    """A JSON file of the last ``keep`` values by key, newest last (nothing in it is ever
    executed); a missing or damaged file is empty, one that cannot be written is skipped."""

    def __init__(self, path: Path, keep: int = 8) -> None:
        self.path = path
        self.keep = keep
        self._read: dict[str, Any] | None = None

    def _entries(self) -> dict[str, Any]:
        """The stored entries, read from disk once (a miss reads them, then adds one)."""
        if self._read is None:
            try:
                data = json.loads(self.path.read_bytes())
            except Exception:  # a missing or damaged cache is a miss, never an error
                data = {}
            self._read = data if isinstance(data, dict) else {}
        return self._read

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return self._entries().get(key)

    def put(self, key: str, value: Any) -> None:
        entries = self._entries()
        entries.pop(key, None)
        entries[key] = value
        self._read = dict(list(entries.items())[-self.keep :])
        write_atomic(self.path, json.dumps(self._read).encode())


class CheckCache:
    """The last few outputs of ``playbook check`` on one plans folder, by all of their inputs:
    text and an exit code."""

    def __init__(self, plans: Path, directory: Path | None = None) -> None:
        self.store = JsonStore((directory or default_dir()) / f"{_folder_name(plans)}.check.json")

    def key(self, sources: Sources, *inputs: object) -> str:
        """A digest of the code, every input given (settings, options) and every file read."""
        digest = blake2b(code_stamp().encode(), digest_size=20)
        for item in (os.getcwd(), *inputs):
            digest.update(b"\0" + repr(item).encode())
        for source in sources.files:
            digest.update(b"\0" + source.file.encode() + b"\0")
            digest.update(b"-" if source.raw is None else source.raw)
        for finding in sources.findings.items:  # why a file could not be read
            digest.update(b"\0" + str(finding).encode())
        return digest.hexdigest()

    def get(self, key: str) -> tuple[str, int] | None:
        """The output and exit code recorded for ``key``, if any."""
        hit = self.store.get(key)
        if isinstance(hit, list) and len(hit) == 2:
            output, code = hit
            if isinstance(output, str) and isinstance(code, int):
                return output, code
        return None

    def put(self, key: str, output: str, code: int) -> None:
        self.store.put(key, [output, code])


class OptionsCache:
    """The ``playbook`` plugin's options as last read from an mkdocs.yml, by the file's bytes:
    a check whose result is cached then parses no YAML at all (``model/config.py``'s
    ``load_settings`` uses one when the command line passes it)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.store = JsonStore((directory or default_dir()) / "mkdocs-options.json")

    @staticmethod
    def key(raw: bytes) -> str:
        return blake2b(code_stamp().encode() + b"\0" + raw, digest_size=20).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        hit = self.store.get(key)
        return hit if isinstance(hit, dict) else None

    def put(self, key: str, options: dict[str, Any]) -> None:
        """Store ``options`` when JSON gives them back exactly (plain strings, numbers, lists)."""
        try:
            exact = json.loads(json.dumps(options)) == options
        except (TypeError, ValueError):  # a date, a set, a key that is not a string
            exact = False
        if exact:
            self.store.put(key, options)
