"""What the FHIR readers and writers share: neuromap's FHIR URLs, CodeableConcepts, laterality, validation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from neuromap.errors import InvalidArgumentError, InvalidTypeError, MissingDependencyError

__all__ = ["ATLAS_SYSTEM", "BASE", "FINDING_KIND_SYSTEM", "HYPOTHESIS_SYSTEM", "LATERALITY_URL", "codings",
           "concept_texts", "entity_concept", "extension", "fhir_model", "items", "laterality_of", "side_concept",
           "validate"]

#: The namespace of neuromap's own FHIR code systems, extensions and questionnaire.
BASE = "https://github.com/neuromap/neuromap/fhir"
#: neuromap's code system of finding kinds (Observation.code): sensory, motor, reflex, sign.
FINDING_KIND_SYSTEM = f"{BASE}/CodeSystem/finding-kind"
#: neuromap's code system of atlas entities: the code is the atlas id ('tibialis_anterior').
ATLAS_SYSTEM = f"{BASE}/CodeSystem/atlas"
#: neuromap's code system of lesion hypotheses ('root:L5', 'nerve:deep_fibular@leg').
HYPOTHESIS_SYSTEM = f"{BASE}/CodeSystem/hypothesis"
#: The extension neuromap writes a finding's side with (a SNOMED CT laterality qualifier).
LATERALITY_URL = f"{BASE}/StructureDefinition/laterality"

#: The FHIR version neuromap reads and writes (fhir.resources' R4B models validate it; R4B
#: changed none of the resources neuromap uses: Bundle, Observation, QuestionnaireResponse,
#: Questionnaire, ClinicalImpression, Flag).
FHIR_VERSION = "4.0.1"


def fhir_model(resource_type: str) -> Any:
    """The fhir.resources (R4B) model class of a resource type; MissingDependencyError without the extra."""
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        raise MissingDependencyError("fhir.resources", "neuromap.fhir", "fhir") from None
    return get_fhir_model_class(resource_type)


def validate(resource: Any, *, field: str = "resource") -> dict[str, Any]:
    """Check a FHIR resource (a dict) against the FHIR R4 structure; return it.

    Parameters
    ----------
    resource : dict
        Any FHIR resource (``resourceType`` says which).
    field : str, default "resource"
        How the error names the resource (a path is appended: ``resource.entry[0]...``).

    Returns
    -------
    dict
        *resource*, unchanged.

    Raises
    ------
    InvalidTypeError
        If *resource* is not a dict with a ``resourceType``.
    InvalidArgumentError
        If it breaks the structure of its resource type; ``field`` names the element at fault
        (``resource.entry[0].resource.status``).
    MissingDependencyError
        If fhir.resources (the ``fhir`` extra) is not installed.

    Examples
    --------
    >>> validate({"resourceType": "Observation", "code": {"text": "Ankle reflex"}})
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidArgumentError: Invalid value for 'resource.status': not valid FHIR R4: ...
    """
    if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
        raise InvalidTypeError(field, "expected a FHIR resource: a JSON object with a 'resourceType'")
    from pydantic import ValidationError

    try:
        model = fhir_model(resource["resourceType"])
    except (KeyError, ValueError, LookupError):
        raise InvalidArgumentError(f"{field}.resourceType",
                                   f"{resource['resourceType']!r} is not a FHIR R4 resource type") from None
    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"] if p != "__root__")
        message = str(err["msg"]).encode("unicode_escape").decode("ascii").rstrip(".")  # one line, escapes shown
        raise InvalidArgumentError(field + where, f"not valid FHIR R4: {message}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # fhir.resources' own validators on odd input
        raise InvalidArgumentError(field, f"not valid FHIR R4 ({type(exc).__name__} in the FHIR validator: "
                                          f"{' '.join(str(exc).split())[:200]})") from None
    return dict(resource)


def items(value: Any) -> list[Any]:
    """A FHIR array as a list (anything else, as an unvalidated resource may hold, as empty)."""
    return list(value) if isinstance(value, (list, tuple)) else []


def codings(concept: Any) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(system, code, display) of every coding of a CodeableConcept."""
    if isinstance(concept, Mapping):
        for c in items(concept.get("coding")):
            if isinstance(c, Mapping):
                yield c.get("system"), c.get("code"), c.get("display")


def concept_texts(concept: Any) -> list[str]:
    """The words of a CodeableConcept: its text, then its codings' displays (non-empty strings)."""
    if not isinstance(concept, Mapping):
        return []
    out = [concept.get("text")] + [d for _, _, d in codings(concept)]
    return [t.strip() for t in out if isinstance(t, str) and t.strip()]


def extension(url: str, **value: Any) -> dict[str, Any]:
    """An extension: ``extension(URL, valueString="x")``."""
    return {"url": url, **value}


def side_concept(atlas: Any, side: str) -> dict[str, Any]:
    """The SNOMED CT laterality qualifier of a side as a CodeableConcept."""
    system, code = atlas.codes.laterality(side)
    coding = {"system": atlas.codes.uri(system), "code": code}
    label = {"left": "Left", "right": "Right", "bilateral": "Right and left"}[side]
    return {"coding": [{**coding, "display": label}], "text": label.lower() if side != "bilateral" else "bilateral"}


def laterality_of(atlas: Any, *concepts: Any) -> str | None:
    """The side a laterality qualifier among *concepts* (CodeableConcepts) gives, or None."""
    for concept in concepts:
        for system, code, _ in codings(concept):
            parsed = atlas.codes.parse(code, system) if isinstance(system, str) and isinstance(code, str) else None
            side = atlas.codes.side_of(*parsed) if parsed else None
            if side is not None:
                return side
    return None


def entity_concept(atlas: Any, kind: str, ident: str, text: str) -> dict[str, Any]:
    """A CodeableConcept for an atlas entity: its standard codes, its neuromap code, *text*."""
    out = []
    for system, codes in atlas.codes.of(kind, ident).items():
        for code in codes:
            coding = {"system": atlas.codes.uri(system), "code": code}
            label = atlas.codes.label(system, code)
            out.append({**coding, "display": label} if label else coding)
    out.append({"system": ATLAS_SYSTEM, "code": ident, "display": atlas.resolve(ident, kind).label})
    return {"coding": out, "text": text}
