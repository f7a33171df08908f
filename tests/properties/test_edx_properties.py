"""Properties of electrodiagnosis and the study plan (issue 18).

- a study result that the leader predicts (abnormal where it predicts involvement, normal where it
  predicts none) never lets a hypothesis that predicts the opposite overtake it;
- a proposed study is never one the case already reports;
- for every pair of the plan's hypotheses, the plan proposes a study they expect differently
  whenever the atlas has one that separates them;
- mirroring a case with studies mirrors the result.
"""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import neuromap
from neuromap.atlas.electro import electrodiagnosis
from neuromap.inference.candidates import candidates
from neuromap.inference.studies import study_involvement
from neuromap.testing.strategies import cases, mirror_case, studies
from neuromap.weights import PREDICTED_ABNORMAL, STUDY_MIN_SPLIT, STUDY_WEIGHTS

ATLAS = neuromap.load_atlas()
EDX = electrodiagnosis(ATLAS)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL = 500
ABNORMAL = {"snap": "absent", "emg": "denervation", "paraspinal": "denervation", "h_reflex": "absent"}
SWAP = {"left": "right", "right": "left", "bilateral": "bilateral"}


def _irritative(result) -> bool:
    return all(f.kind == "sign" or (f.kind == "region" and f.modality == "pain")
               for f in result.findings if f.abnormal)


def _entry(study, result_word):
    entry = {**study["request"], "result": result_word}
    return entry


@SETTINGS
@given(cases(side="left"), st.data())
def test_a_result_the_leader_predicts_never_lets_an_opposite_hypothesis_overtake_it(case, data):
    before = neuromap.localize(case, prior="uniform", max_hypotheses=ALL)
    assume(before.hypotheses and before.next_studies and not _irritative(before))
    study = data.draw(st.sampled_from(before.next_studies))
    top = before.top
    names = list(study["predictions"])
    assume(names and names[0] == top.id)  # one side: the plan names hypotheses by id
    p_top = study["predictions"][top.id]
    assume(p_top == 0.0 or p_top >= PREDICTED_ABNORMAL)
    abnormal = p_top >= PREDICTED_ABNORMAL
    word = ABNORMAL[study["kind"]] if abnormal else "normal"
    after = neuromap.localize({**case, "electrodiagnosis": [_entry(study, word)]}, prior="uniform",
                              max_hypotheses=ALL)
    opposite = [n for n in names[1:] if (study["predictions"][n] == 0.0 if abnormal
                                         else study["predictions"][n] >= PREDICTED_ABNORMAL)]
    for n in opposite:
        if before.rank(n) is not None and after.rank(n) is not None:
            assert after[top.id].score >= after[n].score - 1e-9, (top.id, n, word, study["id"])


@SETTINGS
@given(cases(side="left"), studies())
def test_a_proposed_study_is_never_one_already_reported(case, entries):
    result = neuromap.localize({**case, "electrodiagnosis": entries})
    reported = {(f.kind, f.target) for f in result.findings if f.field.startswith("electrodiagnosis")}
    proposed = {(s["kind"], s["id"]) for s in result.next_studies}
    assert not reported & proposed


def _candidate(result, name):
    """The candidate behind a plan's hypothesis: its kind and id, and the involvements the plan gave it."""
    h = result[name.split(" (")[0]]
    for c in candidates(ATLAS, ATLAS.default_dermatome_map):
        if c.kind == h.kind and c.id == h.id and all(
                round(study_involvement(ATLAS, c, EDX.study(s["kind"], s["id"])), 3) == s["predictions"][name]
                for s in result.next_studies):
            return c
    return None


@SETTINGS
@given(cases(side="left"), studies(max_size=2))
def test_every_pair_the_atlas_can_separate_gets_a_study(case, entries):
    result = neuromap.localize({**case, "electrodiagnosis": entries})
    assume(result.next_studies)
    names = list(result.next_studies[0]["predictions"])
    reported = {(f.kind, f.target) for f in result.findings if f.field.startswith("electrodiagnosis")}
    groups = {c["id"] for c in ATLAS.data.composites}
    options = [s for s in EDX.studies() if s.kind in STUDY_WEIGHTS and (s.kind, s.id) not in reported
               and s.id not in groups]
    by_name = {n: _candidate(result, n) for n in names}
    assume(all(by_name.values()))
    for a, b in combinations(names, 2):
        def apart(s, a=a, b=b):
            pa, pb = study_involvement(ATLAS, by_name[a], s), study_involvement(ATLAS, by_name[b], s)
            return STUDY_WEIGHTS[s.kind] * abs(pa - pb) >= STUDY_MIN_SPLIT and (
                (pa >= PREDICTED_ABNORMAL) != (pb >= PREDICTED_ABNORMAL))
        if any(apart(s) for s in options):
            assert any(s["expected"][a] != s["expected"][b] for s in result.next_studies), (a, b)


@SETTINGS
@given(cases(side="left"), studies())
def test_mirroring_a_case_with_studies_mirrors_the_result(case, entries):
    case = {**case, "electrodiagnosis": entries}
    a = neuromap.localize(case)
    b = neuromap.localize(mirror_case(case))
    assert [(h.id, h.site, SWAP[h.side], round(h.score, 9)) for h in a.hypotheses] == [
        (h.id, h.site, h.side, round(h.score, 9)) for h in b.hypotheses]
    assert [(s["kind"], s["id"]) for s in a.next_studies] == [(s["kind"], s["id"]) for s in b.next_studies]
