"""Under ``mkdocs serve``: Python's cycle collector waits while a rebuild runs, and runs once
the rebuilt site is being read.

A rebuild replaces the whole playbook and MkDocs' pages with new ones, so the objects that
live on grow by about half the heap; Python then runs its full collection, which walks every
live object (twice a rebuild at 5,000 nodes here, 0.7 s each: ``benchmarks/README.md``).
The garbage is the same whenever it is collected: ``IdleCollector`` turns the automatic
collector off from the start of a rebuild (``pause``) and collects once, ``delay`` seconds
after the rebuild ended (``resume_later``), when the browser has loaded the page again. An
edit saved meanwhile starts the next rebuild first; the garbage of both is collected after
it, so the heap holds at most the garbage of the rebuilds of one burst of edits.
"""

from __future__ import annotations

import gc
import threading

#: Seconds between the end of a rebuild and the collection (the browser's reload comes first).
DELAY = 1.0


class IdleCollector:
    """Holds the automatic collector off during rebuilds, and collects after them."""

    def __init__(self, delay: float = DELAY) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self.paused = False
        self.was_enabled = True  # whether the collector was on before the first pause
        self.collections = 0  # collections made after rebuilds (tests read it)

    def pause(self) -> None:
        """A rebuild begins: no automatic collection until it ends (a pending one waits)."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if not self.paused:
                self.was_enabled, self.paused = gc.isenabled(), True
                gc.disable()

    def resume_later(self) -> None:
        """A rebuild ended (or failed): collect after ``delay`` seconds, then turn the
        automatic collector back on."""
        with self.lock:
            if not self.paused or self.timer is not None:
                return
            self.timer = threading.Timer(self.delay, self._collect)
            self.timer.daemon = True
            self.timer.start()

    def _collect(self) -> None:
        with self.lock:
            if self.timer is None:  # a rebuild began meanwhile: it collects after itself
                return
            self.timer = None
            gc.collect()
            self.collections += 1
            self._restore()

    def stop(self) -> None:
        """The server stops: collect now, and leave the collector as it was."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.paused:
                gc.collect()
                self._restore()

    def _restore(self) -> None:
        self.paused = False
        if self.was_enabled:
            gc.enable()
