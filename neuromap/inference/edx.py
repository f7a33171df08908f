"""Read the electrodiagnostic findings of a case (``electrodiagnosis``, issue 18).

A case may carry a list of study results, each with an optional ``side`` (the case's by
default) and a free-text ``note``::

    {"study": "snap", "nerve": "sural", "result": "normal"}
    {"study": "cmap", "nerve": "fibular", "recording": "EDB", "result": "reduced",
     "conduction_block_at": "fibular head"}
    {"study": "needle_emg", "muscle": "L5 paraspinal", "result": "denervation"}
    {"study": "h_reflex", "result": "absent"}
    {"study": "f_wave", "nerve": "tibial", "result": "delayed"}

Study words, nerves and muscles are read as people write them ('SNAP', 'sural SNAP',
'superficial peroneal', 'EDB', 'TA', 'L5 paraspinal'; :mod:`neuromap.atlas.electro`). The shape
of an entry is checked strictly (:class:`~neuromap.errors.InvalidCaseError`); an unknown study,
result or name follows the case's rule for what is not understood: set aside in
``not_understood``, or refused with ``strict=True``. Each result becomes one finding per side
whose target is a column of the scoring table (``snap``, ``cmap``, ``emg``, ``paraspinal``,
``h_reflex``, ``f_wave``; a conduction block adds a ``block`` finding at its site).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from neuromap.atlas import Atlas, normalize_name
from neuromap.atlas.electro import Study, electrodiagnosis
from neuromap.errors import InvalidCaseError
from neuromap.inference._fields import free_text, keys, name_text, string
from neuromap.weights import EDX_SEVERITY

__all__ = ["ENTRY_KEYS", "StudyResult", "UnknownStudyWord", "check_entry", "read_entry"]

#: The keys of one electrodiagnostic entry.
ENTRY_KEYS = ("study", "result", "side", "note", "nerve", "recording", "muscle", "conduction_block_at")
#: The name each study needs, besides its result.
_NEEDS = {"snap": ("nerve",), "cmap": ("nerve",), "needle_emg": ("muscle",), "h_reflex": (), "f_wave": ("nerve",)}
_MAX_NOTE = 10_000


class UnknownStudyWord(InvalidCaseError):
    """A study or result word that is not read (not understood, unless the case is read strictly)."""


class StudyResult(NamedTuple):
    """One electrodiagnostic finding on one side, ready to become a :class:`~neuromap.inference.case.Finding`."""

    field: str
    kind: str
    target: str
    side: str
    abnormal: bool
    modality: str
    severity: float
    text: str


def check_entry(item: Any, field: str, max_text: int) -> Mapping[str, Any]:
    """The shape of one entry: an object of known keys, a study and a result, names as strings.

    Raises
    ------
    InvalidCaseError
        Naming the field.
    """
    entry = keys(item, field, ENTRY_KEYS, required=("study", "result"))
    for key in ("study", "result", "nerve", "recording", "muscle", "conduction_block_at"):
        if key in entry:
            name_text(entry[key], f"{field}.{key}", max_text)
    if "note" in entry:
        free_text(entry["note"], f"{field}.note", _MAX_NOTE)
    if "side" in entry:
        string(entry["side"], f"{field}.side")
    return entry


def read_entry(entry: Mapping[str, Any], field: str, atlas: Atlas, sides: tuple[str, ...], *,
               strict: bool = False) -> list[StudyResult]:
    """The findings of one checked entry (:func:`check_entry`), one per side.

    Raises
    ------
    UnknownStudyWord
        An unknown study or result word.
    UnknownNameError
        A nerve, muscle or site neuromap does not know for that study.
    InvalidCaseError
        A name a study needs is missing, or one it does not take is given.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> [(r.kind, r.target, r.abnormal) for r in read_entry(
    ...     {"study": "SNAP", "nerve": "superficial peroneal", "result": "absent"}, "electrodiagnosis[0]",
    ...     atlas, ("left",))]
    [('snap', 'superficial_fibular', True)]
    """
    edx = electrodiagnosis(atlas)
    study = edx.study_kind(entry["study"])
    if study is None:
        raise UnknownStudyWord(f"{field}.study", f"{entry['study']!r} is not a study neuromap reads; use one of "
                               f"{', '.join(map(repr, edx.study_words()))}", list(edx.study_words()))
    for key in _NEEDS[study]:
        if key not in entry:
            raise InvalidCaseError(field, f"a {study} result needs {key!r}")
    allowed = {*_NEEDS[study], "study", "result", "side", "note"} | ({"recording", "conduction_block_at"}
                                                                      if study == "cmap" else set())
    extra = [k for k in entry if k not in allowed]
    if extra:
        raise InvalidCaseError(f"{field}.{extra[0]}", f"a {study} result takes no {extra[0]!r}; its keys are "
                               f"{', '.join(map(repr, sorted(allowed)))}")
    result = _result(entry["result"], edx.results(study), f"{field}.result")
    abnormal = result != "normal"
    severity = EDX_SEVERITY[study][result] if abnormal else 1.0
    targets = _targets(study, entry, field, atlas, strict)
    out = []
    for s in sides:
        for t in targets:
            if t.kind == "block":
                out.append(StudyResult(f"{field}.conduction_block_at", "block", t.id, s, True, "block",
                                       EDX_SEVERITY["block"]["block"],
                                       f"conduction block: {entry['conduction_block_at']}"))
            else:
                out.append(StudyResult(field, t.kind, t.id, s, abnormal, result, severity, _text(study, t, result)))
    return out


def _text(study: str, target: Study, result: str) -> str:
    """How a finding reads: 'Sural SNAP absent', 'Needle EMG of tibialis posterior: denervation'."""
    if study == "needle_emg":
        return f"needle EMG of {target.label[0].lower() + target.label[1:]}: {result}"
    if study == "cmap":
        return f"motor response of {target.label.lower()}: {result}"
    return f"{target.label} {result}"


def _result(value: str, allowed: tuple[str, ...], field: str) -> str:
    folded = normalize_name(value).replace(" ", "_")
    for a in allowed:
        if normalize_name(a).replace(" ", "_") == folded:
            return a
    raise UnknownStudyWord(field, f"{value!r} is not a result of this study; use one of "
                           f"{', '.join(map(repr, allowed))}", list(allowed))


def _targets(study: str, entry: Mapping[str, Any], field: str, atlas: Atlas, strict: bool) -> list[Study]:
    """The study targets an entry names (a CMAP with a conduction block names two)."""
    edx = electrodiagnosis(atlas)
    if study == "snap":
        return [edx.snap(entry["nerve"], field=f"{field}.nerve")]
    if study == "needle_emg":
        return [edx.emg_muscle(entry["muscle"], field=f"{field}.muscle", fuzzy=not strict)]
    if study == "h_reflex":
        return [next(edx.studies("h_reflex"))]
    nerve = _nerve(atlas, entry["nerve"], f"{field}.nerve", strict)
    if study == "f_wave":
        for s in edx.studies("f_wave"):
            if s.nerve == nerve:
                return [s]
        raise atlas.unknown(entry["nerve"], "nerve", field=f"{field}.nerve")
    recording = _recording(edx, atlas, nerve, entry, field, strict)
    out = [edx.study("cmap", recording)]
    if "conduction_block_at" in entry:
        chain = atlas.chain(str(edx.study("emg", recording).muscle))
        nerves = (nerve, *(n for n in chain if n != nerve and atlas.node(n)["kind"] == "nerve"))
        out.append(edx.block_site(nerves, entry["conduction_block_at"], field=f"{field}.conduction_block_at"))
    return out


def _nerve(atlas: Atlas, text: str, field: str, strict: bool) -> str:
    match = atlas.match(text, "nerve", fuzzy=not strict, field=field)
    if match is None:
        raise atlas.unknown(text, "nerve", field=field)
    return match.entity.id


def _recording(edx: Any, atlas: Atlas, nerve: str, entry: Mapping[str, Any], field: str, strict: bool) -> str:
    """The muscle a motor study records from: named, or the laboratory's usual one for the nerve."""
    if "recording" not in entry:
        # the laboratory's usual study of the nerve, else of a nerve above it whose usual recording
        # muscle this nerve supplies (a 'deep fibular' motor study is the fibular study to the EDB)
        supplied = atlas.nerve_territory(nerve).muscles
        for c in (*(c for c in edx.data["cmaps"] if c["nerve"] == nerve),
                  *(c for c in edx.data["cmaps"] if c["recording"] in supplied)):
            return str(c["recording"])
        raise UnknownStudyWord(f"{field}.recording", f"name the muscle the {nerve.replace('_', ' ')} motor study "
                               "records from")
    match = atlas.match(entry["recording"], "muscle", fuzzy=not strict, field=f"{field}.recording")
    if match is None:
        raise atlas.unknown(entry["recording"], "muscle", field=f"{field}.recording")
    return match.entity.id
