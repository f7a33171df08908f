"""A case's ``history`` (issue 17) as one FHIR R4 Observation, and back.

The history is not a finding, but its context events raise the base rates of the lesions they
are tied to, so a case sent through FHIR keeps it: one Observation whose ``code`` is neuromap's
finding-kind coding ``history``, with a ``component`` per element, coded in neuromap's history
code system: ``onset`` (``valueString``), ``back_pain`` and ``bilateral_symptoms``
(``valueBoolean``), and one ``event`` per context event (``valueString``: 'diabetes').
A component of another code is kept as written in the history's events, where the case parser
reads it or sets it aside in ``not_understood``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuromap.fhir._common import BASE, FINDING_KIND_SYSTEM, codings, concept_texts, items

__all__ = ["HISTORY_SYSTEM", "history_observation", "is_history", "read_history"]

#: neuromap's code system of the elements of a history (Observation.component.code).
HISTORY_SYSTEM = f"{BASE}/CodeSystem/history"
_FLAGS = ("back_pain", "bilateral_symptoms")


def _part(key: str, **value: Any) -> dict[str, Any]:
    return {"code": {"coding": [{"system": HISTORY_SYSTEM, "code": key}], "text": key.replace("_", " ")}, **value}


def history_observation(history: Mapping[str, Any]) -> dict[str, Any]:
    """The elements of the Observation of a case's history (no status or id).

    Examples
    --------
    >>> obs = history_observation({"onset": "weeks", "events": ["diabetes"]})
    >>> [(c["code"]["text"], c.get("valueString")) for c in obs["component"]]
    [('onset', 'weeks'), ('event', 'diabetes')]
    """
    parts = []
    if "onset" in history:
        parts.append(_part("onset", valueString=str(history["onset"])))
    parts.extend(_part(key, valueBoolean=bool(history[key])) for key in _FLAGS if key in history)
    parts.extend(_part("event", valueString=str(e)) for e in history.get("events", ()))
    return {"code": {"coding": [{"system": FINDING_KIND_SYSTEM, "code": "history", "display": "History"}],
                     "text": "History"}, **({"component": parts} if parts else {})}


def is_history(r: Mapping[str, Any]) -> bool:
    """Whether an Observation is a history neuromap wrote (by its code)."""
    return any(s == FINDING_KIND_SYSTEM and c == "history" for s, c, _ in codings(r.get("code")))


def read_history(r: Mapping[str, Any]) -> dict[str, Any]:
    """The ``history`` of a case from an Observation :func:`is_history` accepts.

    Examples
    --------
    >>> read_history(history_observation({"back_pain": True, "events": ["diabetes"]}))
    {'back_pain': True, 'events': ['diabetes']}
    """
    out: dict[str, Any] = {}
    for c in items(r.get("component")):
        if not isinstance(c, Mapping):
            continue
        key = next((code for s, code, _ in codings(c.get("code")) if s == HISTORY_SYSTEM), None)
        value = c.get("valueBoolean") if "valueBoolean" in c else c.get("valueString")
        if key == "onset" and isinstance(value, str):
            out["onset"] = value
        elif key in _FLAGS and isinstance(value, bool):
            out[str(key)] = value
        else:  # an event, or a part neuromap does not know: read as an event (set aside if unknown)
            word = value if isinstance(value, str) else next(iter(concept_texts(c.get("code"))), None)
            if isinstance(word, str) and word.strip():
                out.setdefault("events", []).append(word.strip())
    return out
