"""One call for clinical systems: FHIR findings in, a FHIR ClinicalImpression out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuromap.errors import InvalidTypeError, check_option
from neuromap.fhir._common import validate
from neuromap.fhir.impression import clinical_impression
from neuromap.fhir.observations import read_bundle
from neuromap.fhir.questionnaire import read_questionnaire_response

__all__ = ["localize_fhir"]

_READS = ("Bundle", "QuestionnaireResponse")


def localize_fhir(resource: Any, *, side: str | None = None, check: bool = True,
                  **localize_kwargs: Any) -> dict[str, Any]:
    """Localize the findings of a FHIR R4 resource; return the result as FHIR.

    This is what ``POST /fhir/localize`` of ``neuromap serve`` calls.

    Parameters
    ----------
    resource : dict
        Either a ``Bundle`` of ``Observation`` resources (sensory findings with a coded or
        named body site, MRC grades, reflex grades, signs; see :mod:`neuromap.fhir.observations`
        for what is read) or a ``QuestionnaireResponse`` to :func:`neuromap.fhir.questionnaire`.
    side : {"left", "right", "bilateral"}, optional
        The side of Observations that name none; by default the one side the others share
        (ignored for a QuestionnaireResponse, which answers the side).
    check : bool, default True
        Validate *resource* against the FHIR R4 structure first (needs fhir.resources, the
        ``fhir`` extra); a resource that breaks it is refused with the element named.
    **localize_kwargs
        Passed to :func:`neuromap.localize`: ``dermatome_map``, ``max_hypotheses``,
        ``strict``, ``prior``, ``limits``, ``atlas``.

    Returns
    -------
    dict
        A FHIR R4 ``Bundle`` (type ``collection``) whose first entry is the
        ``ClinicalImpression`` (the differential as ``finding`` entries with scores, explanations
        and references to the input Observations; warnings and findings not understood as
        ``note``) followed by one ``Flag`` per red flag (see :mod:`neuromap.fhir.impression`).

    Raises
    ------
    InvalidTypeError
        If *resource* is not a Bundle or a QuestionnaireResponse (field ``resource`` or
        ``resource.resourceType``).
    InvalidArgumentError
        If *side* is not a side, or *check* and the resource breaks the FHIR R4 structure (field
        ``resource.entry[0].resource.status``, ...), or a keyword is not one of
        :func:`neuromap.localize`'s.
    InvalidCaseError
        If the findings cannot make a case (no Observation; an Observation with no side and no
        default; a response to another questionnaire); with ``strict=True`` also any finding
        that cannot be read. Field names are FHIR paths (``entry[2].resource``).
    MissingDependencyError
        If *check* and fhir.resources is not installed.

    Examples
    --------
    >>> obs = {"resourceType": "Observation", "status": "final",
    ...        "code": {"text": "Ankle reflex"}, "valueString": "absent",
    ...        "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "24028007"}]}}
    >>> out = localize_fhir({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": obs}]})
    >>> impression = out["entry"][0]["resource"]
    >>> impression["resourceType"], impression["finding"][0]["itemCodeableConcept"]["text"]
    ('ClinicalImpression', 'S1 radiculopathy (right)')
    """
    from neuromap.inference import localize

    if not isinstance(resource, Mapping):
        raise InvalidTypeError("resource", "expected a FHIR resource: a JSON object with a 'resourceType'")
    kind = resource.get("resourceType")
    if kind not in _READS:
        raise InvalidTypeError("resource.resourceType", f"expected 'Bundle' (of Observations) or "
                                                        f"'QuestionnaireResponse', got {kind!r}")
    if side is not None:
        check_option("side", side, ("left", "right", "bilateral"))
    if check:
        validate(resource)
    atlas = localize_kwargs.get("atlas")
    if kind == "Bundle":
        source = read_bundle(resource, atlas=atlas, side=side)
    else:
        source = read_questionnaire_response(resource, atlas=atlas)
    result = localize(source.case, **localize_kwargs)
    return clinical_impression(result, source)
