"""A case as a FHIR R4 Bundle of Observations, and back.

One Observation per finding of the case (a sensory entry naming several regions is a panel
Observation whose ``hasMember`` are one Observation per region, so the regions keep sharing their
entry's evidence). How neuromap writes a finding, and what it reads:

=========================  ====================================================================
Observation element        Meaning
=========================  ====================================================================
``code``                   The kind of finding: neuromap's finding-kind coding (sensory, motor,
                           reflex, sign) and a text; any other code (LOINC, SNOMED CT) is read
                           by its words ('strength', 'reflex', 'sensation', a sign's name).
``bodySite``               What was examined: SNOMED CT, UBERON, FMA or MDC codings resolved by
                           :meth:`neuromap.atlas.Atlas.resolve`, neuromap's atlas coding, or the
                           text ('left first web space'). A sign or reflex is named by its ``code``.
laterality                 A SNOMED CT laterality qualifier (left 7771000, right 24028007,
                           bilateral 51440002) in an extension of the Observation or of its
                           ``bodySite``, or in ``bodySite.coding``; else a side word of
                           ``bodySite.text``; else the reader's ``side``.
``value[x]``               Sensory: the modality (``valueCodeableConcept`` or ``valueString``:
                           'numbness', 'pins and needles'; 'normal' for an examined normal area);
                           motor: the MRC grade (``valueInteger`` 0-5, ``valueQuantity``,
                           ``valueString`` '4+', '4/5', 'weak'); reflex: the grade ('absent',
                           '1+', or ``valueInteger`` 0-4 on the NINDS scale); sign:
                           ``valueBoolean`` (present or absent).
``interpretation``         ``N`` (normal) makes an examined-normal finding.
``component``              Each component is a finding of its own (its code and value), with the
                           parent's body site, side and kind.
``note``                   The finding's note.
=========================  ====================================================================

An electrodiagnostic result (``electrodiagnosis``: SNAP, CMAP, needle EMG, H reflex, F wave) is an
Observation of category ``procedure`` coded by its study (:mod:`neuromap.fhir.studies`); the
case's ``history`` is one Observation of components (:mod:`neuromap.fhir.history`).

Nothing is dropped silently: an Observation whose body site or value neuromap cannot map is
passed on as text (or as its code, ``http://snomed.info/sct|123``), and the case parser sets it
aside in the result's ``not_understood``; Observations that are ``entered-in-error`` or
``cancelled`` are skipped and listed in :attr:`FhirCase.skipped`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neuromap.atlas.names import ENTITY_KINDS
from neuromap.errors import InvalidCaseError, InvalidTypeError
from neuromap.fhir._common import (
    ATLAS_SYSTEM,
    FINDING_KIND_SYSTEM,
    LATERALITY_URL,
    codings,
    concept_texts,
    entity_concept,
    extension,
    items,
    laterality_of,
    side_concept,
)
from neuromap.fhir.history import history_observation, is_history, read_history
from neuromap.fhir.studies import is_study, read_study, study_observation

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["FhirCase", "case_to_bundle", "read_bundle"]

#: The extension holding a drawn sensory area (the case's drawing object as JSON text).
DRAWING_URL = "https://github.com/neuromap/neuromap/fhir/StructureDefinition/drawing"
_SECTIONS = {"region": "sensory", "group": "sensory", "muscle": "motor", "movement": "motor",
             "reflex": "reflexes", "sign": "other"}
_KINDS = {"sensory": ("region", "group"), "motor": ("movement", "muscle"), "reflexes": ("reflex",),
          "other": ("sign",)}
_KIND_WORDS = (("reflex", ("reflex", "jerk")), ("motor", ("strength", "power", "mrc", "motor", "weakness")),
               ("sensory", ("sensation", "sensory", "touch", "pinprick", "numb", "tingl", "pain", "dermatom")))
_KIND_LABELS = {"sensory": "Sensory finding", "motor": "Muscle strength (MRC grade)",
                "reflex": "Tendon reflex grade", "sign": "Sign or symptom"}
_SKIP_STATUSES = ("entered-in-error", "cancelled")
_NAMESPACE = uuid.UUID("6f1c3f1e-2b1a-5d0e-9a57-6e6575726f6d")  # neuromap's uuid5 namespace for fullUrls


@dataclass(frozen=True)
class FhirCase:
    """A case read from FHIR, with where each finding came from.

    Attributes
    ----------
    case : dict
        The case, as :func:`neuromap.localize` takes it.
    origin : dict
        Case field (``"sensory[0].regions[1]"``, ``"reflexes.achilles.left"``, ``"other[0]"``)
        -> the reference of the resource it was read from (an Observation's ``fullUrl``,
        ``Observation/<id>`` or the QuestionnaireResponse).
    skipped : tuple of (str, str)
        (reference, reason) of every resource read but not used (an Observation entered in
        error).
    subject : dict or None
        The subject (a Reference) of the input, for the ClinicalImpression.
    """

    case: dict[str, Any]
    origin: dict[str, str] = field(default_factory=dict)
    skipped: tuple[tuple[str, str], ...] = ()
    subject: dict[str, Any] | None = None

    def reference(self, finding_field: str) -> str | None:
        """The reference of the resource a result's finding field came from, or None.

        Examples
        --------
        >>> FhirCase({"side": "left"}, {"motor[0]": "urn:uuid:1"}).reference("motor[0]")
        'urn:uuid:1'
        """
        key = finding_field
        while key:
            if key in self.origin:
                return self.origin[key]
            cut = max(key.rfind("."), key.rfind("["))
            key = key[:cut] if cut > 0 else ""
        return None


# ----------------------------------------------------------------------------- reading
def read_bundle(bundle: Any, *, atlas: Atlas | None = None, side: str | None = None) -> FhirCase:
    """Read a case from a FHIR R4 Bundle of Observations.

    Parameters
    ----------
    bundle : dict
        A Bundle (any type) whose entries hold Observations (other resources are ignored; a
        Patient among them is not read).
    atlas : Atlas, optional
        The atlas whose codes and names the Observations use; the bundled one by default.
    side : {"left", "right", "bilateral"}, optional
        The side of Observations that name none (no laterality qualifier, no side word); by
        default the one side the others share.

    Returns
    -------
    FhirCase
        The case, where each finding came from, and the Observations skipped.

    Raises
    ------
    InvalidTypeError
        If *bundle* is not a Bundle.
    InvalidCaseError
        If it holds no Observation, or an Observation has no side and no default side is
        known (the field names the Observation: ``entry[2].resource``).

    Examples
    --------
    >>> obs = {"resourceType": "Observation", "status": "final", "code": {"text": "Ankle reflex"},
    ...        "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "7771000"}]},
    ...        "valueString": "absent"}
    >>> fc = read_bundle({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": obs}]})
    >>> fc.case["reflexes"]
    {'Ankle reflex': {'left': 'absent'}}
    """
    from neuromap.atlas import load_atlas

    atlas = atlas if atlas is not None else load_atlas()
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise InvalidTypeError("resource", "expected a FHIR Bundle of Observations (resourceType 'Bundle')")
    entries = [e for e in items(bundle.get("entry")) if isinstance(e, Mapping)]
    obs = {}
    for i, e in enumerate(entries):
        r = e.get("resource")
        if isinstance(r, Mapping) and r.get("resourceType") == "Observation":
            obs[f"entry[{i}].resource"] = (_reference(e, r, i), r)
    if not obs:
        raise InvalidCaseError("entry", "the Bundle holds no Observation")
    return _Reader(atlas, obs, side).read()


def _reference(entry: Mapping[str, Any], resource: Mapping[str, Any], i: int) -> str:
    if isinstance(entry.get("fullUrl"), str):
        return str(entry["fullUrl"])
    if isinstance(resource.get("id"), str):
        return f"Observation/{resource['id']}"
    return f"#entry[{i}]"


@dataclass
class _Part:
    """One body site of an entry: its name for the case, its side (None: not given), its resource."""

    name: str
    side: str | None
    ref: str
    resolved: bool = False
    kind: str | None = None
    worded: bool = False   #: the name says its side itself ('left ankle', as written)


@dataclass
class _Item:
    """One case entry read from an Observation (or a panel of them)."""

    section: str
    where: str
    parts: list[_Part]
    ref: str
    value: Any = None
    note: str | None = None


class _Reader:
    def __init__(self, atlas: Atlas, obs: dict[str, tuple[str, Mapping[str, Any]]], side: str | None) -> None:
        self.atlas, self.obs, self.default = atlas, obs, side
        self.by_ref = {ref: (where, r) for where, (ref, r) in obs.items()}
        for where, (_, r) in obs.items():
            if isinstance(r.get("id"), str):
                self.by_ref.setdefault(f"Observation/{r['id']}", (where, r))
        self.members = {self.by_ref[m][0] for _, r in obs.values() for m in self.member_refs(r)}
        self.items: list[_Item] = []
        self.skipped: list[tuple[str, str]] = []
        self.history: dict[str, Any] = {}

    def member_refs(self, r: Mapping[str, Any]) -> list[str]:
        """The references of a panel's members that are Observations of the Bundle."""
        refs = [m.get("reference") for m in items(r.get("hasMember")) if isinstance(m, Mapping)]
        return [m for m in refs if isinstance(m, str) and m in self.by_ref]

    def read(self) -> FhirCase:
        subject = None
        for where, (ref, r) in self.obs.items():
            if subject is None and isinstance(r.get("subject"), Mapping):
                subject = dict(r["subject"])
            if where in self.members:
                continue  # read with its panel
            if r.get("status") in _SKIP_STATUSES:
                self.skipped.append((ref, f"status {r['status']}"))
                continue
            if is_history(r):
                self.history = {**self.history, **read_history(r)}
                continue
            if is_study(self.atlas, r):  # an electrodiagnostic result: its components are parts of it
                entry = read_study(self.atlas, r, _note(r))
                self.items.append(_Item("electrodiagnosis", where, [_Part("", self.side(r, None), ref)], ref, entry))
                continue
            parts = [c for c in items(r.get("component")) if isinstance(c, Mapping)]
            if not parts or any(k.startswith("value") for k in r):
                self.items.append(self.observation(where, ref, r))
            for j, c in enumerate(parts):  # each component is a finding of its own (never skipped)
                self.items.append(self.observation(f"{where}.component[{j}]", ref, self.component(r, c)))
        built = _build(self.items, self.default, tuple(self.skipped), subject)
        if self.history:
            built.case["history"] = self.history
        return built

    def component(self, r: Mapping[str, Any], c: Mapping[str, Any]) -> dict[str, Any]:
        """A component as an Observation of its own: its code and value, the parent's site, side and kind."""
        code = dict(c["code"]) if isinstance(c.get("code"), Mapping) else {}
        kind = self.kind_hint({"code": code}) or self.kind_hint(r)
        if kind is not None:
            kind_code = {"reflexes": "reflex", "other": "sign"}.get(kind, kind)
            code["coding"] = [*items(code.get("coding")), {"system": FINDING_KIND_SYSTEM, "code": kind_code}]
        out: dict[str, Any] = {"resourceType": "Observation", "code": code,
                               **{k: v for k, v in c.items() if k.startswith("value") or k == "interpretation"}}
        if "bodySite" in r:
            out["bodySite"] = r["bodySite"]
        side = self.side(r, None)
        if side is not None:
            out["extension"] = [extension(LATERALITY_URL, valueCodeableConcept=side_concept(self.atlas, side))]
        return out

    # -- one observation --------------------------------------------------------------------
    def observation(self, where: str, ref: str, r: Mapping[str, Any]) -> _Item:
        note = _note(r)
        drawing = _extension_value(r, DRAWING_URL, "valueString")
        if drawing is not None:
            try:
                value = json.loads(drawing)
            except ValueError:
                raise InvalidCaseError(f"{where}.extension", "the drawing is not valid JSON") from None
            return _Item("sensory", where, [_Part("", self.side(r, None), ref)], ref,
                         ("drawing", value, self.sensory_value(r)), note)
        members = [self.by_ref[m] for m in self.member_refs(r)]
        if members:  # a panel: one sensory entry naming its members' regions
            parts = [self.part(m, self.obs[w][0]) for w, m in members]
            return _Item("sensory", where, parts, ref, ("regions", None, self.sensory_value(r)), note)
        part = self.part(r, ref)
        section = _SECTIONS.get(part.kind or "") or self.kind_hint(r) or _value_section(r)
        if section == "sensory":
            return _Item(section, where, [part], ref, ("regions", None, self.sensory_value(r)), note)
        if section in ("motor", "reflexes"):
            return _Item(section, where, [part], ref, _grade(r, section), note)
        return _Item("other", where, [part], ref, _present(r), note)

    def part(self, r: Mapping[str, Any], ref: str) -> _Part:
        """The body site (or the sign or reflex the code names), its kind and its side.

        The body site is tried first, then the code; entities of the kind the code says
        (a reflex for 'Ankle reflex') first, then any. The name passed on is the text as written
        when it names the coded entity (or no code names one) on the side the resource gives,
        else the entity's label or id; an unreadable site is passed on as its text or code, for
        ``not_understood``.
        """
        site = r.get("bodySite")
        names_site = concept_texts(site) or any(not self.laterality(sy, c) for sy, c, _ in codings(site))
        concepts = [c for c in (site if names_site else None, r.get("code")) if isinstance(c, Mapping)]
        hinted = _KINDS.get(self.kind_hint(r) or "")
        for kinds in ((hinted, None) if hinted else (None,)):
            for concept in concepts:
                hit = self.named(concept, kinds)
                if hit is not None:
                    kind, ident, name, word = hit
                    side = self.side(r, word)
                    if word is not None and side != word:  # the resource's laterality overrides the words
                        name = self.label(kind, ident)
                    return _Part(name, side, ref, True, kind, worded=word is not None and side == word)
        first = concepts[0] if concepts else None
        unread = next(iter(concept_texts(first)), None) or next(
            (f"{system}|{code}" for system, code, _ in codings(first) if system and code), "(no body site)")
        return _Part(unread, self.side(r, None), ref)

    def named(self, concept: Mapping[str, Any], kinds: Any) -> tuple[str, str, str, str | None] | None:
        """(kind, id, name for the case, side word) of the entity a CodeableConcept names, or None."""
        found = next((hit for system, code, _ in codings(concept) if isinstance(system, str) and isinstance(code, str)
                      for hit in (self.code(system, code),) if hit is not None and (not kinds or hit[0] in kinds)),
                     None)
        for text in concept_texts(concept):
            try:
                match = self.atlas.match(text, kinds, fuzzy=False)
            except LookupError:  # two entities by that name: left to the case parser to report
                match = None
            if match is not None and found in (None, (match.entity.kind, match.entity.id)):
                kind, ident = match.entity.kind, match.entity.id
                return kind, ident, text, match.side
        return None if found is None else (found[0], found[1], self.label(*found), None)

    def label(self, kind: str, ident: str) -> str:
        """The entity's label when it names that entity alone (readable in messages), else its id."""
        label = self.atlas.resolve(ident, kind).label
        try:
            match = self.atlas.match(label, kind, fuzzy=False)
        except LookupError:
            match = None
        return label if match is not None and match.entity.id == ident and match.side is None else ident

    def laterality(self, system: Any, code: Any) -> bool:
        """Whether a coding is a laterality qualifier (a side, not a site)."""
        return laterality_of(self.atlas, {"coding": [{"system": system, "code": code}]}) is not None

    def code(self, system: str, code: str) -> tuple[str, str] | None:
        if system == ATLAS_SYSTEM:  # neuromap's own code: an atlas id (unique across kinds)
            return next(((kind, code) for kind in ENTITY_KINDS if code in self.atlas.ids(kind)), None)
        parsed = self.atlas.codes.parse(code, system)
        return None if parsed is None else self.atlas.codes.find(*parsed)

    def side(self, r: Mapping[str, Any], word: str | None) -> str | None:
        site = r.get("bodySite")
        own = site.get("extension") if isinstance(site, Mapping) else None
        exts = [*(items(r.get("extension"))), *items(own)]
        values = [e.get("valueCodeableConcept") for e in exts if isinstance(e, Mapping)]
        return laterality_of(self.atlas, *values, site) or word

    def kind_hint(self, r: Mapping[str, Any]) -> str | None:
        for system, code, _ in codings(r.get("code")):
            if system == FINDING_KIND_SYSTEM and code in ("sensory", "motor", "reflex", "sign"):
                return {"reflex": "reflexes", "sign": "other"}.get(code, code)
        words = " ".join(concept_texts(r.get("code"))).lower()
        return next((section if section != "reflex" else "reflexes" for section, keys in _KIND_WORDS
                     if any(k in words for k in keys)), None)

    def sensory_value(self, r: Mapping[str, Any]) -> tuple[str | None, bool]:
        """(modality word or None, abnormal) of a sensory Observation."""
        normal = _interpretation(r) == "N" or r.get("valueBoolean") is False
        texts = _value_texts(r)
        if not texts:  # a code naming the modality ('Numbness of skin')
            texts = [t for t in concept_texts(r.get("code")) if self.atlas.grammar.modality(t)]
        word = texts[0] if texts else None
        if word is not None and word.lower() in ("normal", "intact", "abnormal"):
            normal, word = normal or word.lower() != "abnormal", None
        elif word is not None and not self.atlas.grammar.modality(word):
            # a bare 'Reduced' or 'Absent' answering a sensation code reads as the vocabulary's
            # 'reduced sensation'; any other word is passed on as written (and set aside if unknown)
            word = next((w for w in (f"{word} sensation",) if self.atlas.grammar.modality(w)), word)
        return word, not normal


def _region_name(part: _Part, entry_side: str) -> str:
    """A region's name for a sensory entry: with its side word when its side is not the entry's."""
    if not part.resolved or part.worded or part.side in (None, entry_side, "bilateral"):
        return part.name
    return f"{part.side} {part.name}"


def _build(items: list[_Item], default: str | None, skipped: tuple[tuple[str, str], ...],
           subject: dict[str, Any] | None) -> FhirCase:
    """The case of the read entries: sides settled, one entry per item, each field's origin."""
    given = {p.side for it in items for p in it.parts if p.side is not None}
    fallback = default or (next(iter(given)) if len(given) == 1 else None)
    for it in items:
        for p in it.parts:
            if p.side is None:
                if fallback is None:
                    raise InvalidCaseError(it.where, "the Observation names no side (no laterality qualifier, no side "
                                           "word) and the others do not agree on one; pass side='left', 'right' "
                                           "or 'bilateral'")
                p.side = fallback
    sides = {p.side for it in items for p in it.parts}
    case: dict[str, Any] = {"side": next(iter(sides)) if len(sides) == 1 else "bilateral"}
    origin: dict[str, str] = {}
    for it in items:
        part_sides = {p.side for p in it.parts}
        side = str(next(iter(part_sides))) if len(part_sides) == 1 else "bilateral"
        if it.section == "sensory":
            _sensory_entry(case, origin, it, side)
        elif it.section == "motor":
            base = f"motor[{len(case.setdefault('motor', []))}]"
            case["motor"].append({"name": it.parts[0].name, "grade": it.value, "side": side,
                                  **({"note": it.note} if it.note else {})})
            origin[base] = it.ref
        elif it.section == "reflexes":
            _reflex_entry(case, origin, it, side)
        elif it.section == "electrodiagnosis":
            origin[f"electrodiagnosis[{len(case.setdefault('electrodiagnosis', []))}]"] = it.ref
            case["electrodiagnosis"].append({**it.value, "side": side})
        else:
            base = f"other[{len(case.setdefault('other', []))}]"
            case["other"].append({"name": it.parts[0].name, "side": side,
                                  "state": "abnormal" if it.value else "normal"})
            origin[base] = it.ref
    return FhirCase(case, origin, skipped, subject)


def _sensory_entry(case: dict[str, Any], origin: dict[str, str], it: _Item, side: str) -> None:
    how, drawing, (word, abnormal) = it.value
    base = f"sensory[{len(case.setdefault('sensory', []))}]"
    entry: dict[str, Any] = {"drawing": drawing} if how == "drawing" else {
        "regions": [_region_name(p, side) for p in it.parts]}
    entry["side"] = side
    if word is not None:
        entry["modality"] = word
    if not abnormal:
        entry["state"] = "normal"
    if it.note:
        entry["note"] = it.note
    case["sensory"].append(entry)
    origin[base] = it.ref
    if how == "regions":
        for j, p in enumerate(it.parts):
            origin[f"{base}.regions[{j}]"] = p.ref


def _reflex_entry(case: dict[str, Any], origin: dict[str, str], it: _Item, side: str) -> None:
    reflexes = case.setdefault("reflexes", {})
    sides = ("left", "right") if side == "bilateral" else (side,)
    name = it.parts[0].name
    key = name
    n = 1
    while key in reflexes and set(sides) & set(reflexes[key]):  # the same reflex and side twice
        n += 1
        key = f"{name} ({n})"  # not an atlas name: the parser sets the repeat aside, never drops it
    for s in sides:
        reflexes.setdefault(key, {})[s] = it.value
        origin[f"reflexes.{key}.{s}"] = it.ref


def _extension_value(r: Mapping[str, Any], url: str, key: str) -> Any:
    for e in items(r.get("extension")):
        if isinstance(e, Mapping) and e.get("url") == url:
            return e.get(key)
    return None


def _note(r: Mapping[str, Any]) -> str | None:
    texts = [str(n["text"]) for n in items(r.get("note")) if isinstance(n, Mapping) and isinstance(n.get("text"), str)]
    return "\n".join(texts) or None


def _interpretation(r: Mapping[str, Any]) -> str | None:
    for concept in items(r.get("interpretation")):
        for _, code, _ in codings(concept):
            if isinstance(code, str):
                return code
    return None


def _value_texts(r: Mapping[str, Any]) -> list[str]:
    if isinstance(r.get("valueString"), str) and r["valueString"].strip():
        return [r["valueString"].strip()]
    concept = r.get("valueCodeableConcept")
    return concept_texts(concept) or [c for _, c, _ in codings(concept) if isinstance(c, str)]


def _value_section(r: Mapping[str, Any]) -> str:
    """The section an Observation whose site and code name nothing goes to, by its value's type."""
    if "valueInteger" in r or "valueQuantity" in r:
        return "motor"
    return "other" if "valueBoolean" in r else "sensory"


def _grade(r: Mapping[str, Any], section: str) -> Any:
    """An MRC or reflex grade as the case writes it; '(no value)' when there is none (set aside, never guessed)."""
    number = r.get("valueInteger")
    if number is None and isinstance(r.get("valueQuantity"), Mapping):
        number = r["valueQuantity"].get("value")
    if isinstance(number, (int, float)) and not isinstance(number, bool) and float(number).is_integer():
        n = int(number)
        if section == "motor":
            return n
        return "0" if n == 0 else f"{n}+"  # the NINDS myotatic reflex scale, 0-4
    texts = _value_texts(r)
    return texts[0] if texts else "(no value)"


def _present(r: Mapping[str, Any]) -> bool:
    if isinstance(r.get("valueBoolean"), bool):
        return bool(r["valueBoolean"])
    if _interpretation(r) == "N":
        return False
    words = " ".join(_value_texts(r)).lower()
    return not any(w in words.split() for w in ("absent", "negative", "no", "normal"))


# ----------------------------------------------------------------------------- writing
def case_to_bundle(case: Any, *, atlas: Atlas | None = None, subject: Mapping[str, Any] | None = None
                   ) -> dict[str, Any]:
    """Write a case as a FHIR R4 Bundle (type ``collection``) of Observations.

    Every finding becomes an Observation (a sensory entry naming several regions a panel with
    one member per region), coded as the module docstring describes: the finding kind, the body
    site with its standard codes (:meth:`neuromap.atlas.Atlas.xrefs`) and neuromap's atlas code,
    the side as a SNOMED CT laterality qualifier, the value. :func:`read_bundle` reads it back to
    a case with the same findings (the round trip is tested over generated cases).

    Parameters
    ----------
    case : dict or Case
        A case as :func:`neuromap.localize` takes it (checked with the same parser first).
    atlas : Atlas, optional
        The atlas whose codes to write; the bundled one by default.
    subject : dict, optional
        A FHIR Reference to the patient, set on every Observation.

    Returns
    -------
    dict
        The Bundle; the case's ``id`` is its ``identifier``. Each ``electrodiagnosis``
        result is an Observation (:mod:`neuromap.fhir.studies`), the ``history`` one more
        (:mod:`neuromap.fhir.history`). The case's ``dermatome_map`` and ``notes`` are not
        findings and are not written (pass ``dermatome_map=`` to
        :func:`neuromap.fhir.localize_fhir`).

    Raises
    ------
    InvalidCaseError
        If the case is not valid (as :func:`neuromap.localize` would say).

    Examples
    --------
    >>> b = case_to_bundle({"side": "left", "motor": [{"name": "tibialis anterior", "grade": 4}]})
    >>> obs = b["entry"][0]["resource"]
    >>> obs["valueInteger"], obs["bodySite"]["coding"][0]["code"]
    (4, 'UBERON:0001385')
    >>> read_bundle(b).case["motor"]
    [{'name': 'tibialis anterior', 'grade': 4, 'side': 'left'}]
    """
    from neuromap.atlas import load_atlas
    from neuromap.inference import Case
    from neuromap.inference.case import parse_case

    atlas = atlas if atlas is not None else load_atlas()
    if isinstance(case, Case):
        case = case.to_dict()
    parse_case(case, atlas)  # the one check of a case: a bad one is refused with its field named
    w = _Writer(atlas, case, dict(subject) if subject is not None else None)
    for entry in case.get("sensory", ()):
        w.sensory(entry)
    for entry in case.get("motor", ()):
        w.finding("motor", entry["name"], ("movement", "muscle"), _own_side(entry, w.side),
                  _grade_value(entry["grade"]), entry.get("note"))
    for name, grade in case.get("reflexes", {}).items():
        per_side = grade.items() if isinstance(grade, Mapping) else [(w.side, grade)]
        for side, g in per_side:
            w.finding("reflex", name, "reflex", side, {"valueString": g}, None)
    for entry in case.get("other", ()):
        item = entry if isinstance(entry, Mapping) else {"name": entry}
        present = str(item.get("state", "abnormal")).strip().lower() != "normal"
        w.finding("sign", item["name"], "sign", _own_side(item, w.side), {"valueBoolean": present}, None)
    for entry in case.get("electrodiagnosis", ()):
        w.add({**w.lateral(_own_side(entry, w.side)), **study_observation(atlas, entry)})
    if isinstance(case.get("history"), Mapping) and case["history"]:
        w.add(history_observation(case["history"]))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "entry": w.entries}
    if isinstance(case.get("id"), str) and case["id"]:
        bundle["identifier"] = {"system": f"{ATLAS_SYSTEM.rsplit('/', 2)[0]}/case-id", "value": case["id"]}
    return bundle


def _own_side(entry: Mapping[str, Any], case_side: str) -> str:
    side = entry.get("side") if isinstance(entry, Mapping) else None
    return str(side).strip().lower() if isinstance(side, str) else case_side


def _grade_value(grade: Any) -> dict[str, Any]:
    return {"valueInteger": grade} if isinstance(grade, int) and not isinstance(grade, bool) else {"valueString": grade}


class _Writer:
    def __init__(self, atlas: Atlas, case: Mapping[str, Any], subject: dict[str, Any] | None) -> None:
        self.atlas, self.subject = atlas, subject
        self.side = str(case["side"]).strip().lower()
        self.seed = str(case.get("id", ""))
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> str:
        n = len(self.entries)
        url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.seed}/{n}')}"
        resource = {"resourceType": "Observation", "id": f"f{n}", "status": "final", **resource}
        if self.subject is not None:
            resource["subject"] = self.subject
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def code(self, kind: str, text: str | None = None) -> dict[str, Any]:
        label = _KIND_LABELS[kind]
        return {"coding": [{"system": FINDING_KIND_SYSTEM, "code": kind, "display": label}], "text": text or label}

    def site(self, name: str, kinds: Any) -> tuple[dict[str, Any], str | None]:
        """The bodySite of a name (its codes when it resolves) and the side word it carries."""
        try:
            match = self.atlas.match(name, kinds, fuzzy=False)
        except LookupError:
            match = None
        if match is None:
            return {"text": name}, None
        return entity_concept(self.atlas, match.entity.kind, match.entity.id, name), match.side

    def lateral(self, side: str) -> dict[str, Any]:
        return {"extension": [extension(LATERALITY_URL, valueCodeableConcept=side_concept(self.atlas, side))]}

    def finding(self, kind: str, name: str, kinds: Any, side: str, value: dict[str, Any], note: str | None) -> None:
        site, word = self.site(name, kinds)
        resource: dict[str, Any] = {**self.lateral(word or side), "code": self.code(kind)}
        if kind in ("sign", "reflex"):  # what was examined is the code, not a body site
            resource["code"] = {"coding": [*self.code(kind)["coding"], *site.get("coding", [])[-1:]], "text": name}
        else:
            resource["bodySite"] = site
        resource.update(value)
        if value.get("valueBoolean") is False:
            resource["interpretation"] = [_NORMAL]
        if note:
            resource["note"] = [{"text": note}]
        self.add(resource)

    def sensory(self, entry: Mapping[str, Any]) -> None:
        side = _own_side(entry, self.side)
        normal = str(entry.get("state", "abnormal")).strip().lower() == "normal"
        value: dict[str, Any] = {}
        if "modality" in entry or normal:
            value["valueCodeableConcept"] = {"text": entry.get("modality", "normal")}
        if normal:
            value["interpretation"] = [_NORMAL]
        note = {"note": [{"text": entry["note"]}]} if entry.get("note") else {}
        if "drawing" in entry:
            ext = extension(DRAWING_URL, valueString=json.dumps(entry["drawing"], separators=(",", ":")))
            lateral = self.lateral(side)
            self.add({"extension": [*lateral["extension"], ext], "code": self.code("sensory"),
                      "bodySite": {"text": f"area drawn on the {entry['drawing'].get('view')} view"},
                      **value, **note})
            return
        regions = list(entry["regions"])
        if len(regions) == 1:
            site, word = self.site(regions[0], ("region", "group"))
            self.add({**self.lateral(word or side), "code": self.code("sensory"), "bodySite": site, **value, **note})
            return
        members = []
        for name in regions:
            site, word = self.site(name, ("region", "group"))
            members.append({"reference": self.add({**self.lateral(word or side), "code": self.code("sensory"),
                                                   "bodySite": site})})
        self.add({**self.lateral(side), "code": self.code("sensory", "Sensory finding (panel of areas)"),
                  **value, **note, "hasMember": members})


#: The FHIR interpretation of an examined-normal finding (HL7 v3 ObservationInterpretation 'N').
_NORMAL = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                       "code": "N", "display": "Normal"}]}
