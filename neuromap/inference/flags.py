"""Read a case before ranking it: red flags, upper motor neuron signs and the sensory pattern.

The red flags (a possible cauda equina syndrome) come first in every result, whatever the
ranking says (``bmj_bp_ces``, ``nice_cks_sciatica``, ``gardner_2011``). A sign whose entry says
``red_flag_alone: false`` (sexual dysfunction) raises the flag only together with another red-flag
feature: back pain with sexual dysfunction as the only other feature is unlikely to be a cauda
equina syndrome (``girft_ces_2023``). Upper motor neuron signs
are not scored: they point above the cauda equina, outside the model, and raise a warning. The
pattern read says whether the abnormal skin fits one dermatome, one nerve, both, a stocking,
or nothing (``docs/method.md`` §4).
"""

from __future__ import annotations

import functools
from typing import Any

from neuromap.atlas import Atlas
from neuromap.datasets import ROOT_IDS
from neuromap.inference.case import ParsedCase
from neuromap.weights import NERVE_FIT_MIN, NERVE_SUPPLY_MIN, SEVERE_SEVERITY, STOCKING_OVERLAP

__all__ = ["flags", "pattern", "saddle_and_sphincter"]

#: Reflexes and muscles whose loss raises the cauda equina flag (sphincter findings).
_FLAG_REFLEXES = ("anal_wink", "bulbocavernosus")
_FLAG_MOTOR = ("voluntary_anal_contraction", "external_anal_sphincter")
#: Red-flag signs of the saddle skin, and of the sphincters (``bmj_bp_ces``, ``gardner_2011``).
_SADDLE_SIGNS = ("saddle_anaesthesia",)
_SPHINCTER_SIGNS = ("urinary_retention", "urinary_incontinence", "faecal_incontinence", "reduced_anal_tone")
_FLAG_SOURCES = ["bmj_bp_ces", "nice_cks_sciatica", "gardner_2011"]
_ROOT_INDEX = {r: i for i, r in enumerate(ROOT_IDS)}


@functools.lru_cache(maxsize=8)
def _saddle_regions(atlas: Atlas) -> frozenset[str]:
    """The regions of the saddle view (empty if the template has none)."""
    return frozenset(atlas.template.regions("saddle")) if "saddle" in atlas.template.views else frozenset()


@functools.lru_cache(maxsize=8)
def _distal_motor(atlas: Atlas) -> frozenset[str]:
    """The movements a length-dependent neuropathy weakens (``patterns.json``) and their muscles."""
    movements = set(atlas.data.patterns["polyneuropathy"].get("movements", {}))
    return frozenset(movements | {mu for mv in movements for mu in atlas.predecessors(mv)})


def saddle_and_sphincter(parsed: ParsedCase, atlas: Atlas) -> bool:
    """Whether a case has both a saddle sensory finding and a sphincter finding (the cauda equina picture)."""
    saddle = sphincter = False
    for f in parsed.findings:
        if not f.abnormal:
            continue
        if (f.kind == "region" and f.target in _saddle_regions(atlas) and f.modality != "pain") or (
                f.kind == "sign" and f.target in _SADDLE_SIGNS):
            saddle = True
        elif ((f.kind == "sign" and f.target in _SPHINCTER_SIGNS) or (f.kind in ("movement", "muscle")
                and f.target in _FLAG_MOTOR) or (f.kind == "reflex" and f.target in _FLAG_REFLEXES
                                                 and f.modality in ("reduced", "absent"))):
            sphincter = True
    return saddle and sphincter


def flags(parsed: ParsedCase, atlas: Atlas) -> tuple[list[dict[str, Any]], list[str]]:
    """The red flags and the warnings about upper motor neuron signs and mild bilateral weakness.

    Weakness in both legs raises the flag when it is severe (MRC grade 3 or less) or proximal
    (outside the distal muscles a length-dependent neuropathy weakens), or with a saddle or
    sphincter finding (which raise it themselves); mild, distal, symmetric weakness gets a
    warning instead (``nice_cks_sciatica``: a severe or progressive bilateral deficit).

    Returns
    -------
    red_flags : list of dict
        At most one, ``cauda_equina``, with its urgent message and what triggered it.
    warnings : list of str
        Upper motor neuron signs found; mild bilateral distal weakness.
    """
    triggers: list[str] = []
    partial: set[str] = set()  # red-flag features that raise the flag only with another one
    umn_signs: list[str] = []
    saddle = _saddle_regions(atlas)
    distal = _distal_motor(atlas)
    motor_sides: set[str] = set()
    marked_sides: set[str] = set()  # sides with a severe or a proximal deficit
    for f in parsed.findings:
        if not f.abnormal:
            continue
        if f.kind == "region":
            if f.target in saddle and f.modality != "pain":
                triggers.append(f"saddle sensory change: {f.text} ({f.field})")
        elif f.kind in ("movement", "muscle"):
            motor_sides.add(f.side)
            if f.severity >= SEVERE_SEVERITY or f.target not in distal:
                marked_sides.add(f.side)
            if f.target in _FLAG_MOTOR:
                triggers.append(f"{f.text} weak ({f.field})")
        elif f.kind == "reflex":
            if f.modality == "brisk":
                umn_signs.append(f.text)
            if f.target in _FLAG_REFLEXES and f.modality in ("reduced", "absent"):
                triggers.append(f"{f.text} {f.modality} ({f.field})")
        elif f.kind == "sign":
            sign = atlas.sign(f.target)
            if sign.get("warning") == "umn":
                umn_signs.append(f.text)
            if sign.get("red_flag") == "cauda_equina":
                triggers.append(f"{f.text} ({f.field})")
                if not sign.get("red_flag_alone", True):
                    partial.add(triggers[-1])
    sides_of: dict[str, set[str]] = {}
    for f in parsed.findings:
        if f.kind == "sign" and f.abnormal:
            sides_of.setdefault(f.target, set()).add(f.side)
    for sign_id, sides in sides_of.items():  # radicular pain on both sides is bilateral sciatica
        both = atlas.sign(sign_id).get("bilateral")
        if both and len(sides) == 2 and atlas.sign(both).get("red_flag") == "cauda_equina":
            label, named = atlas.sign(sign_id)["label"].lower(), atlas.sign(both)["label"].lower()
            triggers.append(f"{label} on both sides ({named})")
    for sign_id, fld, text in parsed.red_flag_mentions:
        mentioned = atlas.sign(sign_id)
        if mentioned.get("red_flag") == "cauda_equina":
            triggers.append(f"{mentioned['label'].lower()} named in {fld} ({text!r}, not understood as a whole)")
            if not mentioned.get("red_flag_alone", True):
                partial.add(triggers[-1])
    notes = []
    if umn_signs:
        notes.append(f"Upper motor neuron signs ({', '.join(dict.fromkeys(umn_signs))}): the lesion may lie above the "
                     "cauda equina (spinal cord or brain), outside this lower motor neuron model; these findings are "
                     "not scored.")
    if len(motor_sides) == 2:  # {"left", "right"}
        if marked_sides or set(triggers) - partial:
            triggers.append("weakness in both legs (bilateral motor deficit)")
        else:
            notes.append("Mild distal weakness in both legs: typical of a length-dependent polyneuropathy, not by "
                         "itself a cauda equina red flag; reassess if it becomes severe, proximal or progressive, or "
                         "with saddle or sphincter symptoms.")
    if not set(triggers) - partial:
        return [], notes
    unique = list(dict.fromkeys(triggers))
    return [{
        "id": "cauda_equina",
        "severity": "urgent",
        "message": ("Possible cauda equina syndrome: " + "; ".join(unique) + ". This needs same-day emergency "
                    "assessment and imaging; do not wait for the ranking below."),
        "triggers": unique,
        "sources": list(_FLAG_SOURCES),
    }], notes


@functools.lru_cache(maxsize=8)
def _pattern_index(atlas: Atlas) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, int]]:
    """Per region: the roots any area layer gives it and the nerves that supply it; per nerve: its size."""
    area_maps = [m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"]
    roots = {reg: frozenset(r for m in area_maps for r in atlas.dermatome(reg, m)) for reg in atlas.ids("region")}
    nerves: dict[str, set[str]] = {reg: set() for reg in atlas.ids("region")}
    sizes = {}
    for n in atlas.ids("nerve"):
        supplied = [k for k, w in atlas.nerve_territory(n).regions.items() if w >= NERVE_SUPPLY_MIN]
        sizes[n] = len(supplied)
        for reg in supplied:
            nerves[reg].add(n)
    return roots, {k: frozenset(v) for k, v in nerves.items()}, sizes


def _fitting(regions: frozenset[str], atlas: Atlas) -> tuple[list[str], list[str]]:
    """The roots (``ROOT_IDS`` order) and nerves (atlas order) whose territory fits every region.

    A nerve fits when it supplies every region and the regions are at least
    :data:`~neuromap.weights.NERVE_FIT_MIN` of its territory; a root when an area layer gives
    it every region.
    """
    region_roots, region_nerves, nerve_size = _pattern_index(atlas)
    roots = frozenset.intersection(*(region_roots[r] for r in regions))
    nerves = frozenset.intersection(*(region_nerves[r] for r in regions))
    return (sorted(roots, key=_ROOT_INDEX.__getitem__),
            [n for n in atlas.ids("nerve") if n in nerves and len(regions) / nerve_size[n] >= NERVE_FIT_MIN])


def pattern(parsed: ParsedCase, atlas: Atlas) -> dict[str, Any]:
    """Read the findings: normal examination, dermatomal, single nerve, both, stocking, none or no sensory findings."""
    by_side: dict[str, set[str]] = {}  # the abnormal sensory findings' regions, per side
    pain_only = True  # every abnormal finding is sensory, and pain
    for f in parsed.findings:
        if f.abnormal:
            if f.kind == "region":
                by_side.setdefault(f.side, set()).add(f.target)
            if f.kind != "region" or f.modality != "pain":
                pain_only = False
    if parsed.findings and not any(f.abnormal for f in parsed.findings):
        return {"kind": "normal_examination", "dermatomes": [], "nerves": [],
                "message": ("Normal examination: every finding given is normal, so nothing localizes; no lesion "
                            "site is ranked.")}
    if not by_side:
        return {"kind": "no_sensory", "dermatomes": [], "nerves": [],
                "message": "No abnormal sensory findings: the ranking rests on motor, reflex and other findings."}
    if len(by_side) == 2:
        left, right = by_side["left"], by_side["right"]
        if len(left & right) / len(left | right) >= STOCKING_OVERLAP and (left | right) & set(atlas.regions_of("toes")):
            return {"kind": "stocking", "dermatomes": [], "nerves": [],
                    "message": "Symmetric distal sensory change in both feet: a stocking (length-dependent) pattern."}
    dermatomes, nerves = _fitting(frozenset().union(*by_side.values()), atlas)
    if pain_only:
        return {"kind": "none", "dermatomes": dermatomes, "nerves": nerves,
                "message": ("Pain alone, without sensory loss, weakness or reflex change (the examination is "
                            "otherwise normal), follows no reliable "
                            "neural pattern (radicular pain is mostly non-dermatomal); local causes such as plantar "
                            "fasciitis for heel pain should be considered before a nerve or root.")}
    if not dermatomes and not nerves:
        return {"kind": "none", "dermatomes": [], "nerves": [],
                "message": ("The sensory findings fit no single dermatome and no single nerve territory; "
                            "no level is forced from them.")}
    kind = "dermatomal_or_single_nerve" if dermatomes and nerves else "dermatomal" if dermatomes else "single_nerve"
    return {"kind": kind, "dermatomes": dermatomes, "nerves": nerves, "message": None}
