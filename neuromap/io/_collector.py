"""Pause Python's cyclic garbage collector while a batch makes its results.

A batch allocates hundreds of thousands of containers (a full result is about 220 lists and
dicts), and the collector starts a pass every few hundred allocations. Each pass walks the
young objects, and every so often all of them, including every result the caller holds so far:
on 1,000 full results in one process that walking was about a third of the CPU, and it grows
with the number of results held. The results are plain data and the engine makes no reference
cycles (``tests/test_registries.py`` checks that a batch leaves nothing for the collector), so
the passes find nothing to free.

:data:`COLLECTOR_PAUSED` pauses the collector for the span of a chunk and restores it after,
as :mod:`timeit` does while it times. The pause is process-wide, as the collector is: the
first chunk to start (in any thread) pauses it if it was running, and the last to end resumes
it. A collector that was already disabled when the pause began stays disabled. A process forked
while a pause is held (a batch's worker started while another thread's chunk runs) starts with
no pause held and its collector running, as the parent's will be.
"""

from __future__ import annotations

import gc
import os
import threading
from types import TracebackType

__all__ = ["COLLECTOR_PAUSED"]


class _CollectorPause:
    """A re-entrant, thread-safe ``with`` block that pauses :mod:`gc` collection inside it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()

    def after_fork(self) -> None:
        """In a forked child: no pause held (the threads holding it were not copied), a fresh lock."""
        resume = self._depth > 0 and self._resume
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False
        if resume:
            gc.enable()


#: The one pause of this process (see the module docstring).
COLLECTOR_PAUSED = _CollectorPause()
if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=COLLECTOR_PAUSED.after_fork)
