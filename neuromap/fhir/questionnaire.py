"""neuromap's lower-limb symptom questionnaire (a FHIR Questionnaire) and reading its responses.

The questionnaire (:func:`questionnaire`, shipped as ``neuromap/fhir/questionnaire.json``) asks
the side, where each symptom is felt (numbness, tingling, pain, burning: a pain drawing by named
body areas), which movements are weak, the cauda equina warning symptoms, back pain and onset.
Its description cites the instruments each part follows; the questions are neuromap's own.

:func:`read_questionnaire_response` turns a response into a case: one sensory entry per symptom
naming the ticked areas (``open-choice`` answers typed as text are passed on as names, and set
aside as not understood when the atlas does not know them), a motor entry ``weak`` per ticked
movement, a sign per warning question (present for *yes*, examined normal for *no*), and the
history's back pain and onset.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from neuromap.errors import InvalidCaseError, InvalidTypeError
from neuromap.fhir._common import items as fhir_items
from neuromap.fhir.observations import FhirCase

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["questionnaire", "read_questionnaire_response"]


@functools.lru_cache(maxsize=1)
def _questionnaire() -> dict[str, Any]:
    text = resources.files("neuromap.fhir").joinpath("questionnaire.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def questionnaire() -> dict[str, Any]:
    """The FHIR R4 Questionnaire neuromap reads responses of (a fresh copy each call).

    Returns
    -------
    dict
        The Questionnaire resource; its ``url`` is what a QuestionnaireResponse's
        ``questionnaire`` names.

    Examples
    --------
    >>> q = questionnaire()
    >>> q["resourceType"], [item["linkId"] for item in q["item"]]
    ('Questionnaire', ['side', 'areas', 'weakness', 'warning', 'history'])
    """
    return copy.deepcopy(_questionnaire())


def _answers(items: Any, prefix: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(linkId, field, answer) of every answer of a response, nested groups included."""
    for i, item in enumerate(fhir_items(items)):
        if not isinstance(item, Mapping):
            raise InvalidCaseError(f"{prefix}[{i}]", "expected an item object")
        where = f"{prefix}[{i}]"
        for j, answer in enumerate(fhir_items(item.get("answer"))):
            if isinstance(answer, Mapping):
                yield str(item.get("linkId", "")), f"{where}.answer[{j}]", answer
                yield from _answers(answer.get("item"), f"{where}.answer[{j}].item")
        yield from _answers(item.get("item"), f"{where}.item")


def _coded(answer: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(code, text) of a choice answer: a Coding's code (neuromap's atlas or SNOMED CT) or a typed string."""
    coding = answer.get("valueCoding")
    if isinstance(coding, Mapping):
        code = coding.get("code") if isinstance(coding.get("code"), str) else None
        return code, coding.get("display") if isinstance(coding.get("display"), str) else code
    text = answer.get("valueString")
    return None, text.strip() if isinstance(text, str) and text.strip() else None


def read_questionnaire_response(response: Any, *, atlas: Atlas | None = None) -> FhirCase:
    """Read a case from a QuestionnaireResponse to :func:`questionnaire`.

    Parameters
    ----------
    response : dict
        A FHIR R4 QuestionnaireResponse whose ``questionnaire`` is the url of
        :func:`questionnaire` (a version suffix ``|1.0.0`` is allowed).
    atlas : Atlas, optional
        The atlas whose names the answers use; the bundled one by default.

    Returns
    -------
    FhirCase
        The case; every finding's origin is the response itself.

    Raises
    ------
    InvalidTypeError
        If *response* is not a QuestionnaireResponse.
    InvalidCaseError
        If it answers another questionnaire (field ``questionnaire``), gives no side (field
        ``item``), or a side neuromap cannot read.

    Examples
    --------
    >>> qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
    ...       "questionnaire": questionnaire()["url"],
    ...       "item": [{"linkId": "side", "answer": [{"valueCoding": {"code": "24028007"}}]},
    ...                {"linkId": "areas", "item": [{"linkId": "areas.numbness",
    ...                 "answer": [{"valueCoding": {"code": "heel"}}]}]}]}
    >>> read_questionnaire_response(qr).case
    {'side': 'right', 'sensory': [{'regions': ['heel'], 'modality': 'numbness'}]}
    """
    from neuromap.atlas import load_atlas

    atlas = atlas if atlas is not None else load_atlas()
    if not isinstance(response, Mapping) or response.get("resourceType") != "QuestionnaireResponse":
        raise InvalidTypeError("resource", "expected a FHIR QuestionnaireResponse (resourceType "
                                           "'QuestionnaireResponse')")
    url = _questionnaire()["url"]
    named = str(response.get("questionnaire", "")).split("|")[0]
    if named != url:
        raise InvalidCaseError("questionnaire", f"neuromap reads responses to {url!r} (neuromap.fhir.questionnaire()),"
                                                f" not to {response.get('questionnaire')!r}")
    ref = f"QuestionnaireResponse/{response['id']}" if isinstance(response.get("id"), str) else "QuestionnaireResponse"
    case: dict[str, Any] = {}
    areas: dict[str, list[str]] = {}
    for link, where, answer in _answers(response.get("item"), "item"):
        _read_answer(case, areas, link, where, answer, atlas)
    if "side" not in case:
        raise InvalidCaseError("item", "the response does not answer 'side' (which leg)")
    sensory = [{"regions": names, "modality": modality} for modality, names in areas.items()]
    out = {"side": case.pop("side"), **({"sensory": sensory} if sensory else {}), **case}
    origin = {f"{key}[{i}]": ref for key in ("sensory", "motor", "other") for i in range(len(out.get(key, ())))}
    subject = dict(response["subject"]) if isinstance(response.get("subject"), Mapping) else None
    return FhirCase(out, origin, (), subject)


def _read_answer(case: dict[str, Any], areas: dict[str, list[str]], link: str, where: str,
                 answer: Mapping[str, Any], atlas: Atlas) -> None:
    """Add one answer to the case being read."""
    code, text = _coded(answer)
    if link == "side":
        side = atlas.codes.side_of("SNOMED", code) if code else None
        side = side or {"left": "left", "right": "right", "both": "bilateral"}.get(str(text).strip().lower())
        if side is None:
            raise InvalidCaseError(where, f"cannot read the side {code or text!r}: answer left (7771000), right "
                                          "(24028007) or both (51440002)")
        case["side"] = side
    elif link.startswith("areas.") and (code or text):
        areas.setdefault(link.split(".", 1)[1], []).append(str(code or text))
    elif link == "weakness" and (code or text):
        case.setdefault("motor", []).append({"name": str(code or text), "grade": "weak"})
    elif link.startswith("warning.") and isinstance(answer.get("valueBoolean"), bool):
        name = link.split(".", 1)[1]
        state = "abnormal" if answer["valueBoolean"] else "normal"
        case.setdefault("other", []).append({"name": name, "state": state})
    elif link == "history.back_pain" and isinstance(answer.get("valueBoolean"), bool):
        case.setdefault("history", {})["back_pain"] = answer["valueBoolean"]
    elif link == "history.onset" and (code or text):
        case.setdefault("history", {})["onset"] = str(code or text)
