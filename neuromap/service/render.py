"""``GET /render`` and ``POST /render``: a case drawn on the body, as PNG or SVG.

The case is read as :func:`neuromap.io.localize_json` reads it (:func:`neuromap.io.read_case`)
and localized by :func:`neuromap.localize`; the figure is
:func:`neuromap.plotting.plot_localization`, what ``neuromap render`` draws. matplotlib is
imported by the first drawing of a worker, outside its time limit, and nowhere else in the
service.
"""

from __future__ import annotations

import io
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from neuromap.errors import NeuromapError, check_option
from neuromap.inference import localize
from neuromap.io import read_case
from neuromap.service.endpoints import (
    CASE_LIMITS,
    dermatome_map_param,
    errors,
    operation,
    parse_case_body,
    settings_of,
    time_limit_problem,
)
from neuromap.service.guards import TimeLimitExceeded, read_body, time_limit
from neuromap.service.problems import Problem, from_library

__all__ = ["render_get", "render_post"]

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
LAYOUTS = ("auto", "foot", "limb", "saddle")

_PARAMS: list[dict[str, Any]] = [
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(FORMATS), "default": "svg"},
     "description": "The image format."},
    {"name": "layout", "in": "query", "schema": {"type": "string", "enum": list(LAYOUTS), "default": "auto"},
     "description": "The body drawn: `auto` chooses from the regions the case reports."},
    {"name": "hypotheses", "in": "query", "schema": {"type": "string"}, "example": "L5,common_fibular",
     "description": "The hypotheses to draw, by id, comma-separated; by default the leaders whose territories "
                    "differ most."},
    {"name": "dpi", "in": "query", "schema": {"type": "integer", "minimum": 10, "default": 100},
     "description": "Dots per inch of a PNG (at most the service's limit, 300 by default)."},
    {"name": "dermatome_map", "in": "query", "schema": {"type": "string"},
     "description": "The dermatome layer (`GET /atlas/maps`)."},
]
_IMAGE = {"200": {"description": "The drawing.", "content": {
    "image/svg+xml": {"schema": {"type": "string"}},
    "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}}}


@operation({
    "summary": "Draw a case (the case in the query)",
    "description": "The case as JSON in the `case` parameter (URL-encoded). Prefer `POST /render` for real cases: "
                   "a query string may be logged by proxies on the way, and cases are health data.",
    "parameters": [{"name": "case", "in": "query", "required": True,
                    "content": {"application/json": {"schema": {"oneOf": [
                        {"$ref": "#/components/schemas/Case"}, {"$ref": "#/components/schemas/TextCase"}]}}}},
                   *_PARAMS],
    "responses": {**_IMAGE, **errors(400, 413, 422, 503)},
})
async def render_get(request: Request) -> Response:
    """``GET /render?case=...``."""
    text = request.query_params.get("case")
    if text is None:
        raise Problem(400, "InvalidArgumentError", "give the case as JSON in the 'case' query parameter "
                      "(or POST it to /render)", "case")
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > CASE_LIMITS.max_bytes:
        raise Problem(413, "LimitExceededError", f"the case is {len(data)} bytes, more than the limit of "
                      f"{CASE_LIMITS.max_bytes}", "case")
    return _render(request, parse_case_body(data))


@operation({
    "summary": "Draw a case",
    "description": "The case in the body, as `POST /localize` takes it; the drawing is what `neuromap render` "
                   "draws.",
    "parameters": _PARAMS,
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/Case"}, {"$ref": "#/components/schemas/TextCase"}]}}}},
    "responses": {**_IMAGE, **errors(400, 408, 413, 422, 503)},
})
async def render_post(request: Request) -> Response:
    """``POST /render``."""
    settings = settings_of(request)
    _options(request)  # refuse bad parameters before reading the body
    body = await read_body(request, CASE_LIMITS.max_bytes, settings.body_timeout, log_cases=settings.log_cases)
    return _render(request, parse_case_body(body))


def _options(request: Request) -> tuple[str, str, list[str] | None, int, str | None]:
    q = request.query_params
    try:
        fmt = check_option("format", q.get("format", "svg").lower(), tuple(FORMATS))
        layout = check_option("layout", q.get("layout", "auto").lower(), LAYOUTS)
    except NeuromapError as exc:
        raise from_library(exc, 400) from None
    hypotheses = [h.strip() for h in q["hypotheses"].split(",") if h.strip()] if "hypotheses" in q else None
    most = settings_of(request).max_render_dpi
    dpi_text = q.get("dpi", "100")
    if not dpi_text.isdigit() or not 10 <= int(dpi_text) <= most:
        raise Problem(400, "InvalidArgumentError", f"Invalid value for 'dpi': expected a whole number from 10 to "
                      f"{most}, got {dpi_text!r:.40}", "dpi")
    return fmt, layout, hypotheses, int(dpi_text), dermatome_map_param(request)


def _render(request: Request, case: dict[str, Any] | bytes) -> Response:
    fmt, layout, hypotheses, dpi, dermatome_map = _options(request)
    from neuromap.plotting import plot_localization  # matplotlib: imported here only, outside the time limit

    seconds = settings_of(request).timeout
    try:
        with time_limit(seconds):
            try:
                result = localize(read_case(case, limits=CASE_LIMITS), dermatome_map=dermatome_map,
                                  limits=CASE_LIMITS.case)
            except NeuromapError as exc:
                raise from_library(exc, 422) from None
            try:
                display = plot_localization(result, layout=layout, hypotheses=hypotheses)
            except NeuromapError as exc:  # the hypotheses or layout asked for
                raise from_library(exc, 400) from None
            out = io.BytesIO()
            display.savefig(out, format=fmt, dpi=dpi)
    except TimeLimitExceeded:
        raise time_limit_problem(seconds) from None
    return Response(out.getvalue(), media_type=FORMATS[fmt])
