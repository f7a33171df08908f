"""neuromap.fhir (issue 21): FHIR R4 Observations and a questionnaire in, a ClinicalImpression out.

Every resource neuromap writes is validated with fhir.resources (the ``fhir`` extra, installed by
the ``test`` extra, so these tests run in CI). The clinical cases of tests/cases/*.json (each with
its cited source) go through FHIR and back and must localize exactly as before; generated cases
keep every finding through the round trip (tests/properties/test_fhir_properties.py).
"""

from __future__ import annotations

import json
import sys

import pytest

import neuromap
import neuromap.fhir as nf
from neuromap import InvalidArgumentError, InvalidCaseError, InvalidTypeError, MissingDependencyError
from neuromap.datasets import bundled_data_dir
from neuromap.inference.case import parse_case
from tests.case_suite import load_cases

ATLAS = neuromap.load_atlas()
SNOMED = "http://snomed.info/sct"
UBERON = "http://purl.obolibrary.org/obo/uberon.owl"
SOURCES = json.loads((bundled_data_dir() / "sources.json").read_text(encoding="utf-8"))["sources"]
#: The sourced clinical cases that are valid cases (the refusal cases are for the parser).
SUITE = [c for c in load_cases() if c["file"] not in ("invalid.json", "sentences.json")
         and not any("error" in e for e in c["expect"]) and isinstance(c["case"], dict) and "text" not in c["case"]]


def _findings(case):
    """What a case says, independent of where in the case each finding is written."""
    parsed = parse_case(case, ATLAS)
    return sorted((f.kind, f.target, f.side, f.abnormal, f.modality, round(f.severity, 6), round(f.share, 6), f.span)
                  for f in parsed.findings)


def _ranking(result):
    return [(h.kind, h.id, h.site, h.side, round(h.score, 6)) for h in result.hypotheses]


def _resources(bundle):
    return [e["resource"] for e in bundle["entry"]]


def _obs(body_site=None, *, code="Examination finding", side=None, **value):
    r = {"resourceType": "Observation", "status": "final", "code": {"text": code}, **value}
    if body_site is not None:
        r["bodySite"] = body_site
    if side is not None:
        system, c = ATLAS.codes.laterality(side)
        r["extension"] = [{"url": "http://example.org/laterality",
                           "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": c}]}}]
    return r


def _bundle(*observations):
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}", "resource": o}
                      for i, o in enumerate(observations)]}


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("item", SUITE, ids=[c["id"] for c in SUITE])
def test_every_sourced_case_localizes_the_same_through_fhir(item):
    case = item["case"]
    bundle = nf.case_to_bundle(case)
    nf.validate(bundle)
    back = nf.read_bundle(bundle).case
    assert _findings(back) == _findings(case)
    kwargs = {"dermatome_map": item["dermatome_map"]} if item.get("dermatome_map") else {}
    assert _ranking(neuromap.localize(back, **kwargs)) == _ranking(neuromap.localize(case, **kwargs))


def test_a_drawn_area_survives_the_round_trip():
    drawing = {"view": "dorsal", "polygon": [[20, 60], [40, 60], [40, 90], [20, 90]]}
    case = {"side": "right", "sensory": [{"drawing": drawing, "modality": "tingling"}]}
    bundle = nf.case_to_bundle(case)
    nf.validate(bundle)
    back = nf.read_bundle(bundle).case
    assert back["sensory"][0]["drawing"] == drawing
    assert _findings(back) == _findings(case)


# ----------------------------------------------------------------------------- electrodiagnosis (issue 18)
MDC = "urn:iso:std:iso:11073:10101"
#: A common fibular neuropathy at the fibular head, as its study reads (tests/cases/electrodiagnosis.json).
FOOT_DROP_STUDIED = {
    "side": "left", "sensory": [{"regions": ["dorsum of foot", "first dorsal web space"], "modality": "numbness"}],
    "motor": [{"name": "ankle dorsiflexion", "grade": 3}, {"name": "great toe extension", "grade": 3}],
    "history": {"events": ["prolonged kneeling"]},
    "electrodiagnosis": [
        {"study": "snap", "nerve": "superficial fibular", "result": "absent"},
        {"study": "CMAP", "nerve": "fibular", "recording": "EDB", "result": "reduced",
         "conduction_block_at": "fibular head", "note": "block between knee and fibular head"},
        {"study": "needle_emg", "muscle": "L5 paraspinal", "result": "normal", "side": "left"},
        {"study": "h_reflex", "result": "normal"}]}


def test_each_study_result_is_a_procedure_observation_coded_by_study_site_and_result():
    bundle = nf.case_to_bundle(FOOT_DROP_STUDIED)
    nf.validate(bundle)
    studies = [r for r in _resources(bundle) if r.get("category")]
    assert len(studies) == 4
    for r in studies:
        assert r["category"][0]["coding"][0]["code"] == "procedure"
        assert r["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "7771000"  # left
    snap, cmap, emg, h = studies
    assert [c["code"] for c in snap["code"]["coding"]] == ["electrodiagnosis", "snap"]
    assert {"system": MDC, "code": "459708"} in [{k: c[k] for k in ("system", "code")}
                                                 for comp in cmap["component"] if comp["code"]["text"] == "recording"
                                                 for c in comp["valueCodeableConcept"]["coding"]]  # EDB's MDC code
    assert snap["valueCodeableConcept"]["coding"][0]["code"] == "absent"
    assert snap["interpretation"][0]["coding"][0]["code"] == "A"
    assert emg["bodySite"] == {"text": "L5 paraspinal"} and emg["interpretation"][0]["coding"][0]["code"] == "N"
    assert [c["valueCodeableConcept"]["text"] for c in cmap["component"]] == ["EDB", "fibular head"]
    assert cmap["note"] == [{"text": "block between knee and fibular head"}]
    assert "bodySite" not in h
    back = nf.read_bundle(bundle).case
    assert [{k: v for k, v in e.items() if k != "side"} for e in back["electrodiagnosis"]] == [
        {k: v for k, v in e.items() if k != "side"} for e in FOOT_DROP_STUDIED["electrodiagnosis"]]
    assert back["history"] == FOOT_DROP_STUDIED["history"]
    result = neuromap.localize(back)
    assert (result.top.id, result.top.site) == ("common_fibular", "fibular_head")
    assert _ranking(result) == _ranking(neuromap.localize(FOOT_DROP_STUDIED))


def test_study_results_coded_by_another_system_are_read_and_unreadable_ones_set_aside():
    sural = {"coding": [{"system": MDC, "code": "458984"}]}  # the sural nerve's electrode-site code
    bundle = _bundle(
        _obs(sural, code="SNAP", side="left", valueCodeableConcept={"text": "absent"}),
        _obs(code="H reflex", side="left", valueString="absent",
             component=[{"code": {"text": "Latency"}, "valueQuantity": {"value": 34.1, "unit": "ms"}}]),
        _obs(code="needle EMG", side="left"),  # no muscle, no result
        _obs({"text": "tibial nerve"}, code="F wave", side="left", valueString="slow"),
        _obs(code="Needle EMG tibialis posterior", side="left", valueString="Denervation"),
    )
    case = nf.read_bundle(bundle).case
    edx = case["electrodiagnosis"]
    assert edx[0] == {"study": "SNAP", "result": "absent", "nerve": "Sural nerve", "side": "left"}
    assert edx[1]["note"] == "Latency: 34.1 ms"  # a measurement neuromap does not read is kept, as text
    assert edx[2] == {"study": "needle EMG", "result": "(no value)", "muscle": "(no body site)", "side": "left"}
    result = neuromap.localize(case)
    assert sorted(u.field for u in result.not_understood) == ["electrodiagnosis[2].result",
                                                              "electrodiagnosis[3].result"]
    assert edx[4] == {"study": "Needle EMG", "result": "Denervation", "muscle": "tibialis posterior", "side": "left"}
    assert [f.field for f in result.findings if f.field.startswith("electrodiagnosis")] == [
        "electrodiagnosis[0]", "electrodiagnosis[1]", "electrodiagnosis[4]"]


def test_the_impression_carries_the_proposed_study_plan():
    foot_drop = {k: v for k, v in FOOT_DROP_STUDIED.items() if k != "electrodiagnosis"}
    result = neuromap.localize(foot_drop)
    out = nf.localize_fhir(nf.case_to_bundle(foot_drop))
    nf.validate(out)
    planned = [n["text"] for n in _resources(out)[0]["note"] if n["text"].startswith("Proposed study")]
    assert len(planned) == len(result.next_studies) > 0
    for k, (text, study) in enumerate(zip(planned, result.next_studies, strict=True), start=1):
        assert text.startswith(f"Proposed study {k}: {study['label']}. Expected: ")
        assert json.loads(text.split("Request: ", 1)[1]) == study["request"]


# ----------------------------------------------------------------------------- reading other systems' bundles
def test_body_sites_coded_in_snomed_or_uberon_are_resolved_and_sides_read():
    # an L5 radiculopathy (first web space numb, great toe extension weak: ISNCSCI key points,
    # the MRC chart), coded the way another system would code it
    bundle = _bundle(
        _obs({"coding": [{"system": SNOMED, "code": "181696007"}]}, code="Muscle strength (MRC scale)",
             side="left", valueInteger=4),  # tibialis anterior, by its SNOMED CT id
        _obs({"text": "left first web space"}, code="Light touch sensation",
             valueCodeableConcept={"text": "reduced sensation"}),
        _obs({"coding": [{"system": UBERON, "code": "UBERON:0003631"},  # the hallux, by UBERON
                         {"system": SNOMED, "code": "7771000"}]}, code="Pinprick", valueString="pins and needles"),
        _obs(code="Ankle reflex", side="left", valueInteger=2),
    )
    fc = nf.read_bundle(bundle)
    assert fc.case["side"] == "left"
    assert fc.case["motor"] == [{"name": "Tibialis anterior", "grade": 4, "side": "left"}]
    assert fc.case["sensory"][0]["regions"] == ["left first web space"]  # as written: its side word agrees
    assert fc.case["sensory"][0]["modality"] == "reduced sensation"
    assert fc.case["sensory"][1]["regions"] == ["Hallux"] and fc.case["sensory"][1]["modality"] == "pins and needles"
    assert fc.case["reflexes"] == {"Ankle reflex": {"left": "2+"}}
    result = neuromap.localize(fc.case)
    assert not result.not_understood and result.top.id == "L5"


def test_what_cannot_be_mapped_reaches_not_understood_never_dropped():
    hip = "UBERON:0001464"  # UBERON's 'hip': a real id that names no atlas entity
    bundle = _bundle(_obs({"coding": [{"system": UBERON, "code": hip}]}, code="Sensation", side="right",
                          valueString="numbness"),
                     _obs({"text": "right first web space"}, code="Sensation", valueString="numbness"),
                     _obs({"text": "right big toe"}, code="Sensation", valueString="glowing"))
    out = nf.localize_fhir(bundle)
    impression = _resources(out)[0]
    notes = " ".join(n["text"] for n in impression["note"])
    assert f"http://purl.obolibrary.org/obo/uberon.owl|{hip}" in notes or hip in notes
    assert "glowing" in notes
    result = neuromap.localize(nf.read_bundle(bundle).case)
    assert {u.field.split(".")[0] for u in result.not_understood} == {"sensory[0]", "sensory[2]"}


def test_components_are_findings_of_their_own():
    # one 'reflexes' Observation with a component per reflex, and one sensory Observation with a
    # component per modality, on the left (a laterality qualifier on the parent)
    reflexes = _obs({"text": "left lower limb"}, code="Deep tendon reflexes", side="left")
    reflexes["component"] = [{"code": {"text": "Ankle reflex"}, "valueString": "absent"},
                             {"code": {"text": "Knee jerk"}, "valueInteger": 2},
                             {"code": {"text": "Hamstring jerk"}, "valueString": "hyperactive-ish"}]
    sensation = _obs({"text": "lateral border of the foot"}, code="Sensation", side="left")
    sensation["component"] = [{"code": {"text": "Light touch"}, "valueCodeableConcept": {"text": "Reduced"}}]
    bundle = _bundle(reflexes, sensation)
    nf.validate(bundle)
    fc = nf.read_bundle(bundle)
    assert fc.case["reflexes"]["Ankle reflex"] == {"left": "absent"}
    assert fc.case["reflexes"]["Knee jerk"] == {"left": "2+"}
    assert fc.case["sensory"] == [{"regions": ["lateral border of the foot"], "side": "left",
                                   "modality": "Reduced sensation"}]
    result = neuromap.localize(fc.case)
    assert [u.field for u in result.not_understood] == ["reflexes.Hamstring jerk.left"]  # never dropped
    assert fc.reference("reflexes.Ankle reflex.left") == bundle["entry"][0]["fullUrl"]


def test_observations_entered_in_error_are_skipped_and_said():
    bad = _obs({"text": "heel"}, code="Sensation", side="left", valueString="numbness")
    bad["status"] = "entered-in-error"
    out = nf.localize_fhir(_bundle(_obs({"text": "first web space"}, code="Sensation", side="left"), bad))
    notes = [n["text"] for n in _resources(out)[0]["note"]]
    assert any(n.startswith("Skipped: urn:uuid:") and "entered-in-error" in n for n in notes)


def test_a_panel_reads_as_one_entry_of_several_regions():
    case = {"side": "left", "sensory": [{"regions": ["first web space", "medial dorsum"], "modality": "tingling"}]}
    bundle = nf.case_to_bundle(case)
    panel = _resources(bundle)[-1]
    assert [m["reference"] for m in panel["hasMember"]] == [e["fullUrl"] for e in bundle["entry"][:2]]
    fc = nf.read_bundle(bundle)
    assert len(fc.case["sensory"]) == 1 and fc.case["sensory"][0]["regions"] == ["first web space", "medial dorsum"]
    assert fc.reference("sensory[0].regions[1]") == bundle["entry"][1]["fullUrl"]


# ----------------------------------------------------------------------------- errors
def test_a_bundle_without_sides_asks_for_one():
    bundle = _bundle(_obs({"text": "heel"}, code="Sensation"))
    with pytest.raises(InvalidCaseError, match=r"'entry\[0\]\.resource'.*pass side="):
        nf.localize_fhir(bundle)
    assert nf.read_bundle(bundle, side="right").case["side"] == "right"


def test_bad_fhir_is_refused_with_the_element_named():
    bundle = _bundle(_obs({"text": "heel"}, side="left"))
    del bundle["entry"][0]["resource"]["status"]
    with pytest.raises(InvalidArgumentError, match=r"'resource\.entry\[0\]\.resource\.status'"):
        nf.localize_fhir(bundle)
    with pytest.raises(InvalidTypeError, match="'resource.resourceType'.*'Patient'"):
        nf.localize_fhir({"resourceType": "Patient"})
    with pytest.raises(InvalidTypeError, match="'resource'"):
        nf.localize_fhir(["not", "a", "resource"])
    with pytest.raises(InvalidCaseError, match="'entry'.*no Observation"):
        nf.localize_fhir({"resourceType": "Bundle", "type": "collection", "entry": []})


def test_localize_keywords_pass_through_and_bad_ones_are_refused():
    bundle = nf.case_to_bundle({"side": "left", "sensory": [{"regions": ["first web space"]}]})
    kwargs = {"max_hypotheses": 1, "dermatome_map": "keegan_garrett_1948", "prior": "uniform"}
    impression = _resources(nf.localize_fhir(bundle, **kwargs))[0]
    expected = neuromap.localize(nf.read_bundle(bundle).case, **kwargs)
    assert [f["itemCodeableConcept"]["coding"][0]["display"] for f in impression["finding"]] == [
        h.label for h in expected.hypotheses]
    assert len(expected.hypotheses) < len(neuromap.localize(nf.read_bundle(bundle).case).hypotheses)
    assert "Keegan" in impression["description"]
    with pytest.raises(neuromap.NeuromapError, match="dermatome_map"):
        nf.localize_fhir(bundle, dermatome_map="nowhere")


def test_without_fhir_resources_validation_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)
    with pytest.raises(MissingDependencyError, match=r"fhir.resources.*'fhir' extra"):
        nf.validate(nf.questionnaire())
    bundle = nf.case_to_bundle({"side": "left", "reflexes": {"achilles": "absent"}})
    assert _resources(nf.localize_fhir(bundle, check=False))[0]["resourceType"] == "ClinicalImpression"


# ----------------------------------------------------------------------------- the ClinicalImpression
def test_the_impression_carries_the_differential_and_references_the_inputs():
    case = {"side": "left", "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
            "motor": [{"name": "great toe extension", "grade": 3}], "reflexes": {"achilles": "normal"}}
    bundle = nf.case_to_bundle(case, subject={"reference": "Patient/p1"})
    urls = {e["fullUrl"] for e in bundle["entry"]}
    out = nf.localize_fhir(bundle)
    assert json.loads(json.dumps(out)) == out  # plain JSON, as a service sends it
    impression = _resources(out)[0]
    result = neuromap.localize(case)
    assert impression["subject"] == {"reference": "Patient/p1"}
    assert {i["reference"] for i in impression["investigation"][0]["item"]} == urls
    assert len(impression["finding"]) == len(result.hypotheses)
    for h, f in zip(result.hypotheses, impression["finding"], strict=True):
        parts = {e["url"]: e for e in f["extension"][0]["extension"]}
        assert parts["score"]["valueDecimal"] == h.score and parts["id"]["valueString"] == h.id
        explained = {e["valueReference"]["reference"] for e in f["extension"][0]["extension"] if e["url"] == "explains"}
        assert explained and explained <= urls
        assert f["basis"].startswith(f"Rank {parts['rank']['valueInteger']}, score")
    assert impression["finding"][0]["itemCodeableConcept"]["coding"][0]["code"] == "root:L5"


def test_red_flags_become_flag_resources_pointing_at_their_findings():
    # cauda equina: saddle anaesthesia with urinary retention (GIRFT pathway, NICE CKS red flags)
    case = {"side": "bilateral", "other": ["saddle anaesthesia", "urinary retention"],
            "reflexes": {"achilles": "absent"}}
    bundle = nf.case_to_bundle(case)
    out = nf.localize_fhir(bundle)
    impression, *flags = _resources(out)
    assert [f["resourceType"] for f in flags] == ["Flag"]
    assert impression["supportingInfo"][0]["reference"] == out["entry"][1]["fullUrl"]
    triggers = {e["valueReference"]["reference"] for e in flags[0]["extension"][0]["extension"]
                if e["url"] == "trigger"}
    sign_urls = {e["fullUrl"] for e in bundle["entry"] if e["resource"]["code"]["coding"][0]["code"] == "sign"}
    assert triggers == sign_urls
    assert "RED FLAG" in impression["summary"]


# ----------------------------------------------------------------------------- the questionnaire
def test_the_questionnaire_is_valid_grounded_and_coded_in_the_atlas():
    q = nf.questionnaire()
    nf.validate(q)
    cited = [k for k in SOURCES if k in q["description"]]
    assert {"pain_drawing_sciatica_2016", "pain_drawing_review_2019", "girft_ces_pathway", "nice_cks_sciatica",
            "mrc_aids_2010", "iasp_1994"} <= set(cited)

    def items(node):
        for item in node.get("item", ()):
            yield item
            yield from items(item)

    for item in items(q):
        for option in item.get("answerOption", ()):
            coding = option["valueCoding"]
            if coding["system"].endswith("/CodeSystem/atlas"):
                assert ATLAS.resolve(coding["code"]).id == coding["code"]
        if item["linkId"].startswith("warning."):
            assert ATLAS.sign(item["code"][0]["code"]).get("red_flag") == "cauda_equina"
    q["title"] = "changed"
    assert nf.questionnaire()["title"] != "changed"


def _response(*items, questionnaire=None):
    return {"resourceType": "QuestionnaireResponse", "id": "r1", "status": "completed",
            "questionnaire": questionnaire or nf.questionnaire()["url"], "subject": {"reference": "Patient/p2"},
            "item": list(items)}


def _side(code):
    return {"linkId": "side", "answer": [{"valueCoding": {"system": SNOMED, "code": code}}]}


def test_a_questionnaire_response_is_read_and_localized():
    # sciatica with the cauda equina warning symptoms the GIRFT pathway lists
    qr = _response(
        _side("51440002"),
        {"linkId": "areas", "item": [
            {"linkId": "areas.numbness", "answer": [{"valueCoding": {"code": "saddle_area"}},
                                                    {"valueCoding": {"code": "sole"}}]},
            {"linkId": "areas.pain", "answer": [{"valueCoding": {"code": "back_of_thigh"}},
                                                {"valueString": "the small of my back"}]}]},
        {"linkId": "weakness", "answer": [{"valueCoding": {"code": "ankle_plantarflexion"}}]},
        {"linkId": "warning", "item": [
            {"linkId": "warning.saddle_anaesthesia", "answer": [{"valueBoolean": True}]},
            {"linkId": "warning.urinary_retention", "answer": [{"valueBoolean": True}]},
            {"linkId": "warning.faecal_incontinence", "answer": [{"valueBoolean": False}]}]},
        {"linkId": "history", "item": [{"linkId": "history.back_pain", "answer": [{"valueBoolean": True}]},
                                       {"linkId": "history.onset", "answer": [{"valueCoding": {"code": "days"}}]}]})
    nf.validate(qr)
    fc = nf.read_questionnaire_response(qr)
    assert fc.case["side"] == "bilateral"
    assert fc.case["sensory"] == [{"regions": ["saddle_area", "sole"], "modality": "numbness"},
                                  {"regions": ["back_of_thigh", "the small of my back"], "modality": "pain"}]
    assert fc.case["history"] == {"back_pain": True, "onset": "days"}
    assert fc.case["other"][2] == {"name": "faecal_incontinence", "state": "normal"}
    out = nf.localize_fhir(qr)
    nf.validate(out)
    impression, *flags = _resources(out)
    assert flags and flags[0]["subject"] == {"reference": "Patient/p2"}
    assert impression["investigation"][0]["item"] == [{"reference": "QuestionnaireResponse/r1"}]
    assert any("the small of my back" in n["text"] for n in impression["note"])  # not understood, said


def test_a_response_to_another_questionnaire_or_without_a_side_is_refused():
    with pytest.raises(InvalidCaseError, match="'questionnaire'"):
        nf.read_questionnaire_response(_response(_side("7771000"), questionnaire="http://example.org/Questionnaire/x"))
    with pytest.raises(InvalidCaseError, match="'item'.*side"):
        nf.read_questionnaire_response(_response())
    with pytest.raises(InvalidCaseError, match=r"'item\[0\]\.answer\[0\]'.*side"):
        nf.read_questionnaire_response(_response({"linkId": "side", "answer": [{"valueString": "up"}]}))
    assert nf.read_questionnaire_response(_response(_side("7771000"))).case == {"side": "left"}


# ----------------------------------------------------------------------------- the docs page
def _doc_blocks():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "fhir.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("block", _doc_blocks(), ids=lambda b: b.splitlines()[0][:40])
def test_the_examples_of_docs_fhir_run(block):
    exec(compile(block, "docs/fhir.md", "exec"), {})
