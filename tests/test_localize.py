"""Localization behaviour: input validation, output shape, red flags, warnings, patterns, drawings."""

from __future__ import annotations

import json
import math

import pytest

import neuromap
from neuromap.inference import Case
from neuromap.inference.localize import MAX_HYPOTHESES

L5 = {"side": "left",
      "sensory": [{"regions": ["first dorsal web space", "hallux"], "modality": "numbness"}],
      "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4},
                {"name": "foot inversion", "grade": 4}],
      "reflexes": {"achilles": "normal"}}


def test_output_shape_and_json():
    result = neuromap.localize(L5)
    d = result.to_dict()
    json.dumps(d)
    assert d["schema_version"] and d["neuromap_version"] == neuromap.__version__ and d["atlas_version"]
    assert d["dermatome_map"]["id"] == "lee_2008"
    h = d["hypotheses"][0]
    assert h["kind"] == "root" and h["id"] == "L5" and h["levels"] == ["L5"] and h["nerve"] is None
    assert {x["target"] for x in h["explains"]} >= {"first_web_space", "great_toe_extension", "hip_abduction"}
    assert all(p["path"][0] == "L5" for p in h["paths"])
    assert "lee_2008" in h["sources"]
    assert d["disclaimer"].startswith("neuromap is decision support")
    assert repr(result).startswith("<Localization | L5")
    assert "<table>" in result._repr_html_()


def test_nerve_hypothesis_names_nerve_and_site():
    result = neuromap.localize({"side": "right",
                                "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"}],
                                "motor": [{"name": "ankle dorsiflexion", "grade": 2},
                                          {"name": "foot eversion", "grade": 3},
                                          {"name": "foot inversion", "grade": 5},
                                          {"name": "hip abduction", "grade": 5},
                                          {"name": "biceps femoris short head", "grade": 5}],
                                "reflexes": {"achilles": "normal"}})
    top = result.top
    assert top.kind == "nerve" and top.id == "common_fibular" and top.nerve == "common_fibular"
    assert top.site == "fibular_head" and "fibular head" in top.label
    assert result.rank("L5") > 1


def test_typed_case_equals_dict():
    assert neuromap.localize(Case(**L5)).to_dict() == neuromap.localize(L5).to_dict()


def test_cauda_equina_red_flag_first():
    result = neuromap.localize({"side": "bilateral", "sensory": [{"regions": ["heel"], "modality": "numbness"}],
                                "other": ["saddle anaesthesia", "urinary retention"]})
    assert result.red_flags and result.red_flags[0]["id"] == "cauda_equina"
    assert "emergency" in result.red_flags[0]["message"]
    assert result.top.id == "cauda_equina"
    assert list(result.to_dict())[:7].index("red_flags") < list(result.to_dict()).index("hypotheses")


def test_bilateral_weakness_is_a_red_flag():
    result = neuromap.localize({"side": "bilateral", "motor": [{"name": "ankle dorsiflexion", "grade": 2}]})
    assert result.red_flags and "both legs" in result.red_flags[0]["message"]


def test_upper_motor_neuron_warning():
    result = neuromap.localize({"side": "left", "reflexes": {"patellar": "brisk", "achilles": "brisk"},
                                "other": ["babinski"], "motor": [{"name": "hip flexion", "grade": 4}]})
    assert any("upper motor neuron" in w.lower() for w in result.warnings)
    assert {f.target for f in result.not_scored} == {"patellar", "achilles", "babinski"}


def test_patterns():
    stocking = neuromap.localize({"side": "bilateral",
                                  "sensory": [{"regions": ["toes", "sole"], "modality": "tingling"}],
                                  "reflexes": {"achilles": "absent"}})
    assert stocking.pattern["kind"] == "stocking" and stocking.top.id == "polyneuropathy"
    heel = neuromap.localize({"side": "left", "sensory": [{"regions": ["plantar heel"], "modality": "pain"}]})
    assert heel.pattern["kind"] == "none" and not heel.red_flags
    assert any("plantar fasciitis" in w for w in heel.warnings)
    web = neuromap.localize({"side": "left", "sensory": [{"regions": ["first web space"]}]})
    assert web.pattern["kind"] == "dermatomal_or_single_nerve"
    assert "L5" in web.pattern["dermatomes"] and "deep_fibular" in web.pattern["nerves"]
    motor = neuromap.localize({"side": "left", "motor": [{"name": "hip flexion", "grade": 4}]})
    assert motor.pattern["kind"] == "no_sensory"


def test_inseparable_leaders_get_a_next_examination():
    result = neuromap.localize({"side": "left", "sensory": [{"regions": ["top of the foot"]}],
                                "motor": [{"name": "great toe extension", "grade": 3}]})
    assert not result.separable
    suggested = {x["id"] for x in result.next_examination}
    assert suggested & {"foot_inversion", "hip_abduction", "medial_hamstring"}
    assert any("do not separate" in w for w in result.warnings)


def test_next_examination_is_never_shared():
    """A repeat of a case gives an equal proposal, and a caller changing its copy changes nothing
    for the next case."""
    case = {"side": "left", "sensory": [{"regions": ["top of the foot"]}],
            "motor": [{"name": "great toe extension", "grade": 3}]}
    first = neuromap.localize(case).next_examination
    assert first
    expected = json.loads(json.dumps(first))
    first[0]["value"] = -1.0
    first[0]["predictions"].clear()
    again = neuromap.localize(case).next_examination
    assert json.loads(json.dumps(again)) == expected


def _clear_all(value):
    """Empty every list and dict of *value*, innermost first."""
    if isinstance(value, dict):
        for v in value.values():
            _clear_all(v)
        value.clear()
    elif isinstance(value, list):
        for v in value:
            _clear_all(v)
        value.clear()


def test_to_dict_is_the_callers_to_change():
    """Results are cached and shared (a repeated case gets the same one): every list and dict
    ``to_dict`` returns is new, so a caller emptying them all changes nothing of the result."""
    result = neuromap.localize({**L5, "other": ["saddle anaesthesia"], "history": {"events": ["kneeling"]}})
    first = result.to_dict()
    assert first["red_flags"] and first["best_of_kind"] and first["next_studies"]
    assert any(h["paths"] and h["contradicts"] and h["prior"]["sources"] for h in first["hypotheses"])
    expected = json.loads(json.dumps(first))
    _clear_all(first)
    assert result.to_dict() == expected
    assert json.loads(json.dumps(result.to_dict())) == expected


def test_dermatome_map_changes_root_ranking():
    case = {"side": "left", "sensory": [{"regions": ["hallux_dorsal", "medial_forefoot"], "modality": "numbness"}],
            "motor": [{"name": "ankle dorsiflexion", "grade": 4}]}
    kg = neuromap.localize(case, dermatome_map="keegan_garrett_1948")
    lee = neuromap.localize(case)
    assert kg.dermatome_map["id"] == "keegan_garrett_1948"
    assert kg.rank("L4") < lee.rank("L4")
    with pytest.raises(neuromap.UnknownNameError, match="dermatome_map"):
        neuromap.localize(case, dermatome_map="gray")


def test_drawing_maps_onto_regions(atlas):
    poly = atlas.template.polygon("first_web_space", side="left")
    ring = [list(c) for c in poly.exterior.coords]
    result = neuromap.localize({"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": ring},
                                                             "modality": "numbness"}]})
    targets = {f.target for f in result.findings}
    assert "first_web_space" in targets
    assert result.top.id in ("deep_fibular", "L5")
    inside = list(poly.representative_point().coords[0])
    pts = neuromap.localize({"side": "left",
                             "sensory": [{"drawing": {"view": "dorsal", "points": [inside, [900.0, 900.0]]}}]})
    assert any("outside the foot" in w for w in pts.warnings)


@pytest.mark.parametrize("case,field", [
    ({"side": "middle", "sensory": [{"regions": ["sole"]}]}, "side"),
    ({"side": "left", "sensory": [{"regions": ["thumb"]}]}, "sensory[0].regions[0]"),
    ({"side": "left", "sensory": [{"regions": ["sole", "frist webbed space"]}]}, "sensory[0].regions[1]"),
    ({"side": "left", "sensory": [{"regions": ["right heel"]}]}, "sensory[0].regions[0]"),
    ({"side": "left"}, "case"),
    ({"side": "left", "sensory": [{"regions": ["sole"]}], "reflexes": {"achilles": "very"}}, "reflexes.achilles"),
    ({"side": "left", "motor": [{"name": "great toe extension", "grade": 7}]}, "motor[0].grade"),
    ({"side": "left", "motor": [{"name": "great toe extension", "grade": float("nan")}]}, "motor[0].grade"),
    ({"side": "left", "motor": [{"name": "great toe extension", "grade": True}]}, "motor[0].grade"),
    ({"side": "left", "motor": [{"name": "toe wiggle", "grade": 4}]}, "motor[0].name"),
    ({"side": "left", "sensory": [{"regions": ["sole"], "modality": "itchy"}]}, "sensory[0].modality"),
    ({"side": "left", "sensory": [{"regions": ["sole"]}], "colour": "red"}, "colour"),
    ({"side": "left", "sensory": [{"regions": ["hallux_dorsal"]}, {"regions": ["hallux_dorsal"], "state": "normal"}]},
     "sensory[1].regions[0]"),
    ({"side": "left", "motor": [{"name": "hip flexion", "grade": 4}, {"name": "hip flexion", "grade": 3}]}, "motor[1]"),
    ({"side": "left", "sensory": "sole"}, "sensory"),
    ({"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[0, 0], [10, 10], [0, 10], [10, 0]]}}]},
     "sensory[0].drawing"),
    ({"side": "left", "sensory": [{"drawing": {"view": "top", "polygon": [[0, 0], [10, 0], [0, 10]]}}]},
     "sensory[0].drawing.view"),
])
def test_invalid_input_names_the_field(case, field):
    with pytest.raises(neuromap.NeuromapError) as info:
        neuromap.localize(case, strict=True)
    msg = str(info.value)
    assert f"'{field}'" in msg, msg
    assert "\n" not in msg
    assert isinstance(info.value, (ValueError, KeyError))


def test_suggestions_are_the_closest_valid_values():
    with pytest.raises(neuromap.InvalidCaseError) as info:
        neuromap.localize({"side": "lefft", "motor": [{"name": "hip flexion", "grade": 4}]})
    assert "'left'" in str(info.value) and info.value.suggestions[0] == "left"
    with pytest.raises(neuromap.UnknownNameError) as info2:
        neuromap.localize({"side": "left", "sensory": [{"regions": ["frist webbed space"]}]}, strict=True)
    assert "first" in str(info2.value).lower()


def test_limits():
    many = {"side": "left", "sensory": [{"regions": neuromap.load_atlas().ids("region")}]}
    with pytest.raises(neuromap.LimitExceededError):
        neuromap.localize(many, limits=neuromap.Limits(max_regions_per_finding=5))


def test_examined_normal_is_evidence():
    abnormal_only = neuromap.localize({"side": "left", "sensory": [{"regions": ["first web space"]}],
                                       "motor": [{"name": "ankle dorsiflexion", "grade": 3}]})
    with_normal = neuromap.localize({"side": "left", "sensory": [{"regions": ["first web space"]}],
                                     "motor": [{"name": "ankle dorsiflexion", "grade": 3},
                                               {"name": "foot eversion", "grade": 5}]})
    assert with_normal.rank("deep_fibular") <= abnormal_only.rank("deep_fibular")
    assert with_normal["common_fibular"].contradicts


@pytest.mark.parametrize("case", [
    {"side": "left", "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"},
                                 {"regions": ["medial malleolus"], "state": "normal"}],
     "motor": [{"name": "ankle dorsiflexion", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
     "reflexes": {"achilles": "normal", "patellar": "normal"}},
    {"side": "bilateral", "sensory": [{"regions": ["sole"], "modality": "tingling"}],
     "reflexes": {"achilles": "absent"}},
    {"side": "right", "sensory": [{"regions": ["heel"], "modality": "pain"}], "other": ["saddle anaesthesia"]},
    {"side": "left", "reflexes": {"achilles": {"left": "absent", "right": "normal"}}},
])
def test_scores_equal_the_written_out_formula(atlas, case):
    """ScoringTable.score (numpy, every option at once) agrees with the formula of docs/method.md
    written out one candidate, side and finding at a time (tests/oracles/scoring.py)."""
    import numpy as np

    from neuromap.inference.case import parse_case
    from neuromap.inference.scoring import SIDE_NAMES, finding_weight, is_scored, scoring_table
    from tests.oracles.scoring import reference_scores

    table = scoring_table(atlas, atlas.default_dermatome_map)
    findings = [f for f in parse_case(case, atlas).findings if is_scored(f, atlas)]
    got = table.score(findings, [finding_weight(f, atlas) for f in findings])
    ref = reference_scores(table.candidates, findings, atlas)
    options = [(int(r), SIDE_NAMES[c]) for r, c in zip(got.rows, got.side_codes, strict=True)]
    assert sorted(options) == sorted(ref)
    for name, column in (("score", 0), ("fit", 1), ("evidence_fit", 2)):
        np.testing.assert_allclose(getattr(got, name), [ref[o][column] for o in options], rtol=0, atol=1e-12)
    # best first by score, ties by kind, territory size, id and side
    key = [(-round(float(got.score[k]), 12), int(table.tie_rank[got.rows[k]]), int(got.side_codes[k]))
           for k in got.order]
    assert key == sorted(key)


def test_hypotheses_that_explain_nothing_are_not_listed():
    """Pain alone over the first web space: before, 33 hypotheses that explain none of it tied
    at the cut and were all listed (43 in all); now each listed hypothesis explains part of it
    (docs/method.md, section 4)."""
    atlas = neuromap.load_atlas()
    x, y = atlas.template.anchor("first_web_space", side="right")
    ring = [[x + 10 * math.cos(a), y + 12 * math.sin(a)] for a in (2 * math.pi * i / 24 for i in range(24))]
    drawn = neuromap.localize({"side": "right",
                               "sensory": [{"drawing": {"view": "dorsal", "polygon": ring}, "modality": "pain"}]})
    assert 1 <= len(drawn.hypotheses) <= MAX_HYPOTHESES
    assert all(h.explains for h in drawn.hypotheses)
    assert {"L5", "deep_fibular", "common_fibular"} <= {h.id for h in drawn.hypotheses}
    named = neuromap.localize({"side": "left", "sensory": [{"regions": ["heel"], "modality": "numbness"}],
                               "reflexes": {"achilles": "reduced"}})
    assert all(h.explains for h in named.hypotheses)
    # with no abnormal finding nothing localizes: no hypothesis, and the pattern says so (issue 17)
    normal = neuromap.localize({"side": "left", "reflexes": {"achilles": "normal", "patellar": "normal"}})
    assert normal.hypotheses == () and normal.pattern["kind"] == "normal_examination"


def test_a_nerve_is_listed_at_a_site_that_explains_a_finding():
    """Posterior thigh, popliteal and upper calf numbness with a normal calf: the tibial nerve
    at the tarsal tunnel explains none of it, so the tibial hypothesis is the nerve in the
    popliteal fossa (medial sural cutaneous nerve to the upper calf), and the sites that
    explain nothing are not offered as its candidate sites."""
    case = {"side": "left",
            "sensory": [{"regions": ["posterior_thigh", "popliteal_fossa", "posterior_calf_proximal"],
                         "modality": "numbness"}],
            "motor": [{"name": "knee flexion", "grade": "normal"}, {"name": "ankle plantarflexion", "grade": "normal"}],
            "reflexes": {"achilles": "normal"}}
    result = neuromap.localize(case)
    tibial = result["tibial"]
    assert tibial.site == "popliteal_fossa" and tibial.candidate_sites == ()
    assert [x["target"] for x in tibial.explains] == ["posterior_calf_proximal"]
    for h in result.hypotheses:
        assert h.explains, h.id


def test_a_result_pickles_and_deep_copies():
    """Results go through multiprocessing queues and caches: a pickled or deep-copied result
    says the same as the original, and a copy shares none of its mutable parts."""
    import copy
    import pickle

    result = neuromap.localize({"side": "left", "sensory": [{"regions": ["first web space"]}],
                                "motor": [{"name": "great toe extension", "grade": 4}],
                                "reflexes": {"achilles": "normal"}})
    for other in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
        assert other.to_dict() == result.to_dict()
        assert repr(other) == repr(result)
        assert other.top.territory == result.top.territory
        assert other.hypotheses[0].explains[0] is not result.hypotheses[0].explains[0] or other is result
    fresh = neuromap.localize({"side": "right", "reflexes": {"achilles": "absent"}})
    assert pickle.loads(pickle.dumps(fresh)).top.id == "S1"  # pickled before its hypotheses were read


# ------------------------------------------------------------------------- MRC grades (issue #15)
GRADE_CASE = {"side": "left", "motor": [{"name": "great toe extension", "grade": None}]}


def _grade(grade):
    case = {**GRADE_CASE, "motor": [{"name": "great toe extension", "grade": grade}]}
    return neuromap.localize(case).findings[0]


@pytest.mark.parametrize("grade", ["0.", "+4", "(4)", "4.", "3.", "#0", "４", "-0", "~2", "2?", "5+", "0-", "wek",
                                   "4 5", "", " ", True, None, 4.5, -1, 6, [4], {"grade": 4}])
def test_a_grade_outside_the_grammar_is_refused_not_guessed(grade):
    """A paralysed muscle written '0.' was read as normal strength: every form outside the
    documented grammar is refused, naming the field and the accepted forms."""
    with pytest.raises(neuromap.InvalidCaseError, match=r"motor\[0\]\.grade") as err:
        neuromap.localize({**GRADE_CASE, "motor": [{"name": "great toe extension", "grade": grade}]}, strict=True)
    assert "\n" not in str(err.value)
    if isinstance(grade, str) and grade.strip():  # a word, not the structure: set aside, never guessed
        result = neuromap.localize({**GRADE_CASE, "motor": [{"name": "great toe extension", "grade": grade}]})
        assert [u.field for u in result.not_understood] == ["motor[0].grade"]
        assert not result.findings


@pytest.mark.parametrize(("grade", "abnormal", "severity"), [
    (0, True, 1.0), ("0", True, 1.0), (" 3 ", True, 0.9), ("4+", True, 0.7), ("4 -", True, 0.7),
    ("4/5", True, 0.7), ("2+/5", True, 1.0), ("5-", True, 0.5), ("5 - / 5", True, 0.5), (5, False, 1.0),
    ("5", False, 1.0), ("5/5", False, 1.0), (4.0, True, 0.7), ("Weak", True, 0.8), ("normal", False, 1.0),
])
def test_the_grade_grammar(grade, abnormal, severity):
    """A grade is abnormal exactly when it is below 5; 5- is abnormal, mildly (below grade 4)."""
    f = _grade(grade)
    assert (f.abnormal, f.severity) == (abnormal, severity)


def test_five_minus_counts_against_a_normal_reading():
    """'5-' is weakness: it adds evidence for a lesion that supplies the muscle, where '5' counts against it."""
    weak = neuromap.localize({"side": "left", "motor": [{"name": "great toe extension", "grade": "5-"}]})
    normal = neuromap.localize({"side": "left", "motor": [{"name": "great toe extension", "grade": "5"},
                                                         {"name": "hip abduction", "grade": 4}]})
    assert weak.top is not None and weak.top.explains
    assert all(c["target"] != "great_toe_extension" for h in weak.hypotheses for c in h.contradicts)
    assert any(c["target"] == "great_toe_extension" for h in normal.hypotheses for c in h.contradicts)
