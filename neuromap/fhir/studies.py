"""Electrodiagnostic findings (a case's ``electrodiagnosis``, issue 18) as FHIR R4 Observations, and back.

One Observation per study result:

=========================  ====================================================================
Observation element        Meaning
=========================  ====================================================================
``category``               ``procedure`` of the FHIR observation-category code system (a
                           result of a procedure other than laboratory or imaging), with the
                           text 'Neurophysiology (electrodiagnostic study)'.
``code``                   neuromap's finding-kind coding ``electrodiagnosis``, the study in
                           neuromap's study code system (``snap``, ``cmap``, ``needle_emg``,
                           ``h_reflex``, ``f_wave``) and, as text, the study as the case wrote
                           it ('SNAP'). A code whose words name a study ('H reflex', 'needle
                           EMG', 'Sural SNAP': the other words name the nerve or muscle when
                           there is no ``bodySite``) is read as one.
``bodySite``               The nerve (SNAP, CMAP, F wave) or the muscle (needle EMG, a
                           paraspinal level as text: 'L5 paraspinal') with its standard codes
                           (the ISO/IEEE 11073 MDC electrode-site code, UBERON, FMA, SNOMED CT)
                           and the name as written. The H reflex has none.
laterality                 As every finding: a SNOMED CT laterality qualifier in an extension.
``valueCodeableConcept``   The result: neuromap's result coding (``normal``, ``reduced``,
                           ``absent``, ``denervation``, ``chronic_reinnervation``, ``both``,
                           ``delayed``) and the word as written; ``interpretation`` ``N`` or
                           ``A`` (normal or abnormal) when the result is read.
``component``              ``recording`` (the muscle a CMAP records from, coded as a bodySite)
                           and ``conduction_block_at`` (the site, as text), in neuromap's
                           element code system; also any name the study does not take, so that
                           the parser sets it aside as it would have.
``note``                   The finding's note. A component neuromap does not read (an
                           amplitude, a latency) is added to the note as text; an H reflex's
                           body site too.
=========================  ====================================================================

Nothing is dropped: an Observation read as a study whose study, result or name cannot be read
passes it on as written ('(no value)', '(no body site)' when missing), and the case parser sets
it aside in ``not_understood`` (or refuses it with ``strict=True``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from neuromap.atlas.electro import electrodiagnosis
from neuromap.atlas.grammar import normalize_name
from neuromap.fhir._common import BASE, FINDING_KIND_SYSTEM, codings, concept_texts, entity_concept, items

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["ELEMENT_SYSTEM", "RESULT_SYSTEM", "STUDY_SYSTEM", "is_study", "read_study", "study_observation"]

#: neuromap's code system of electrodiagnostic studies (Observation.code): snap, cmap, needle_emg, ...
STUDY_SYSTEM = f"{BASE}/CodeSystem/edx-study"
#: neuromap's code system of study results (Observation.valueCodeableConcept): normal, reduced, ...
RESULT_SYSTEM = f"{BASE}/CodeSystem/edx-result"
#: neuromap's code system of the parts of a study result (Observation.component.code): recording, ...
ELEMENT_SYSTEM = f"{BASE}/CodeSystem/edx-element"
#: The FHIR R4 observation category of a study result (source: hl7_fhir_r4_observation_category).
CATEGORY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "procedure",
                        "display": "Procedure"}], "text": "Neurophysiology (electrodiagnostic study)"}
_LABELS = {"snap": "Sensory nerve action potential (SNAP)", "cmap": "Motor nerve conduction (CMAP)",
           "needle_emg": "Needle electromyography", "h_reflex": "H reflex", "f_wave": "F wave"}
#: The key of the entry a study's bodySite holds.
_SITE_KEY = {"snap": "nerve", "cmap": "nerve", "f_wave": "nerve", "needle_emg": "muscle"}
_NAME_KEYS = ("nerve", "muscle", "recording", "conduction_block_at")
_V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_INTERPRETATION = {True: {"coding": [{"system": _V3, "code": "A", "display": "Abnormal"}]},
                   False: {"coding": [{"system": _V3, "code": "N", "display": "Normal"}]}}


def _canonical(atlas: Atlas, study: str | None, result: str) -> str | None:
    """The result word of a known study a written result names, or None."""
    if study is None:
        return None
    folded = normalize_name(result).replace(" ", "_")
    return next((r for r in electrodiagnosis(atlas).results(study) if normalize_name(r).replace(" ", "_") == folded),
                None)


def _site(atlas: Atlas, name: str, key: str) -> dict[str, Any]:
    """A nerve or muscle as a CodeableConcept: its codes when the name resolves, the name as written."""
    kinds = ("muscle",) if key in ("muscle", "recording") else ("nerve",)
    try:
        match = atlas.match(name, kinds, fuzzy=False)
    except LookupError:
        match = None
    if match is None or match.side is not None:
        return {"text": name}
    return entity_concept(atlas, match.entity.kind, match.entity.id, name)


def _element(key: str) -> dict[str, Any]:
    return {"coding": [{"system": ELEMENT_SYSTEM, "code": key}], "text": key.replace("_", " ")}


def study_observation(atlas: Atlas, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The elements of the Observation of one ``electrodiagnosis`` entry (no side, status or id).

    Examples
    --------
    >>> import neuromap
    >>> obs = study_observation(neuromap.load_atlas(), {"study": "SNAP", "nerve": "sural", "result": "absent"})
    >>> obs["code"]["coding"][1]["code"], obs["bodySite"]["text"], obs["valueCodeableConcept"]["coding"][0]["code"]
    ('snap', 'sural', 'absent')
    """
    word = str(entry["study"])
    study = electrodiagnosis(atlas).study_kind(word)
    code = [{"system": FINDING_KIND_SYSTEM, "code": "electrodiagnosis", "display": "Electrodiagnostic study result"}]
    if study is not None:
        code.append({"system": STUDY_SYSTEM, "code": study, "display": _LABELS.get(study, study)})
    out: dict[str, Any] = {"category": [CATEGORY], "code": {"coding": code, "text": word}}
    site_key = _SITE_KEY.get(study or "") if _SITE_KEY.get(study or "") in entry else next(
        (k for k in ("nerve", "muscle") if k in entry), None)
    if site_key is not None:
        out["bodySite"] = _site(atlas, str(entry[site_key]), site_key)
    result = str(entry["result"])
    canon = _canonical(atlas, study, result)
    out["valueCodeableConcept"] = {"text": result, **({"coding": [{"system": RESULT_SYSTEM, "code": canon}]}
                                                       if canon is not None else {})}
    if canon is not None:
        out["interpretation"] = [_INTERPRETATION[canon != "normal"]]
    components = []
    if site_key is not None and site_key != _SITE_KEY.get(study or ""):
        components.append({"code": _element("site_key"), "valueString": site_key})
    for key in _NAME_KEYS:
        if key in entry and key != site_key:
            value = {"text": str(entry[key])} if key == "conduction_block_at" else _site(atlas, str(entry[key]), key)
            components.append({"code": _element(key), "valueCodeableConcept": value})
    if components:
        out["component"] = components
    if entry.get("note"):
        out["note"] = [{"text": str(entry["note"])}]
    return out


def is_study(atlas: Atlas, r: Mapping[str, Any]) -> bool:
    """Whether an Observation is an electrodiagnostic study result (by its code)."""
    concept = r.get("code")
    for system, code, _ in codings(concept):
        if (system == FINDING_KIND_SYSTEM and code == "electrodiagnosis") or system == STUDY_SYSTEM:
            return True
    return any(_study_in(atlas, t) is not None for t in concept_texts(concept))


def _study_in(atlas: Atlas, text: str) -> tuple[str, str] | None:
    """(the words naming a study, the rest) of a code's text: ('SNAP', 'Sural') of 'Sural SNAP', or None."""
    edx = electrodiagnosis(atlas)
    if edx.study_kind(text) is not None:
        return text, ""
    words = text.split()
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if edx.study_kind(" ".join(words[i:i + n])) is not None:
                return " ".join(words[i:i + n]), " ".join(words[:i] + words[i + n:])
    return None


def _words(atlas: Atlas, concept: Any) -> str | None:
    """A CodeableConcept as a name: its text, else the atlas entity its code names, else 'system|code'."""
    texts = concept_texts(concept)
    if texts:
        return texts[0]
    for system, code, _ in codings(concept):
        if isinstance(system, str) and isinstance(code, str):
            parsed = atlas.codes.parse(code, system)
            found = atlas.codes.find(*parsed) if parsed else None
            if found is not None:
                return atlas.resolve(found[1], found[0]).label
    return next((f"{s}|{c}" for s, c, _ in codings(concept) if isinstance(s, str) and isinstance(c, str)), None)


def _component_value(atlas: Atlas, c: Mapping[str, Any]) -> str | None:
    if isinstance(c.get("valueString"), str) and c["valueString"].strip():
        return str(c["valueString"]).strip()
    if "valueCodeableConcept" in c:
        return _words(atlas, c["valueCodeableConcept"])
    for key, value in c.items():  # a measurement (valueQuantity ...): kept as text in the note
        if key.startswith("value") and isinstance(value, Mapping) and "value" in value:
            return f"{value.get('value')} {value.get('unit', '')}".strip()
        if key.startswith("value") and isinstance(value, (str, int, float, bool)):
            return str(value)
    return None


def _element_key(c: Mapping[str, Any]) -> str | None:
    for system, code, _ in codings(c.get("code")):
        if system == ELEMENT_SYSTEM and code in (*_NAME_KEYS, "site_key"):
            return str(code)
    words = " ".join(concept_texts(c.get("code"))).lower()
    return "conduction_block_at" if "block" in words else "recording" if "record" in words else None


def read_study(atlas: Atlas, r: Mapping[str, Any], note: str | None) -> dict[str, Any]:
    """The ``electrodiagnosis`` entry (without its side) of an Observation :func:`is_study` accepts.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> read_study(atlas, {"code": {"text": "H reflex"}, "valueString": "absent"}, None)
    {'study': 'H reflex', 'result': 'absent'}
    """
    edx = electrodiagnosis(atlas)
    concept = r.get("code")
    coded = [c for s, c, _ in codings(concept) if s == STUDY_SYSTEM and isinstance(c, str) and c]
    texts = concept_texts(concept)
    found = next((hit for t in texts if edx.study_kind(t) is not None for hit in (_study_in(atlas, t),)), None)
    ours = any(s == FINDING_KIND_SYSTEM and c == "electrodiagnosis" for s, c, _ in codings(concept))
    if found is None and not coded and not ours:  # another system's code naming the study and the nerve: 'Sural SNAP'
        found = next((hit for t in texts for hit in (_study_in(atlas, t),) if hit is not None), None)
    word, rest = found if found is not None else (coded[0] if coded else texts[0] if texts else "(no study)", "")
    study = edx.study_kind(word)
    result = None
    if isinstance(r.get("valueString"), str) and r["valueString"].strip():
        result = str(r["valueString"]).strip()
    elif "valueCodeableConcept" in r:
        value = r["valueCodeableConcept"]
        result = next(iter(concept_texts(value)), None) or next(
            (c for s, c, _ in codings(value) if isinstance(c, str) and c), None)
    entry: dict[str, Any] = {"study": word, "result": result or "(no value)"}
    parts = [c for c in items(r.get("component")) if isinstance(c, Mapping)]
    named = {k: _element_key(c) for k, c in enumerate(parts)}
    site_key = next((_component_value(atlas, parts[k]) for k, key in named.items() if key == "site_key"), None)
    site = _words(atlas, r.get("bodySite")) if "bodySite" in r else (rest or None)
    notes = [note] if note else []
    key = site_key if site_key in _NAME_KEYS else _SITE_KEY.get(study or "", "nerve" if study is None else None)
    if key is None:  # the H reflex takes no site: its body site is kept in the note
        if site is not None:
            notes.append(f"body site: {site}")
    elif site is not None or _SITE_KEY.get(study or "") == key:
        entry[key] = site if site is not None else "(no body site)"
    for k, c in enumerate(parts):
        value = _component_value(atlas, c)
        element = named[k]
        if element in _NAME_KEYS and element not in entry and value is not None:
            entry[element] = value
        elif element != "site_key":  # a measurement neuromap does not read: kept, as text
            label = next(iter(concept_texts(c.get("code"))), "component")
            notes.append(f"{label}: {value if value is not None else '(no value)'}")
    if notes:
        entry["note"] = "\n".join(notes)
    return entry
