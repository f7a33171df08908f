"""Properties of neuromap.fhir (issue 21): the round trip case -> FHIR Bundle -> case keeps every finding,
and every resource written is valid FHIR R4 (fhir.resources, installed by the test extra)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuromap
import neuromap.fhir as nf
from neuromap.inference.case import parse_case
from neuromap.testing.strategies import cases

ATLAS = neuromap.load_atlas()


def _findings(case):
    """What a case says, independent of where in the case each finding is written."""
    return sorted((f.kind, f.target, f.side, f.abnormal, f.modality, round(f.severity, 6), round(f.share, 6), f.span)
                  for f in parse_case(case, ATLAS).findings)


@st.composite
def rich_cases(draw):
    """Generated cases (neuromap.testing.strategies.cases) with what that strategy leaves out:
    entries naming several regions or groups, side words, per-entry sides, per-side reflexes,
    signs present and examined normal, notes."""
    case = copy.deepcopy(draw(cases()))
    sides = st.sampled_from(("left", "right", "bilateral"))
    names = st.sampled_from(sorted(ATLAS.ids("region") + ATLAS.ids("group")))
    for entry in case["sensory"]:
        if draw(st.booleans()):
            entry["regions"] = entry["regions"] + draw(st.lists(names, min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            entry["side"] = draw(sides)
        if draw(st.booleans()):
            entry["note"] = "noted"
    if case["side"] == "bilateral" and case["sensory"] and draw(st.booleans()):
        entry = case["sensory"][0]
        entry["regions"] = [f"{draw(st.sampled_from(('left', 'right')))} {r}" for r in entry["regions"]]
        entry.pop("side", None)
    for entry in case["motor"]:
        if draw(st.booleans()):
            entry["side"] = draw(sides)
    for name in list(case["reflexes"]):
        if draw(st.booleans()):
            case["reflexes"][name] = {s: draw(st.sampled_from(("absent", "reduced", "normal", "brisk", "1+")))
                                      for s in draw(st.sampled_from((("left",), ("right",), ("left", "right"))))}
    signs = draw(st.lists(st.sampled_from(ATLAS.ids("sign")), unique=True, max_size=3))
    case["other"] = [s if draw(st.booleans()) else {"name": s, "state": draw(st.sampled_from(("abnormal", "normal"))),
                                                     "side": draw(sides)} for s in signs]
    return case


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_cases())
def test_round_trip_keeps_every_finding(case):
    bundle = nf.case_to_bundle(case)
    back = nf.read_bundle(bundle).case
    assert _findings(back) == _findings(case)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_cases())
def test_every_written_resource_is_valid_fhir(case):
    bundle = nf.case_to_bundle(case, subject={"reference": "Patient/example"})
    nf.validate(bundle)
    out = nf.localize_fhir(bundle)
    nf.validate(out)
    for entry in out["entry"]:
        nf.validate(entry["resource"])
