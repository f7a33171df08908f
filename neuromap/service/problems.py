"""Errors as JSON: every refusal of the service is ``{"error": {"type", "message", "field"}}``.

The object is the one :func:`neuromap.io.error_object` makes for a bad case of a batch, so a
client reads one error shape whatever refused its request. The status says who must act:

* 400: the request cannot be read (the body is not JSON, or a query parameter is invalid);
* 404, 405: no such path, or not with that method;
* 408: the body did not arrive in time;
* 413: the body is larger than the limit (said before it is read);
* 422: the JSON is read, but the library refuses the case (``InvalidCaseError``,
  ``UnknownNameError``, ``LimitExceededError`` for too many findings, regions or vertices);
* 500: a bug (``InternalError``; the message says no more, the log has the traceback);
* 503: the work took longer than the time limit (``TimeLimitExceeded``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from neuromap.errors import NeuromapError
from neuromap.io import error_object

__all__ = ["Problem", "error_response", "from_library", "http_exception_handler", "problem_handler"]

_HTTP_TYPES = {404: "NotFound", 405: "MethodNotAllowed"}


class Problem(Exception):
    """A refusal of the service: an HTTP status and the error object.

    Parameters
    ----------
    status : int
        The HTTP status.
    type : str
        The error type (a neuromap error class name, or the service's own: ``RequestTimeout``,
        ``TimeLimitExceeded``, ``NotFound``, ...).
    message : str
        One line saying what was wrong and what to do.
    field : str or None
        The field, parameter or part of the request at fault.
    headers : dict, optional
        Extra response headers (``Allow`` of a 405).
    """

    def __init__(self, status: int, type: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.field = field
        self.headers = headers


def from_library(exc: NeuromapError, status: int) -> Problem:
    """A :class:`Problem` for an error of the library, with its type, field and message.

    Parameters
    ----------
    exc : NeuromapError
        The library's error.
    status : int
        The HTTP status it gets here.

    Returns
    -------
    Problem

    Examples
    --------
    >>> from neuromap.errors import InvalidCaseError
    >>> from neuromap.service.problems import from_library
    >>> p = from_library(InvalidCaseError("side", "allowed values are 'left' and 'right'"), 422)
    >>> p.status, p.type, p.field
    (422, 'InvalidCaseError', 'side')
    """
    error = error_object(exc)["error"]
    return Problem(status, error["type"], error["message"], error["field"])


def error_response(problem: Problem) -> Response:
    """The JSON response of a problem: ``{"error": {"type", "field", "message"}}`` with its status.

    Examples
    --------
    >>> from neuromap.service.problems import Problem, error_response
    >>> error_response(Problem(404, "NotFound", "no such path")).body
    b'{"error": {"type": "NotFound", "field": null, "message": "no such path"}}'
    """
    body = {"error": {"type": problem.type, "field": problem.field, "message": problem.message}}
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=problem.status,
                    media_type="application/json", headers=problem.headers)


async def problem_handler(request: Request, exc: Exception) -> Response:
    """Starlette's handler of :class:`Problem`."""
    assert isinstance(exc, Problem)
    return error_response(exc)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path, wrong method) as error objects."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    kind = _HTTP_TYPES.get(status, "HTTPError")
    headers: dict[str, Any] = dict(exc.headers or {})
    if status == 404:
        message = f"there is no {request.url.path!r:.120} here; the service's paths are listed at /openapi.json"
    elif status == 405:
        message = (f"{request.url.path!r:.120} does not take {request.method}; it takes "
                   f"{headers.get('Allow', 'another method')}")
    else:
        message = str(exc.detail)
    return error_response(Problem(status, kind, message, None, headers))
