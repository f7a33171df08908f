"""Limits checked before and during work: the size and arrival time of a body, and the time of the work.

The body is refused by its declared length before a byte of it is read (413), counted while it
arrives (413 as soon as it passes the limit) and given a deadline (408), so a client that
sends slowly holds one connection of an event loop, never a worker.

The work (localizing, drawing) is CPU-bound and runs in the worker's main thread, between two
awaits; :func:`time_limit` interrupts it with ``SIGALRM`` when it runs over, raising
:class:`TimeLimitExceeded`, a ``BaseException`` so that no ``except Exception`` on the way
(a batch turns any exception into an error object) can swallow it. Nothing the work leaves
half done is shared: the atlas is frozen and every cache of the library stores a value only
once it is whole.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

from neuromap.service.problems import Problem

__all__ = ["TimeLimitExceeded", "read_body", "time_limit"]

log = logging.getLogger("neuromap.service")

#: Bytes of a logged body (``--log-cases``) before it is cut.
LOGGED_BODY_BYTES = 65_536


class TimeLimitExceeded(BaseException):
    """The work of a request ran past its time limit (a ``BaseException``, like ``KeyboardInterrupt``)."""


async def read_body(request: Request, max_bytes: int, timeout: float, *, log_cases: bool = False) -> bytes:
    """The body of *request*, at most *max_bytes*, received within *timeout* seconds.

    Parameters
    ----------
    request : starlette.requests.Request
        The request (its body not yet read).
    max_bytes : int
        The largest body taken.
    timeout : float
        Seconds the whole body may take to arrive.
    log_cases : bool, optional
        Log the body (its first :data:`LOGGED_BODY_BYTES`).

    Returns
    -------
    bytes
        The body.

    Raises
    ------
    Problem
        413 for a body over the limit (by its ``Content-Length`` before reading, or while
        reading), 400 for an invalid ``Content-Length``, 408 for a body too slow to arrive.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Problem(400, "InvalidRequest", f"Content-Length must be a number of bytes, got {declared!r:.40}",
                          "Content-Length")
        if int(declared) > max_bytes:
            raise _too_large(int(declared), max_bytes)
    parts: list[bytes] = []
    size = 0
    task = asyncio.current_task()
    assert task is not None
    expired: list[bool] = []

    def expire() -> None:
        expired.append(True)
        task.cancel()

    timer = asyncio.get_running_loop().call_later(timeout, expire)  # lighter than a cancel scope
    try:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise Problem(400, "ClientDisconnect", "the client closed the connection before its body was sent",
                              "body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(size, max_bytes, at_least=True)
            parts.append(chunk)
            if not message.get("more_body", False):
                break
    except asyncio.CancelledError:
        if not expired:
            raise
        if hasattr(task, "uncancel"):  # Python 3.11+
            task.uncancel()
        raise Problem(408, "RequestTimeout", f"the request body did not arrive within {timeout:g} s "
                      f"({size} bytes received); send it at once", "body", _CLOSE) from None
    finally:
        timer.cancel()
    body = b"".join(parts)
    if log_cases:
        shown = body[:LOGGED_BODY_BYTES].decode("utf-8", "replace")
        more = f" ... ({len(body)} bytes)" if len(body) > LOGGED_BODY_BYTES else ""
        log.info("case %s %s: %s%s", request.method, request.url.path, shown, more)
    return body


def _too_large(size: int, limit: int, *, at_least: bool = False) -> Problem:
    what = f"more than {size - 1}" if at_least else str(size)
    return Problem(413, "LimitExceededError", f"the request body is {what} bytes, more than the limit of {limit}",
                   "body", _CLOSE)


#: the connection of a body left unread is closed after the answer (uvicorn would otherwise wait for the rest)
_CLOSE = {"Connection": "close"}

_state = threading.local()


def _alarm(signum: int, frame: Any) -> None:
    if getattr(_state, "armed", False):
        _state.armed = False
        raise TimeLimitExceeded


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Run the body of the ``with`` for at most *seconds*, else raise :class:`TimeLimitExceeded`.

    Enforced with ``SIGALRM`` in the main thread of a process where the platform has
    :func:`signal.setitimer` (where uvicorn runs the application); elsewhere (another thread,
    Windows) the work runs without a time limit. The timer is armed only around work that
    does not await, so it never fires in the event loop.

    Examples
    --------
    >>> import time
    >>> from neuromap.service.guards import TimeLimitExceeded, time_limit
    >>> try:
    ...     with time_limit(0.05):
    ...         time.sleep(1)
    ... except TimeLimitExceeded:
    ...     print("interrupted")
    interrupted
    """
    if seconds <= 0:
        raise TimeLimitExceeded
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    _state.armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _state.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
