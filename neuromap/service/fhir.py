"""``POST /fhir/localize``: a FHIR R4 resource in, a Bundle with the ClinicalImpression out.

The body is a Bundle of Observations or a QuestionnaireResponse to neuromap's questionnaire;
:func:`neuromap.fhir.localize_fhir` reads it, localizes the case and writes the result. The
resources read and written are validated against FHIR R4 when ``fhir.resources`` is installed
(the ``fhir`` extra); a service without it answers this route with 501 and says which extra to
install, while every other route works.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from neuromap.errors import MissingDependencyError, NeuromapError
from neuromap.fhir import localize_fhir
from neuromap.service.endpoints import (
    CASE_LIMITS,
    PRIOR_PARAM,
    dermatome_map_param,
    errors,
    flag,
    json_response,
    operation,
    parse_case_body,
    prior_param,
    query_param,
    settings_of,
    time_limit_problem,
)
from neuromap.service.guards import TimeLimitExceeded, read_body, time_limit
from neuromap.service.problems import Problem, from_library

__all__ = ["FHIR_JSON", "fhir_localize"]

#: The media type of FHIR's JSON format.
FHIR_JSON = "application/fhir+json"

_RESOURCE = {"type": "object", "required": ["resourceType"],
             "properties": {"resourceType": {"enum": ["Bundle", "QuestionnaireResponse"]}},
             "description": "A FHIR R4 Bundle of Observations, or a QuestionnaireResponse to the questionnaire "
                            "neuromap ships (`neuromap.fhir.questionnaire()`); see docs/fhir.md."}


@operation({
    "summary": "Localize a case given as FHIR R4 resources",
    "description": "`neuromap.fhir.localize_fhir`: the Observations of a Bundle (or the answers of a "
                   "QuestionnaireResponse) read as a case and localized; the answer is a FHIR Bundle holding the "
                   "ClinicalImpression (the differential, each hypothesis with its score and explanation) and a Flag "
                   "per red flag. 501 when the service runs without the `fhir` extra.",
    "parameters": [
        {"name": "side", "in": "query", "schema": {"enum": ["left", "right", "bilateral"]},
         "description": "The side of Observations that name none."},
        {"name": "strict", "in": "query", "schema": {"type": "boolean", "default": False},
         "description": "Refuse a resource with a finding that cannot be read."},
        {"name": "dermatome_map", "in": "query", "schema": {"type": "string"},
         "description": "The dermatome layer (`GET /atlas/maps`)."},
        PRIOR_PARAM,
    ],
    "requestBody": {"required": True, "content": {FHIR_JSON: {"schema": _RESOURCE},
                                                  "application/json": {"schema": _RESOURCE}}},
    "responses": {"200": {"description": "A FHIR Bundle (type collection): the ClinicalImpression, then a Flag per "
                                         "red flag.",
                          "content": {FHIR_JSON: {"schema": {"type": "object"}}}},
                  **errors(400, 408, 413, 422, 501, 503)},
})
async def fhir_localize(request: Request) -> Response:
    """``POST /fhir/localize``: a FHIR resource in, a Bundle with its ClinicalImpression out."""
    settings = settings_of(request)
    strict, dermatome_map, prior = flag(request, "strict"), dermatome_map_param(request), prior_param(request)
    side = query_param(request, "side")
    body = await read_body(request, CASE_LIMITS.max_bytes, settings.body_timeout, log_cases=settings.log_cases)
    resource = parse_case_body(body)
    if not isinstance(resource, dict):
        raise Problem(400, "InvalidTypeError", "expected a FHIR resource (a JSON object with a resourceType)",
                      "resource")
    try:
        with time_limit(settings.timeout):
            bundle = localize_fhir(resource, side=side, strict=strict, dermatome_map=dermatome_map,
                                   limits=CASE_LIMITS.case, prior=prior)
    except MissingDependencyError as exc:
        raise from_library(exc, 501) from None
    except NeuromapError as exc:
        raise from_library(exc, 422) from None
    except TimeLimitExceeded:
        raise time_limit_problem(settings.timeout) from None
    response = json_response(bundle)
    response.headers["content-type"] = FHIR_JSON
    return response
