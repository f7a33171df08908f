"""The ASGI application: its routes, its error handling and its log.

:data:`ROUTES` is the whole interface; adding an endpoint is one line there (its OpenAPI
operation travels with the endpoint, see :func:`neuromap.service.endpoints.operation`).

The application keeps nothing between requests but what it computes once per worker from the
bundled atlas (the vocabulary lists, the OpenAPI document), so any number of workers and
machines behind a load balancer answer alike. Its log holds one line per request (method,
path, status, bytes, milliseconds) and never the content of a request unless
``log_cases`` is set: cases are health data.
"""

from __future__ import annotations

import gc
import json
import logging
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from neuromap.service import endpoints, fhir, openapi, render
from neuromap.service.guards import TimeLimitExceeded
from neuromap.service.problems import Problem, http_exception_handler, problem_handler
from neuromap.service.settings import ServiceSettings

__all__ = ["ROUTES", "create_app"]

log = logging.getLogger("neuromap.service")

ROUTES = [
    Route("/localize", endpoints.localize, methods=["POST"]),
    Route("/localize/batch", endpoints.localize_batch, methods=["POST"]),
    Route("/atlas/{kind}", endpoints.atlas_list, methods=["GET"]),
    Route("/fhir/localize", fhir.fhir_localize, methods=["POST"]),
    Route("/render", render.render_get, methods=["GET"]),
    Route("/render", render.render_post, methods=["POST"]),
    Route("/health", endpoints.health, methods=["GET"]),
    Route("/version", endpoints.version, methods=["GET"]),
    Route("/openapi.json", openapi.openapi_json, methods=["GET"]),
    Route("/docs", openapi.docs_page, methods=["GET"]),
]

#: a small case localized once at start-up, so the first request finds the engine's tables built
_WARM_UP = {"side": "left", "sensory": [{"regions": ["first web space"]}], "motor": [{"name": "hip abduction",
            "grade": 4}], "reflexes": {"achilles": "normal"}}


def create_app(settings: ServiceSettings | None = None) -> Starlette:
    """The neuromap service as an ASGI application.

    Parameters
    ----------
    settings : ServiceSettings, optional
        Limits and logging; by default from the environment (:data:`~neuromap.service.SETTINGS_ENV`),
        which is how ``neuromap serve`` hands them to its workers, else the defaults.

    Returns
    -------
    starlette.applications.Starlette
        The application; serve it with any ASGI server (``uvicorn --factory
        neuromap.service:create_app``).

    Examples
    --------
    >>> from neuromap.service import create_app
    >>> app = create_app()
    >>> sorted({r.path for r in app.routes})[:3]
    ['/atlas/{kind}', '/docs', '/fhir/localize']
    """
    settings = settings if settings is not None else ServiceSettings.from_env()
    app = Starlette(routes=list(ROUTES), lifespan=_lifespan,
                    exception_handlers={Problem: problem_handler, HTTPException: http_exception_handler})
    app.state.settings = settings
    app.state.vocabularies = {}
    app.state.openapi = None
    app.state.version = endpoints.version_info()
    app.add_middleware(_Guard, log_cases=settings.log_cases)
    return app


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    endpoints.localize_json(_WARM_UP)
    # what start-up made (the atlas, the engine's tables, the modules) lives as long as the
    # worker: out of the collector's sight, its full collections no longer walk it
    gc.collect()
    gc.freeze()
    yield


class _Guard:
    """The outermost layer: one log line per request, and a JSON 500 (never a traceback) for a bug."""

    def __init__(self, app: ASGIApp, log_cases: bool) -> None:
        self.app = app
        self.log_cases = log_cases

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        sent: dict[str, Any] = {"status": 0, "bytes": 0}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except (Exception, TimeLimitExceeded) as exc:  # noqa: BLE001 - a bug: answered as JSON, logged
            self._log_bug(scope, exc)
            if not sent["status"]:
                await _internal_error(send)
                sent["status"] = 500
        finally:
            query = f"?{scope['query_string'].decode('latin-1')}" if self.log_cases and scope["query_string"] else ""
            log.info("%s %s%s %s %dB %.1fms", scope["method"], scope["path"], query, sent["status"] or "-",
                     sent["bytes"], (time.perf_counter() - start) * 1000)

    def _log_bug(self, scope: Scope, exc: BaseException) -> None:
        # the message of an exception may quote the request: only with log_cases
        what = "".join(traceback.format_exception(exc)) if self.log_cases else (
            f"{type(exc).__name__}\n" + "".join(traceback.format_tb(exc.__traceback__)))
        log.error("internal error in %s %s: %s", scope["method"], scope["path"], what)


async def _internal_error(send: Send) -> None:
    body = json.dumps({"error": {"type": "InternalError", "field": None, "message": (
        "an internal error of the neuromap service (a bug); the log has the details, please report it")}}).encode()
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
