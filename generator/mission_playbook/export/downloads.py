"""The home page's downloads (the playbook as JSON and as a workbook), made in a second
process while MkDocs writes the pages.

The two files take a twentieth of a 1,000-node build and half a second of every rebuild
under ``mkdocs serve``, and depend on nothing MkDocs does. So the plugin hands the plan files
it read (their bytes, so that the second process sees exactly what the pages were made from)
and its settings to ``python -m mission_playbook.export.downloads`` when the build starts
and writes what it gives back once the pages are written (``on_post_build``). The second
process loads the playbook as the first did (with the parsed-files cache the first one left),
so the files are the same bytes as made in the building process; when it fails for any
reason, they are made there instead. On a machine with one core this costs the second
process's start and load (about 0.3 s at 1,000 nodes), on any other it saves the files' time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mission_playbook.model.cache import file_cache
from mission_playbook.model.config import Settings
from mission_playbook.model.files import Sources
from mission_playbook.playbook import Playbook, load

#: The files of the home page's downloads, by their docs path.
JSON_PATH = "downloads/playbook.json"
XLSX_PATH = "downloads/playbook.xlsx"
#: How long the build waits for the second process before making the files itself (it takes a
#: few seconds at 5,000 nodes).
WAIT_SECONDS = 600


def make(playbook: Playbook, title: str) -> dict[str, bytes]:
    """The downloads' bytes by docs path (``title``: the workbook's)."""
    from mission_playbook.export.document import document_text
    from mission_playbook.export.tables import Tables
    from mission_playbook.export.workbook import workbook_bytes

    return {
        JSON_PATH: document_text(playbook).encode("utf-8"),
        XLSX_PATH: workbook_bytes(Tables(playbook).all(), title),
    }


class Worker:
    """The downloads being made by a second process, for one build."""

    def __init__(self, settings: Settings, sources: Sources, title: str) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.error = ""
        self.folder = Path(tempfile.gettempdir()) / "playbook-downloads-none"
        self.out = self.folder / "out.pickle"
        try:
            if not sys.executable:
                raise OSError("no Python executable to start (an embedded interpreter)")
            self.folder = Path(tempfile.mkdtemp(prefix="playbook-downloads-"))
            job, self.out = self.folder / "job.pickle", self.folder / "out.pickle"
            job.write_bytes(pickle.dumps((settings, sources, title), pickle.HIGHEST_PROTOCOL))
            self.proc = subprocess.Popen(
                [sys.executable, "-m", __name__, str(job), str(self.out)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except (OSError, pickle.PicklingError) as exc:  # the build makes them itself
            self.proc, self.error = None, str(exc)

    def result(self) -> dict[str, bytes] | None:
        """The files, once the second process is done; None when it failed."""
        try:
            if self.proc is None:
                return None
            try:
                _, err = self.proc.communicate(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.error = f"it took longer than {WAIT_SECONDS} s"
                return None
            if self.proc.returncode != 0:
                self.error = err.decode("utf-8", "replace").strip()[-2000:]
                return None
            made: Any = pickle.loads(self.out.read_bytes())
            return made if isinstance(made, dict) else None
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            self.error = str(exc)
            return None
        finally:
            self.close()

    def cancel(self) -> None:
        """Stop the second process (from another thread than the one waiting for it)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()

    def close(self) -> None:
        """Stop the second process if it still runs, and remove its files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        with contextlib.suppress(OSError):
            for path in self.folder.glob("*"):
                path.unlink(missing_ok=True)
            self.folder.rmdir()


def write(site_dir: Path, files: dict[str, bytes]) -> None:
    """Write the downloads into the built site, each in one step."""
    for path, content in files.items():
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, target)


def main(argv: list[str]) -> int:
    """The second process: load the playbook from the job's plan files, write the files."""
    job, out = Path(argv[0]), Path(argv[1])
    settings, sources, title = pickle.loads(job.read_bytes())
    playbook = load(settings.plans, settings, sources, file_cache(settings))
    out.write_bytes(pickle.dumps(make(playbook, title), pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a second process by Worker
    raise SystemExit(main(sys.argv[1:]))
