"""The OpenAPI document of the service, made from its routes and the library's JSON schemas.

The paths come from the routes (each endpoint carries its operation, see
:func:`neuromap.service.endpoints.operation`); the case and the result are the library's own
schemas, ``neuromap/schemas/case.schema.json`` and ``localization.schema.json``
(:func:`neuromap.io.load_schema`), embedded whole as ``components/schemas/Case`` and
``Localization``: OpenAPI 3.1 uses JSON Schema 2020-12, so they need no translation. Only their
internal references move with them (``#/$defs/x`` becomes ``#/components/schemas/Case/$defs/x``)
and their ``$id`` and ``$schema`` are dropped, since OpenAPI tools resolve references from the
document's root (:func:`embedded_schema`). The text form of a case reuses the case schema's own
properties. One contract, not two.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from neuromap._version import __version__
from neuromap.io import load_schema
from neuromap.service.endpoints import json_response, operation

__all__ = ["build_openapi", "docs_page", "openapi_json"]

_STATUS_TEXT = {
    400: "The request cannot be read: the body is not JSON, or a query parameter is invalid.",
    404: "No such path or name.",
    408: "The request body did not arrive within the body time limit.",
    413: "The request body is larger than the limit (refused before it is read).",
    422: "The JSON is read but the library refuses the case (InvalidCaseError, UnknownNameError, "
         "LimitExceededError: too many findings, regions or vertices).",
    501: "The route needs an optional part the service was installed without (e.g. the `fhir` extra).",
    503: "The work took longer than the time limit (TimeLimitExceeded).",
}

_ERROR = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "description": "An error object, as `neuromap.io.error_object` makes it.",
    "properties": {"error": {"type": "object", "required": ["type", "message", "field"], "properties": {
        "type": {"type": "string", "description": "The error class (`InvalidCaseError`, `UnknownNameError`, "
                 "`LimitExceededError`, ...) or the service's (`RequestTimeout`, `TimeLimitExceeded`, `NotFound`, "
                 "`MethodNotAllowed`, `InternalError`)."},
        "message": {"type": "string", "description": "One line: what was wrong and the closest valid values."},
        "field": {"type": ["string", "null"], "description": "The field at fault (`sensory[0].regions[1]`)."}}}},
}

#: A case as free text: ``text`` and, from the case schema, ``side``, ``id`` and ``dermatome_map``.
TEXT_CASE_KEYS = ("side", "id", "dermatome_map")


def _text_case() -> dict[str, Any]:
    return {
        "type": "object", "required": ["text"], "additionalProperties": False,
        "description": "A case in words, read by `neuromap.case_from_text`; the unread words are listed in the "
                       "result's `not_understood`.",
        "properties": {
            "text": {"type": "string", "description": "A clinic note or complaint.",
                     "examples": ["R leg: 4/5 EHL, absent AJ, numb lateral border of foot"]},
            **{k: {"$ref": f"#/components/schemas/Case/properties/{k}"} for k in TEXT_CASE_KEYS}},
    }


_VOCABULARY_ENTRY = {
    "type": "object", "required": ["id", "kind", "label", "aliases"],
    "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "label": {"type": "string"},
                   "aliases": {"type": "array", "items": {"type": "string"}}},
    "description": "An entity of the atlas and the names it goes by (`neuromap.io.vocabulary`).",
}

_VERSION = {
    "type": "object",
    "required": ["neuromap_version", "atlas_version", "atlas_status", "bundled_verified_atlas", "schema_versions"],
    "properties": {"neuromap_version": {"type": "string"}, "atlas_version": {"type": "string"},
                   "atlas_status": {"type": "string", "enum": ["bundled", "custom", "modified"]},
                   "bundled_verified_atlas": {"type": "boolean"},
                   "schema_versions": {"type": "object", "additionalProperties": {"type": "string"}}},
}


def embedded_schema(name: str, component: str) -> dict[str, Any]:
    """The library's schema *name* as ``components/schemas/<component>`` of the document.

    Examples
    --------
    >>> from neuromap.service.openapi import embedded_schema
    >>> case = embedded_schema("case", "Case")
    >>> case["properties"]["sensory"]["items"]
    {'$ref': '#/components/schemas/Case/$defs/sensory_finding'}
    """
    schema = load_schema(name)
    schema.pop("$id", None)
    schema.pop("$schema", None)
    prefix = f"#/components/schemas/{component}/"

    def rebase(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (prefix + v[2:] if k == "$ref" and isinstance(v, str) and v.startswith("#/") else rebase(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [rebase(v) for v in node]
        return node

    rebased: dict[str, Any] = rebase(schema)
    return rebased


def build_openapi(routes: list[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of *routes* (those whose endpoint carries an operation).

    Parameters
    ----------
    routes : list of starlette.routing.Route
        The routes of the application.

    Returns
    -------
    dict
        The document: ``paths`` from the routes, ``components`` with the library's case and
        localization schemas embedded as they are published.

    Examples
    --------
    >>> from neuromap.service import create_app
    >>> from neuromap.service.openapi import build_openapi
    >>> doc = build_openapi(create_app().routes)
    >>> doc["components"]["schemas"]["Case"]["title"]
    'neuromap case'
    >>> sorted(doc["paths"]["/render"])
    ['get', 'post']
    """
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        spec = getattr(getattr(route, "endpoint", None), "openapi", None)
        if not isinstance(route, Route) or spec is None:
            continue
        name = route.path.replace("/", "_").replace("{", "").replace("}", "").replace(".", "_")
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                paths.setdefault(route.path, {})[method.lower()] = {"operationId": f"{method.lower()}{name}", **spec}
    responses = {str(s): {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for s, text in _STATUS_TEXT.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "neuromap", "version": __version__,
                 "summary": "Lower-limb dermatome and myotome localization over HTTP.",
                 "description": "Decision support for education and research, not a diagnosis. Scores rank "
                                "hypotheses; they are not clinical probabilities. Every error is "
                                '`{"error": {"type", "message", "field"}}`.',
                 "license": {"name": "BSD-3-Clause", "identifier": "BSD-3-Clause"}},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": {"Case": embedded_schema("case", "Case"), "TextCase": _text_case(),
                        "Localization": embedded_schema("localization", "Localization"), "Error": _ERROR,
                        "VocabularyEntry": _VOCABULARY_ENTRY, "Version": _VERSION},
            "responses": responses,
        },
    }


@operation({
    "summary": "This document",
    "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                          "content": {"application/json": {"schema": {"type": "object"}}}}},
})
async def openapi_json(request: Request) -> Response:
    """``GET /openapi.json`` (made once per worker)."""
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        state.openapi = json_response(build_openapi(request.app.routes)).body
    return Response(state.openapi, media_type="application/json")


@operation({
    "summary": "Interactive documentation",
    "description": "A page that lists the operations of `/openapi.json` and sends requests to them. It loads "
                   "nothing from elsewhere.",
    "responses": {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}},
})
async def docs_page(request: Request) -> Response:
    """``GET /docs``."""
    return HTMLResponse(files("neuromap.service").joinpath("docs.html").read_text(encoding="utf-8"))
