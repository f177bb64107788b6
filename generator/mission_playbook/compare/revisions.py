"""Where the other version of a plan comes from: a git revision, a published version, a folder.

``load_revision`` loads the plans folder of a git revision (through ``git archive``) or a
plans folder on disk. ``previous_version`` names the newest published version (mike's
``versions.json`` on ``gh-pages``, else the newest tag), and ``changes_base`` gives the
snapshot the site's "What changed" page compares with: loaded once per commit, kept in
memory across ``mkdocs serve``'s rebuilds and as JSON in the cache (``cache.BaseCache``).
"""

from __future__ import annotations

import io
import json
import posixpath
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mission_playbook.compare.snapshot import Snapshot, snapshot
from mission_playbook.model.cache import BaseCache
from mission_playbook.model.config import ConfigError, Settings
from mission_playbook.model.diagnostics import Location
from mission_playbook.model.files import display_path
from mission_playbook.playbook import Playbook, load


class RevisionError(ConfigError):
    """A revision or folder that cannot be loaded: one line for the user, exit code 2."""


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc.strerror}") from None


def find_repo_root(cwd: Path | None = None) -> Path:
    """The top folder of the git work tree holding ``cwd``."""
    done = _git(["rev-parse", "--show-toplevel"], cwd or Path.cwd())
    if done.returncode != 0:
        raise RevisionError("not inside a git repository: give plans folders to compare instead")
    return Path(done.stdout.decode().strip())


def plans_path_in(repo: Path, plans: Path) -> str:
    """The plans folder as a path relative to the repository root (POSIX, '.' for the root)."""
    try:
        rel = plans.resolve().relative_to(repo.resolve())
    except ValueError:
        raise RevisionError(
            f"the plans folder {plans} is not inside the git repository {repo}"
        ) from None
    return rel.as_posix() or "."


# --- loading a revision --------------------------------------------------------------------


def _extract(archive: bytes, rel: str, dest: Path) -> None:
    """Unpack a ``git archive`` of the plans folder, refusing anything outside it."""
    import tarfile

    if not hasattr(tarfile, "data_filter"):  # pragma: no cover - Python before 3.11.4
        raise RevisionError("reading a git revision needs Python 3.11.4 or later")
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        members = tar.getmembers()
        for member in members:
            name = posixpath.normpath(member.name)
            inside = rel == "." or name == rel or name.startswith(rel + "/")
            inside = inside or (member.isdir() and rel.startswith(name + "/"))  # its parents
            if name.startswith(("/", "../")) or name == ".." or not inside:
                raise RevisionError(f"refusing '{member.name}': it is outside '{rel}'")
        try:
            tar.extractall(dest, members=members, filter="data")
        except tarfile.TarError as exc:
            raise RevisionError(f"refusing the archive of '{rel}': {exc}") from None


def _relocate(playbook: Playbook, old_root: str, new_root: str, root: Path) -> Playbook:
    """Make a playbook loaded from a temporary folder name its files as in the repository."""

    def move(file: str) -> str:
        if file == old_root:
            return new_root
        if file.startswith(old_root + "/"):
            return new_root + file[len(old_root) :]
        return file

    def loc(location: Location) -> Location:
        return location.replace(file=move(location.file))

    docs = {id(n.doc): n.doc for n in playbook.nodes.values()}
    for doc in docs.values():
        doc.file = move(doc.file)
    playbook.diagnostics = [
        d.replace(
            message=d.message.replace(old_root + "/", new_root + "/"),
            location=loc(d.location),
            related=tuple(loc(r) for r in d.related),
        )
        for d in playbook.diagnostics
    ]
    playbook.files = [move(f) for f in playbook.files]
    playbook.root = root
    return playbook


def load_revision(
    rev_or_folder: str,
    plans_rel: str | Path,
    repo_root: Path | None = None,
    settings: Settings | None = None,
) -> Playbook:
    """Load a plans folder on disk, or the folder ``plans_rel`` of a git revision.

    An existing folder wins over a revision of the same name. A revision whose tree has no
    plans folder gives an empty playbook (everything in the other side is then added).
    """
    settings = settings or Settings()
    folder = Path(rev_or_folder)
    if folder.is_dir():
        return load(folder, settings.replace(plans=folder))
    root = repo_root if repo_root is not None else find_repo_root()
    rel = Path(plans_rel).as_posix().strip("/") or "."
    if rev_or_folder.startswith("-") or not rev_or_folder:
        raise RevisionError(f"'{rev_or_folder}' is neither a plans folder nor a git revision")
    done = _git(["rev-parse", "--verify", "--quiet", f"{rev_or_folder}^{{commit}}"], root)
    if done.returncode != 0:
        raise RevisionError(f"'{rev_or_folder}' is neither a plans folder nor a git revision")
    commit = done.stdout.decode().strip()
    spec = "" if rel == "." else rel
    exists = _git(["cat-file", "-e", f"{commit}:{spec}"], root).returncode == 0
    with tempfile.TemporaryDirectory(prefix="playbook-diff-") as tmp:
        dest = Path(tmp)
        if exists:
            archived = _git(
                ["--literal-pathspecs", "archive", "--format=tar", commit, "--", rel], root
            )
            if archived.returncode != 0:
                message = archived.stderr.decode(errors="replace").strip().splitlines()
                raise RevisionError(
                    f"git archive {rev_or_folder} failed: {message[-1] if message else ''}"
                )
            _extract(archived.stdout, rel, dest)
        plans = dest / rel
        plans.mkdir(parents=True, exist_ok=True)
        playbook = load(plans, settings.replace(plans=plans, cache=False))
        return _relocate(playbook, display_path(plans), display_path(root / rel), root / rel)


# --- the "What changed" base ----------------------------------------------------------------


def previous_version(repo: Path) -> str | None:
    """The git tag of the newest published version that is not the commit being built.

    Published versions are read from ``versions.json`` on the ``gh-pages`` branch (mike); a
    version ``2027.1`` matches a tag ``2027.1`` or ``v2027.1``. Without published versions,
    the newest tag before ``HEAD`` is used.
    """
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], repo).stdout.decode().strip()
    listed = _git(["show", "gh-pages:versions.json"], repo)
    names: list[str] = []
    if listed.returncode == 0:
        try:
            entries = json.loads(listed.stdout.decode())
            names = [str(e["version"]) for e in entries if isinstance(e, dict) and "version" in e]
        except (ValueError, KeyError, TypeError):
            names = []
    for name in names:
        for tag in (name, f"v{name}"):
            found = _git(["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], repo)
            commit = found.stdout.decode().strip()
            if found.returncode == 0 and commit and commit != head:
                return tag
    described = _git(["describe", "--tags", "--abbrev=0", "HEAD^"], repo)
    if described.returncode != 0:
        return None
    return described.stdout.decode().strip() or None


#: Base snapshots loaded from git, by what they depend on (``cache.BaseCache.key``).
Bases = dict[str, Snapshot]


def changes_base(
    base_spec: str, settings: Settings, bases: Bases | None = None
) -> tuple[str, Snapshot] | None:
    """(its name, its snapshot): the base the site's "What changed" page compares with; None
    when there is none (``off``, outside a git repository, no earlier version).

    ``base_spec`` is a git revision, a plans folder, ``auto`` (the previous published
    version, see :func:`previous_version`) or ``off``. A git revision's playbook is loaded
    once per commit: its snapshot is kept in ``bases`` (the plugin keeps it across the
    rebuilds of ``mkdocs serve``) and in the cache (``cache.BaseCache``) for the next build.
    A plans folder is always read again.
    """
    if base_spec == "off":
        return None
    try:
        root = find_repo_root(settings.plans.resolve())
    except RevisionError:
        return None
    base_name = previous_version(root) if base_spec == "auto" else base_spec
    if base_name is None:
        return None
    rel = plans_path_in(root, settings.plans)
    return base_name, _base(base_name, rel, root, settings, {} if bases is None else bases)


def _base(base_name: str, rel: str, root: Path, settings: Settings, bases: Bases) -> Snapshot:
    """The snapshot at ``base_name``, from ``bases`` or the cache when it is a git commit
    loaded before."""
    commit = _commit_of(base_name, root)
    if commit is None:  # a plans folder (it can change), or not a revision: say why
        return snapshot(load_revision(base_name, rel, root, settings))
    key = BaseCache.key(commit, rel, settings)
    base = bases.get(key)
    if base is not None:
        return base
    store = BaseCache(settings.plans, settings.cache_dir) if settings.cache else None
    base = Snapshot.from_json(store.get(key)) if store is not None else None
    if base is None:
        base = snapshot(load_revision(commit, rel, root, settings))  # the commit the key names
        if store is not None:
            store.put(key, base.to_json())
    bases.clear()  # only the latest base is kept
    bases[key] = base
    return base


def _commit_of(base_name: str, root: Path) -> str | None:
    """The commit a git revision names; None for a plans folder or a name git does not know."""
    if Path(base_name).is_dir() or base_name.startswith("-"):
        return None
    done = _git(["rev-parse", "--verify", "--quiet", f"{base_name}^{{commit}}"], root)
    commit = done.stdout.decode().strip()
    return commit if done.returncode == 0 and commit else None
