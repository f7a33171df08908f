"""Worker processes for batches: one pipe per worker, so a worker that dies fails only its own chunk.

:class:`concurrent.futures.ProcessPoolExecutor` sends every result through one queue shared by
all workers, whose writing end the parent also holds. A worker killed while it writes a large
result (the out-of-memory killer, a ``kill -9``) leaves half a message in that queue: the
executor's manager thread then waits for the rest for ever, the pool is never marked broken and
the batch hangs (seen in the suite under load). Here each worker has its own
:func:`multiprocessing.Pipe`, whose other end only that worker holds, so its death is always an
end of file on its own pipe: the chunk it held fails with
:class:`~concurrent.futures.process.BrokenProcessPool` and a new worker takes its place.

One thread per worker in the calling process sends it chunks from a shared queue and waits for
its answer; the futures are ordinary :class:`concurrent.futures.Future` objects. Workers are
started from the thread that submits (never from a helper thread), so a forked worker never
copies a lock held by another thread of the pipeline.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

__all__ = ["WorkerPool"]

#: How many workers in a row a call is offered to when each is found dead before it takes it.
_DELIVERY_ATTEMPTS = 3


def _serve(conn: Any) -> None:
    """A worker process: call what the pipe sends, send back ``(True, result)`` or ``(False, error)``."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the calling process is gone
            return
        if task is None:
            return
        conn.send(None)  # received: from here on, a death fails this call
        fn, args = task
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - the caller decides what an error means
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle is reported, not lost
            conn.send((False, RuntimeError(f"the worker's answer could not be sent back: {exc!r}")))


@dataclass(eq=False)
class _Slot:
    """One worker's place in the pool: its feeding thread and its current process and pipe."""

    process: Any
    conn: Any
    thread: threading.Thread | None = None


@dataclass(eq=False)
class WorkerPool:
    """A fixed number of worker processes taking calls from one queue; a dead worker is replaced.

    Parameters
    ----------
    workers : int
        How many worker processes run at once.

    Examples
    --------
    >>> import os
    >>> from neuromap.io._pool import WorkerPool
    >>> pool = WorkerPool(1)
    >>> pool.submit(sum, [1, 2, 3]).result()
    6

    A worker that dies fails the call it held, and only that one:

    >>> pool.submit(os._exit, 3).exception()
    BrokenProcessPool('a worker process ended before its chunk was done (exit code 3)')
    >>> pool.submit(sum, [4, 5]).result()
    9
    >>> pool.shutdown()
    """

    workers: int
    _tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = field(
        default_factory=queue.SimpleQueue, repr=False)
    _slots: list[_Slot] = field(default_factory=list, repr=False)
    _closed: bool = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue ``fn(*args)`` for a worker process; its future holds the result or the error.

        *fn* and *args* must pickle. A worker that dies before it answers fails the future
        with :class:`~concurrent.futures.process.BrokenProcessPool`; a new worker process
        takes its place for the calls still queued.
        """
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        while len(self._slots) < self.workers:  # the first workers start here, in the submitting thread
            slot = _Slot(*_start())
            slot.thread = threading.Thread(target=self._feed, args=(slot,), daemon=True, name="neuromap-worker")
            slot.thread.start()
            self._slots.append(slot)
        future: Future[Any] = Future()
        self._tasks.put((future, fn, args))
        return future

    def _feed(self, slot: _Slot) -> None:
        """Send queued calls to one worker, one at a time, until shutdown; replace the worker if it dies."""
        while True:
            task = self._tasks.get()
            if task is None:
                break
            future, fn, args = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                self._deliver(slot, fn, args)
            except BaseException as exc:  # noqa: BLE001 - e.g. the call does not pickle: its future says so
                future.set_exception(exc)
                continue
            try:
                ok, value = slot.conn.recv()
            except (EOFError, OSError):
                future.set_exception(BrokenProcessPool(
                    f"a worker process ended before its chunk was done (exit code {_ended(slot)})"))
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        if slot.process is not None:
            try:
                slot.conn.send(None)  # stop (an end of file alone may not come: a later worker holds a copy)
            except OSError:  # pragma: no cover - it has just died
                pass
            slot.conn.close()

    @staticmethod
    def _deliver(slot: _Slot, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Hand a call to the slot's worker, which says it has it; a worker found dead first is replaced.

        A worker that died while idle did not take the call: a new one (started from this
        thread, as :class:`multiprocessing.pool.Pool` starts its replacements) is given it, at
        most :data:`_DELIVERY_ATTEMPTS` times.
        """
        for _ in range(_DELIVERY_ATTEMPTS):
            if slot.process is None:
                slot.process, slot.conn = _start()
            try:
                slot.conn.send((fn, args))
                slot.conn.recv()
                return
            except (EOFError, OSError):
                _ended(slot)
        raise BrokenProcessPool(f"{_DELIVERY_ATTEMPTS} new worker processes in a row ended before taking a chunk")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers once the calls already queued are done (cancelled with *cancel_futures*).

        With *wait*, return only when every worker process has ended.
        """
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[0].cancel()
        for _ in self._slots:
            self._tasks.put(None)
        if wait:
            for slot in self._slots:
                if slot.thread is not None:
                    slot.thread.join()
                if slot.process is not None:
                    slot.process.join()


#: Held while a worker starts: no other worker is forked while the worker's end of a new pipe is
#: still open here, so that end stays the worker's alone.
_STARTING = threading.Lock()


def _start() -> tuple[Any, Any]:
    """A new worker process and the calling process's end of its pipe."""
    with _STARTING:
        ours, theirs = multiprocessing.Pipe()
        process = multiprocessing.Process(target=_serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()  # the worker holds the only other end: its death is an end of file here
    return process, ours


def _ended(slot: _Slot) -> Any:
    """The exit code of a slot's worker, which has died or is killed now; the slot is left empty."""
    process, conn = slot.process, slot.conn
    slot.process = slot.conn = None
    conn.close()
    process.join(timeout=1.0)
    if process.exitcode is None:  # pragma: no cover - alive with a broken pipe
        process.kill()
        process.join()
    return process.exitcode
