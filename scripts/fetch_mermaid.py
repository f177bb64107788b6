#!/usr/bin/env python3
"""Fetch a pinned file of an npm package from the registry, verified: the Mermaid build the
site serves, and (``--lock``/``--dest``) axe-core for the browser tests.

Reads a lock, by default ``generator/mission_playbook/assets/mermaid.lock.json``::

    {"package": "mermaid", "version": "11.x.y", "integrity": "sha512-...",
     "member": "package/dist/mermaid.min.js", "sha256": "<hex of the extracted file>"}

runs ``npm pack <package>@<version>`` into a temporary folder, checks the tarball against the
lock's SRI ``integrity`` (base64 of its SHA-512), extracts only ``member``, checks its SHA-256
and writes it atomically to ``--dest`` (by default
``generator/mission_playbook/assets/js/mermaid.min.js``). Does nothing when that file already
has the locked SHA-256. ``--check`` only verifies the file in place. Nothing it fetches is
committed (``.gitignore``).

Standard library only. Exit codes: 0 ok, 1 verification failed or file missing, 2 usage or
environment error.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LOCK = REPO / "generator" / "mission_playbook" / "assets" / "mermaid.lock.json"
DEFAULT_DEST = REPO / "generator" / "mission_playbook" / "assets" / "js" / "mermaid.min.js"


class FetchError(Exception):
    """A verification or download failure; the message says what went wrong."""


@dataclass(frozen=True)
class Lock:
    package: str
    version: str
    integrity: str
    member: str
    sha256: str

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


def load_lock(path: Path) -> Lock:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FetchError(f"cannot read lock file {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise FetchError(f"{path}: expected a JSON object")
    fields: dict[str, str] = {}
    for key in ("package", "version", "integrity", "member", "sha256"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise FetchError(f"{path}: missing or empty string field {key!r}")
        fields[key] = value
    if not fields["integrity"].startswith("sha512-"):
        raise FetchError(f"{path}: integrity must be a sha512 SRI string")
    return Lock(**fields)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sri_sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


def is_current(dest: Path, lock: Lock) -> bool:
    return dest.is_file() and hmac.compare_digest(sha256_of(dest), lock.sha256)


def npm_pack(lock: Lock, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(f"npm is not on PATH; it is needed to fetch {lock.package}")
    cmd = [npm, "pack", lock.spec, "--pack-destination", str(workdir), "--ignore-scripts"]
    print(f"fetch_mermaid: {' '.join(cmd[1:])}", file=sys.stderr)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FetchError(f"npm pack {lock.spec} failed ({result.returncode}):\n{result.stderr}")
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise FetchError(f"expected one tarball from npm pack, found {len(tarballs)}")
    return tarballs[0]


def verify_tarball(tarball: Path, lock: Lock) -> None:
    actual = sri_sha512(tarball)
    if not hmac.compare_digest(actual, lock.integrity):
        raise FetchError(
            f"INTEGRITY MISMATCH for {lock.spec}:\n  lock:   {lock.integrity}\n  tarball: {actual}"
        )


def extract_member(tarball: Path, lock: Lock) -> bytes:
    with tarfile.open(tarball, "r:gz") as tar:
        try:
            info = tar.getmember(lock.member)
        except KeyError as exc:
            raise FetchError(f"{lock.member} not found in {tarball.name}") from exc
        fh = tar.extractfile(info) if info.isfile() else None
        if fh is None:
            raise FetchError(f"{lock.member} in {tarball.name} is not a regular file")
        data = fh.read()
    actual = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(actual, lock.sha256):
        raise FetchError(
            f"SHA-256 MISMATCH for {lock.member}:\n  lock:      {lock.sha256}\n"
            f"  extracted: {actual}"
        )
    return data


def write_atomically(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fetch(lock: Lock, dest: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="fetch-mermaid-") as tmp:
        tarball = npm_pack(lock, Path(tmp))
        verify_tarball(tarball, lock)
        data = extract_member(tarball, lock)
    write_atomically(dest, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only verify the file in place")
    parser.add_argument("--force", action="store_true", help="fetch even if the file is current")
    parser.add_argument("--lock", type=Path, default=DEFAULT_LOCK, help="lock file to read")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="file to write")
    args = parser.parse_args(argv)

    try:
        lock = load_lock(args.lock)
        if args.check:
            if not is_current(args.dest, lock):
                print(f"fetch_mermaid: {args.dest} is missing or not {lock.spec}", file=sys.stderr)
                return 1
            print(f"fetch_mermaid: {args.dest} is {lock.spec} (sha256 ok)")
            return 0
        if not args.force and is_current(args.dest, lock):
            print(f"fetch_mermaid: {args.dest} is up to date ({lock.spec})")
            return 0
        fetch(lock, args.dest)
    except FetchError as exc:
        print(f"fetch_mermaid: ERROR: {exc}", file=sys.stderr)
        return 1
    print(f"fetch_mermaid: wrote {args.dest} ({lock.spec}, integrity verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
