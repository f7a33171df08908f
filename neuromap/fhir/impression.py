"""A localization result as a FHIR R4 ClinicalImpression, with a Flag per red flag.

The mapping (``docs/fhir.md`` shows an example):

===============================  =================================================================
ClinicalImpression element       From the result
===============================  =================================================================
``status``, ``code``             ``completed``; the text 'Lesion localization of lower-limb
                                 neurological findings (neuromap)'.
``subject``                      The input's subject (a Reference), else a display-only Reference.
``description``                  The side, the dermatome layer, and the disclaimer.
``summary``                      The leading hypotheses with their scores, in words.
``investigation[0].item``        Every input resource the findings were read from (the
                                 Observations, or the QuestionnaireResponse).
``finding[]``                    The differential, best first: ``itemCodeableConcept`` names the
                                 lesion (neuromap's hypothesis code ``root:L5``,
                                 ``nerve:deep_fibular@leg``, and its label), ``basis`` explains
                                 it (what it explains, leaves unexplained and contradicts), and
                                 the extension ``.../hypothesis`` carries ``rank``, ``score``,
                                 ``kind``, ``id``, ``site`` and references to the Observations it
                                 ``explains``, leaves ``unexplained`` and ``contradicts``.
``prognosisCodeableConcept``     Not used (neuromap makes no prognosis).
``supportingInfo``               The red flags: a reference to each Flag resource of the Bundle.
``note``                         Every warning of the result, then each finding not understood
                                 (with its field and problem) and each resource skipped, then
                                 the proposed study plan (``next_studies``): one note per study,
                                 'Proposed study 1: Superficial fibular SNAP', with what each
                                 leading hypothesis expects, why, its sources and the ``request``
                                 to fill in (as JSON). FHIR R4's ClinicalImpression has no plan
                                 element, so the plan is carried as notes.
===============================  =================================================================

Each red flag is a ``Flag`` (status ``active``, category ``clinical``, its message as
``code.text``, the extension ``.../red-flag`` naming the flag id and referencing the
Observations that raised it), so a receiving system shows it as an alert.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from neuromap.fhir._common import BASE, HYPOTHESIS_SYSTEM, extension
from neuromap.fhir.observations import FhirCase

__all__ = ["HYPOTHESIS_URL", "RED_FLAG_URL", "clinical_impression"]

#: The extension on each ``finding`` holding a hypothesis's rank, score and evidence.
HYPOTHESIS_URL = f"{BASE}/StructureDefinition/hypothesis"
#: The extension on each Flag naming the red flag and the findings behind it.
RED_FLAG_URL = f"{BASE}/StructureDefinition/red-flag"
_FIELD = re.compile(r"\(([a-z]+(?:\[\d+\]|\.)[^()]*)\)")
_NAMESPACE = uuid.UUID("a7d5d0f3-64a4-5b53-8c45-6e6575726f6d")


def clinical_impression(result: Any, source: FhirCase | None = None) -> dict[str, Any]:
    """Write a localization result as a FHIR R4 Bundle holding a ClinicalImpression and its Flags.

    Parameters
    ----------
    result : Localization
        What :func:`neuromap.localize` returned.
    source : FhirCase, optional
        Where the case came from (:func:`neuromap.fhir.read_bundle`,
        :func:`neuromap.fhir.read_questionnaire_response`): the findings then reference the
        input resources, and the subject is the input's.

    Returns
    -------
    dict
        A Bundle (type ``collection``): the ClinicalImpression first, then one Flag per red
        flag. The module docstring gives the mapping.

    Examples
    --------
    >>> import neuromap
    >>> result = neuromap.localize({"side": "left", "reflexes": {"achilles": "absent"}})
    >>> ci = clinical_impression(result)["entry"][0]["resource"]
    >>> ci["finding"][0]["itemCodeableConcept"]["coding"][0]["code"]
    'root:S1'
    """
    d = result.to_dict()
    source = source if source is not None else FhirCase({}, {})
    seed = "/".join(f"{f['field']}:{f['side']}" for f in d["findings"])
    entries: list[dict[str, Any]] = []
    subject = source.subject or {"display": "the patient whose findings were localized"}
    flags = [_flag(flag, source, subject, _url(seed, f"flag/{i}")) for i, flag in enumerate(d["red_flags"])]
    refs = sorted(set(source.origin.values()), key=list(source.origin.values()).index)
    ci: dict[str, Any] = {
        "resourceType": "ClinicalImpression",
        "id": "neuromap-localization",
        "status": "completed",
        "code": {"text": "Lesion localization of lower-limb neurological findings (neuromap)"},
        "subject": subject,
        "description": (f"Side {d['side']}; dermatome layer {d['dermatome_map']['label']}; atlas "
                        f"{d['atlas_version']} ({d['atlas_status']}), neuromap {d['neuromap_version']}. "
                        f"{d['disclaimer']}"),
        "summary": _summary(d),
    }
    if refs:
        ci["investigation"] = [{"code": {"text": "Neurological examination findings"},
                                "item": [{"reference": r} for r in refs]}]
    findings = [_finding(rank, h, source) for rank, h in enumerate(d["hypotheses"], start=1)]
    if findings:
        ci["finding"] = findings
    if flags:
        ci["supportingInfo"] = [{"reference": url, "display": f["resource"]["code"]["text"]} for url, f in flags]
    notes = [*d["warnings"], *(f"Not understood: {n['field']} ({n['text']!r}): {n['problem']}"
                               for n in d["not_understood"]),
             *(f"Skipped: {ref} ({why})" for ref, why in source.skipped),
             *(_planned(k, study) for k, study in enumerate(d.get("next_studies", ()), start=1))]
    if notes:
        ci["note"] = [{"text": n} for n in notes]
    entries.append({"fullUrl": _url(seed, "impression"), "resource": ci})
    entries.extend(f for _, f in flags)
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _planned(k: int, study: Mapping[str, Any]) -> str:
    """One proposed study of the plan as a note's text."""
    expected = "; ".join(f"{h}: {e}" for h, e in study.get("expected", {}).items())
    request = json.dumps(study.get("request", {}), separators=(", ", ": "))
    return (f"Proposed study {k}: {study['label']}. Expected: {expected}. Why: {study.get('why', '')}. "
            f"Sources: {', '.join(study.get('sources', ())) or 'none'}. Request: {request}")


def _url(seed: str, what: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{seed}#{what}')}"


def _summary(d: Mapping[str, Any]) -> str:
    if not d["hypotheses"]:
        return "No lesion explains the abnormal findings given."
    lead = "; ".join(f"{h['label']} ({h['score']:.2f})" for h in d["hypotheses"][:3])
    flags = " RED FLAG: " + " ".join(f["message"] for f in d["red_flags"]) if d["red_flags"] else ""
    return f"Leading hypotheses: {lead}.{flags}"


def _code(h: Mapping[str, Any]) -> str:
    return f"{h['kind']}:{h['id']}" + (f"@{h['site']}" if h.get("site") else "")


def _refs(items: Any, source: FhirCase) -> list[dict[str, Any]]:
    out: dict[str, None] = {}
    for item in items:
        ref = source.reference(item["finding"])
        if ref is not None:
            out[ref] = None
    return [{"reference": r} for r in out]


def _finding(rank: int, h: Mapping[str, Any], source: FhirCase) -> dict[str, Any]:
    """One hypothesis of the differential as a ClinicalImpression.finding."""
    def listed(items: Any) -> str:
        return "; ".join(f"{i['text']} ({i['side']}): {i['why']}" for i in items) or "none"

    basis = (f"Rank {rank}, score {h['score']:.4f}. Explains: {listed(h['explains'])}. "
             f"Unexplained: {listed(h['unexplained'])}. Contradicts: {listed(h['contradicts'])}.")
    parts = [extension("rank", valueInteger=rank), extension("score", valueDecimal=h["score"]),
             extension("kind", valueCode=h["kind"]), extension("id", valueString=h["id"])]
    if h.get("site"):
        parts.append(extension("site", valueString=h["site"]))
    for key in ("explains", "unexplained", "contradicts"):
        parts.extend(extension(key, valueReference=r) for r in _refs(h[key], source))
    return {
        "extension": [extension(HYPOTHESIS_URL, extension=parts)],
        "itemCodeableConcept": {"coding": [{"system": HYPOTHESIS_SYSTEM, "code": _code(h), "display": h["label"]}],
                                "text": f"{h['label']} ({h['side']})"},
        "basis": basis,
    }


def _flag(flag: Mapping[str, Any], source: FhirCase, subject: Mapping[str, Any],
          url: str) -> tuple[str, dict[str, Any]]:
    """A red flag as a FHIR Flag resource, with the references of the findings that raised it."""
    fields = [m.group(1) for t in flag["triggers"] for m in _FIELD.finditer(t)]
    refs = _refs(({"finding": f} for f in fields), source)
    parts = [extension("id", valueCode=flag["id"]), extension("severity", valueCode=flag["severity"]),
             *(extension("trigger", valueReference=r) for r in refs)]
    resource = {
        "resourceType": "Flag",
        "id": f"red-flag-{flag['id'].replace('_', '-')}",
        "extension": [extension(RED_FLAG_URL, extension=parts)],
        "status": "active",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/flag-category",
                                  "code": "clinical", "display": "Clinical"}]}],
        "code": {"text": flag["message"]},
        "subject": dict(subject),
    }
    return url, {"fullUrl": url, "resource": resource}
