"""The endpoints of the service: localize one case or a batch, the vocabulary, health and version.

Each endpoint carries its OpenAPI operation (:func:`operation`), so that the document at
``/openapi.json`` is made from the routes themselves; the request and result bodies are the
library's JSON schemas (``neuromap/schemas/``), referenced, not written again. Every case goes
through :func:`neuromap.io.localize_json` (one case) or :func:`neuromap.io.localize_iter` (a
batch): the library's checks, limits and JSON contract, unchanged.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from itertools import islice
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from neuromap._version import __version__
from neuromap.atlas import load_atlas
from neuromap.errors import LimitExceededError, NeuromapError, check_option
from neuromap.io import (
    DEFAULT_JSON_LIMITS,
    VOCABULARIES,
    JsonLimits,
    load_schema,
    localize_iter,
    localize_json,
    parse_json,
    vocabulary,
)
from neuromap.service.guards import TimeLimitExceeded, read_body, time_limit
from neuromap.service.problems import Problem, from_library
from neuromap.service.settings import ServiceSettings
from neuromap.weights import PRIORS

__all__ = [
    "BATCH_STEP",
    "PRIOR_PARAM",
    "CASE_LIMITS",
    "atlas_list",
    "dermatome_map_param",
    "errors",
    "flag",
    "health",
    "json_response",
    "localize",
    "localize_batch",
    "operation",
    "prior_param",
    "query_param",
    "parse_case_body",
    "refusal",
    "settings_of",
    "split_batch",
    "time_limit_problem",
    "version",
    "version_info",
]

#: The limits of one case: the library's defaults (the body of ``POST /localize`` is refused
#: past their ``max_bytes`` before it is read).
CASE_LIMITS: JsonLimits = DEFAULT_JSON_LIMITS

#: Cases of a batch localized between two writes of the stream (and two checks of the time limit).
BATCH_STEP = 16

Endpoint = Callable[[Request], Any]


def operation(spec: dict[str, Any]) -> Callable[[Endpoint], Endpoint]:
    """Attach an OpenAPI operation object to an endpoint (read by :mod:`neuromap.service.openapi`).

    Examples
    --------
    >>> from neuromap.service.endpoints import operation
    >>> @operation({"summary": "Say hello"})
    ... async def hello(request): ...
    >>> hello.openapi["summary"]
    'Say hello'
    """
    def attach(endpoint: Endpoint) -> Endpoint:
        endpoint.openapi = spec  # type: ignore[attr-defined]
        return endpoint
    return attach


def settings_of(request: Request) -> ServiceSettings:
    """The settings of the application serving *request*.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.

    Returns
    -------
    ServiceSettings
        What :func:`neuromap.service.create_app` was given.
    """
    settings: ServiceSettings = request.app.state.settings
    return settings


def json_response(value: Any, status: int = 200) -> Response:
    """*value* as compact UTF-8 JSON, written by orjson.

    A result of the named case of the benchmarks is ~27 kB of JSON: :func:`json.dumps` takes
    ~0.3 ms to write it, 40 % of the time to localize the case, orjson ~0.03 ms. The text
    differs from :func:`json.dumps`'s only in spacing and escapes; its value is the same.

    Parameters
    ----------
    value : object
        JSON data (dicts with string keys, lists, strings, numbers, booleans, None).
    status : int, optional
        The HTTP status.

    Returns
    -------
    starlette.responses.Response
        ``application/json``.

    Examples
    --------
    >>> from neuromap.service.endpoints import json_response
    >>> json_response({"status": "ok"}).body
    b'{"status":"ok"}'
    """
    return Response(orjson.dumps(value), status_code=status, media_type="application/json")


def query_param(request: Request, name: str) -> str | None:
    """A query parameter as sent, or None when absent (the query is parsed only when there is one).

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    name : str
        The parameter.

    Returns
    -------
    str or None
    """
    return request.query_params.get(name) if request.scope["query_string"] else None


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter: ``true`` or ``1``, ``false`` or ``0``; absent is false.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    name : str
        The parameter.

    Returns
    -------
    bool

    Raises
    ------
    Problem
        400 ``InvalidArgumentError`` for another value.
    """
    text = query_param(request, name)
    if text is None:
        return False
    value = {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
    if value is None:
        raise Problem(400, "InvalidArgumentError", f"Invalid value for {name!r}: expected true or false, "
                      f"got {text!r:.40}", name)
    return value


def dermatome_map_param(request: Request) -> str | None:
    """The ``dermatome_map`` query parameter, checked against the atlas.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.

    Returns
    -------
    str or None
        The layer's id, or None when the parameter is absent.

    Raises
    ------
    Problem
        400 with the library's error (the closest layers) for an unknown layer.
    """
    name = query_param(request, "dermatome_map")
    if name is None:
        return None
    try:
        return load_atlas().check_map(name, field="dermatome_map")
    except NeuromapError as exc:
        raise from_library(exc, 400) from None


def prior_param(request: Request) -> str:
    """The ``prior`` query parameter (``clinical`` when absent), checked.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.

    Returns
    -------
    str
        One of :data:`neuromap.weights.PRIORS`.

    Raises
    ------
    Problem
        400 with the library's error (the values it takes) for any other value.
    """
    name = query_param(request, "prior")
    try:
        return check_option("prior", "clinical" if name is None else name, PRIORS)
    except NeuromapError as exc:
        raise from_library(exc, 400) from None


def parse_case_body(body: bytes, limits: JsonLimits = CASE_LIMITS) -> dict[str, Any] | bytes:
    """The JSON object of a request body, read with the library's limits (:func:`neuromap.io.parse_json`).

    Parameters
    ----------
    body : bytes
        The request body.
    limits : JsonLimits, optional
        The limits (:data:`CASE_LIMITS`).

    Returns
    -------
    dict or bytes
        The object; JSON that is not an object (an array, a string) is returned as the body
        itself, for the library to read and refuse in its own words (422).

    Raises
    ------
    Problem
        400 with the library's error when the body is not JSON it reads.

    Examples
    --------
    >>> from neuromap.service.endpoints import parse_case_body
    >>> parse_case_body(b'{"side": "left"}')
    {'side': 'left'}
    >>> parse_case_body(b'{"side": ')
    Traceback (most recent call last):
    ...
    neuromap.service.problems.Problem: Invalid value for 'case': the input is not valid JSON: Expecting value \
(line 1, column 10).
    """
    try:
        value = parse_json(body, limits=limits)
    except NeuromapError as exc:
        raise from_library(exc, 400) from None
    return value if isinstance(value, dict) else body


def time_limit_problem(seconds: float) -> Problem:
    """The 503 ``TimeLimitExceeded`` of work interrupted after *seconds*.

    Parameters
    ----------
    seconds : float
        The time limit.

    Returns
    -------
    Problem
    """
    return Problem(503, "TimeLimitExceeded", f"the work took longer than the time limit of {seconds:g} s; "
                   "send a smaller case (fewer findings or vertices)", None)


# ---------------------------------------------------------------------------------- localize
#: The ``prior`` query parameter of the localizing operations (read by :func:`prior_param`).
PRIOR_PARAM = {"name": "prior", "in": "query",
               "schema": {"type": "string", "enum": list(PRIORS), "default": "clinical"},
               "description": "The base rates: the cited ones (`clinical`) or none (`uniform`)."}
_LOCALIZE_PARAMS = [
    {"name": "strict", "in": "query", "schema": {"type": "boolean", "default": False},
     "description": "Refuse (422 UnknownNameError) a case with a finding that cannot be read, instead of listing "
                    "it in the result's `not_understood`."},
    {"name": "dermatome_map", "in": "query", "schema": {"type": "string"},
     "description": "The dermatome layer (`GET /atlas/maps`); a case's own `dermatome_map` takes precedence."},
    PRIOR_PARAM,
]


def errors(*statuses: int) -> dict[str, Any]:
    """The OpenAPI responses of error statuses, each referring to the document's error response.

    Examples
    --------
    >>> from neuromap.service.endpoints import errors
    >>> errors(413)
    {'413': {'$ref': '#/components/responses/413'}}
    """
    return {str(s): {"$ref": f"#/components/responses/{s}"} for s in statuses}


@operation({
    "summary": "Localize one case",
    "description": "Rank the lesion sites that could explain a case's findings: `neuromap.io.localize_json`. "
                   "The body is a case (the library's case schema) or a free-text case `{\"text\": ...}`.",
    "parameters": _LOCALIZE_PARAMS,
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/Case"}, {"$ref": "#/components/schemas/TextCase"}]}}}},
    "responses": {"200": {"description": "The result (the library's localization schema).",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Localization"}}}},
                  **errors(400, 408, 413, 422, 503)},
})
async def localize(request: Request) -> Response:
    """``POST /localize``: one case in, its localization out."""
    settings = settings_of(request)
    strict, dermatome_map, prior = flag(request, "strict"), dermatome_map_param(request), prior_param(request)
    body = await read_body(request, CASE_LIMITS.max_bytes, settings.body_timeout, log_cases=settings.log_cases)
    try:
        with time_limit(settings.timeout):
            result = localize_json(body, dermatome_map=dermatome_map, limits=CASE_LIMITS, strict=strict, prior=prior)
    except NeuromapError as exc:
        raise refusal(exc, body) from None
    except TimeLimitExceeded:
        raise time_limit_problem(settings.timeout) from None
    return json_response(result)


def refusal(exc: NeuromapError, body: bytes) -> Problem:
    """The problem of a body the library refused: 400 if it is not JSON the library reads, else 422.

    Parameters
    ----------
    exc : NeuromapError
        What the library raised.
    body : bytes
        The body it was given.

    Returns
    -------
    Problem
        The library's error object with the status.

    Examples
    --------
    >>> from neuromap.errors import InvalidCaseError
    >>> from neuromap.service.endpoints import refusal
    >>> refusal(InvalidCaseError("side", "no such side"), b'{"side": "middle"}').status
    422
    """
    try:
        parse_json(body, limits=CASE_LIMITS)
    except NeuromapError:
        return from_library(exc, 400)
    return from_library(exc, 422)


# ---------------------------------------------------------------------------------- batch
@operation({
    "summary": "Localize a batch of cases, streamed back",
    "description": "The body is JSON lines (one case per line; blank lines are skipped) or a JSON array of cases. "
                   "The answer is JSON lines, one per case in input order, each the result of "
                   "`neuromap.io.localize_json` or an error object (a bad case does not stop the batch), written as "
                   "the cases are localized (`neuromap.io.localize_iter`). If the batch runs past the time limit, "
                   "its last line is an error object of type `TimeLimitExceeded`.",
    "parameters": _LOCALIZE_PARAMS,
    "requestBody": {"required": True, "content": {
        "application/x-ndjson": {"schema": {"type": "string", "description": "One case (JSON) per line."}},
        "application/json": {"schema": {"type": "array", "items": {"oneOf": [
            {"$ref": "#/components/schemas/Case"}, {"$ref": "#/components/schemas/TextCase"}]}}}}},
    "responses": {"200": {"description": "One JSON line per case: a result or an error object.",
                          "content": {"application/x-ndjson": {"schema": {"oneOf": [
                              {"$ref": "#/components/schemas/Localization"},
                              {"$ref": "#/components/schemas/Error"}]}}}},
                  **errors(400, 408, 413, 422)},
})
async def localize_batch(request: Request) -> Response:
    """``POST /localize/batch``: many cases in, one JSON line out per case, as they are done."""
    settings = settings_of(request)
    strict, dermatome_map, prior = flag(request, "strict"), dermatome_map_param(request), prior_param(request)
    body = await read_body(request, settings.max_batch_bytes, settings.body_timeout, log_cases=settings.log_cases)
    cases = split_batch(body, settings)
    results = localize_iter(cases, dermatome_map=dermatome_map, limits=CASE_LIMITS, strict=strict, workers=1,
                            as_text=True, chunk_size=BATCH_STEP, prior=prior)
    return StreamingResponse(_stream(results, settings.timeout), media_type="application/x-ndjson")


def split_batch(body: bytes, settings: ServiceSettings) -> list[Any]:
    r"""The cases of a batch body: a JSON array's items, or the non-blank lines of JSON lines.

    Parameters
    ----------
    body : bytes
        The request body.
    settings : ServiceSettings
        Its ``max_batch_bytes`` and ``max_batch_cases``.

    Returns
    -------
    list
        The cases, each as :func:`neuromap.io.localize_iter` takes it.

    Raises
    ------
    Problem
        400 for an array that is not JSON; 422 ``LimitExceededError`` for too many cases.

    Examples
    --------
    >>> from neuromap.service import ServiceSettings
    >>> from neuromap.service.endpoints import split_batch
    >>> split_batch(b'{"side": "left"}\n\n{"side": "right"}\n', ServiceSettings())
    [b'{"side": "left"}', b'{"side": "right"}']
    >>> split_batch(b'[{"side": "left"}]', ServiceSettings())
    [{'side': 'left'}]
    """
    if body.lstrip()[:1] == b"[":
        limits = JsonLimits(max_bytes=settings.max_batch_bytes, max_depth=CASE_LIMITS.max_depth + 1,
                            max_number_length=CASE_LIMITS.max_number_length,
                            max_abs_number=CASE_LIMITS.max_abs_number, case=CASE_LIMITS.case)
        try:
            cases: list[Any] = parse_json(body, limits=limits)
        except NeuromapError as exc:
            raise from_library(exc, 400) from None
    else:
        cases = [line for line in body.split(b"\n") if line.strip()]
    if len(cases) > settings.max_batch_cases:
        too_many = LimitExceededError("batch", f"the batch holds {len(cases)} cases, more than the limit of "
                                      f"{settings.max_batch_cases}; send it in parts")
        raise from_library(too_many, 422)
    return cases


async def _stream(results: Any, seconds: float) -> AsyncIterator[bytes]:
    """The results as JSON lines, a few cases at a time, within *seconds* of work in all."""
    budget = seconds
    while True:
        start = time.monotonic()
        try:
            with time_limit(budget):
                lines = list(islice(results, BATCH_STEP))
        except TimeLimitExceeded:
            problem = time_limit_problem(seconds)
            error = {"error": {"type": problem.type, "field": "batch", "message": problem.message}}
            yield (json.dumps(error) + "\n").encode("utf-8")
            return
        budget -= time.monotonic() - start
        if not lines:
            return
        yield ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------- the atlas
@operation({
    "summary": "List the names a case may use",
    "description": "The vocabulary of one kind, as `neuromap regions --json` (and the other listing commands) "
                   "print it: `neuromap.io.vocabulary`.",
    "parameters": [{"name": "kind", "in": "path", "required": True,
                    "schema": {"type": "string", "enum": list(VOCABULARIES)}}],
    "responses": {"200": {"description": "One entry per entity: id, kind, label, aliases and, by kind, more.",
                          "content": {"application/json": {"schema": {"type": "array", "items": {
                              "$ref": "#/components/schemas/VocabularyEntry"}}}}},
                  **errors(404)},
})
async def atlas_list(request: Request) -> Response:
    """``GET /atlas/{kind}``: the vocabulary of one kind (made once per worker)."""
    kind = request.path_params["kind"]
    cache: dict[str, bytes] = request.app.state.vocabularies
    if kind not in cache:
        try:
            entries = vocabulary(kind)
        except NeuromapError as exc:
            raise from_library(exc, 404) from None
        cache[kind] = orjson.dumps(entries)
    return Response(cache[kind], media_type="application/json")


# ---------------------------------------------------------------------------------- health, version
@operation({
    "summary": "Whether this worker answers",
    "description": "200 once the worker has loaded the atlas; for a load balancer's health check.",
    "responses": {"200": {"description": "The worker is up.", "content": {"application/json": {"schema": {
        "type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}}}}},
})
async def health(request: Request) -> Response:
    """``GET /health``."""
    return json_response({"status": "ok"})


def version_info() -> dict[str, Any]:
    """What ``GET /version`` answers: the versions and where the atlas comes from.

    Examples
    --------
    >>> from neuromap.service.endpoints import version_info
    >>> info = version_info()
    >>> info["atlas_status"], info["bundled_verified_atlas"]
    ('bundled', True)
    """
    atlas = load_atlas()
    return {"neuromap_version": __version__, "atlas_version": atlas.version, "atlas_status": atlas.status,
            "bundled_verified_atlas": atlas.status == "bundled" and bool(atlas.data.verified),
            "schema_versions": {name: load_schema(name)["version"] for name in ("case", "localization")}}


@operation({
    "summary": "The versions of neuromap, its atlas and its schemas",
    "description": "`atlas_status` is `Atlas.status`: `bundled` (every file the bundled one), `custom` or "
                   "`modified`; `bundled_verified_atlas` is true when the bundled atlas was loaded and its files "
                   "matched their hashes.",
    "responses": {"200": {"description": "The versions.", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Version"}}}}},
})
async def version(request: Request) -> Response:
    """``GET /version``."""
    return json_response(request.app.state.version)


