"""``neuromap serve``: the HTTP service (:mod:`neuromap.service`) on uvicorn, with worker processes.

The command checks its options, puts the service's settings in the environment of the workers
(:data:`neuromap.service.SETTINGS_ENV`) and runs ``uvicorn`` with the application factory
``neuromap.service:create_app``. uvicorn keeps the workers alive: a worker that dies is
replaced while the others go on answering.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

__all__ = ["add_serve_parser", "cmd_serve"]

_EPILOG = """\
examples:
  neuromap serve                                  # http://127.0.0.1:8000/docs
  neuromap serve --host 0.0.0.0 --port 8080 --workers 4
  curl -s -X POST localhost:8000/localize -H 'Content-Type: application/json' \\
      -d '{"side": "left", "reflexes": {"achilles": "absent"}}'

The routes and their JSON are described at /openapi.json and /docs, and in docs/service.md.
Request content is not logged unless --log-cases is given: cases are health data.
"""

#: Seconds a keep-alive connection may stay idle between two requests.
KEEP_ALIVE_SECONDS = 5
#: Connections and requests one worker takes at once; past them it answers 503.
CONCURRENCY_PER_WORKER = 1000
#: Bytes of request line and headers a client may send (h11; httptools bounds them itself).
MAX_HEADER_BYTES = 16_384


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds greater than 0, got {text!r}")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)


def add_serve_parser(sub: Any, formatter_class: type[argparse.HelpFormatter], positive_int: Any) -> None:
    """Add the ``serve`` command to the subcommands *sub* of the ``neuromap`` parser."""
    p = sub.add_parser("serve", help="run the HTTP service (JSON over HTTP, OpenAPI at /openapi.json)",
                       formatter_class=formatter_class, epilog=_EPILOG,
                       description="Run neuromap as an HTTP service: POST /localize, POST /localize/batch, "
                                   "GET /atlas/{regions,nerves,...}, GET|POST /render, GET /health, GET /version, "
                                   "GET /openapi.json and GET /docs. Needs the 'serve' extra.")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="the port (default: 8000; 0 for any free port)")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="worker processes (default: 1; one per core is the most that helps)")
    p.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                   help="seconds of work a request may take before it is interrupted (503; default: 10)")
    p.add_argument("--body-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                   help="seconds a client may take to send its request body (408; default: 10)")
    p.add_argument("--log-cases", action="store_true",
                   help="write request bodies and query strings to the log (off by default: cases are health data)")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service until it is interrupted; the exit status."""
    from neuromap.errors import MissingDependencyError

    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("uvicorn", "neuromap serve", "serve") from None
    from neuromap.service import SETTINGS_ENV, ServiceSettings

    settings = ServiceSettings(timeout=args.timeout, body_timeout=args.body_timeout, log_cases=args.log_cases)
    os.environ[SETTINGS_ENV] = settings.to_json()
    uvicorn.run("neuromap.service:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                access_log=False, log_config=_log_config(), server_header=False, proxy_headers=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS, limit_concurrency=CONCURRENCY_PER_WORKER,
                h11_max_incomplete_event_size=MAX_HEADER_BYTES, timeout_graceful_shutdown=int(args.timeout) + 1)
    return 0


def _log_config() -> dict[str, Any]:
    """The log: uvicorn's start-up and error lines and the service's request lines, on stderr, with the process id."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
        "loggers": {name: {"handlers": ["stderr"], "level": "INFO", "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "neuromap.service")},
    }
