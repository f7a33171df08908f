"""Names and findings as people write them (issue #16): the resolver, partial cases, free text.

The held-out corpora in ``tests/language/`` measure recall and precision; these tests pin the
rules themselves, each through the public API.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuromap
from neuromap.atlas import normalize_name
from neuromap.errors import AmbiguousNameError, UnknownNameError

ATLAS = neuromap.load_atlas()
GRAMMAR = ATLAS.grammar


# ------------------------------------------------------------------------------ the resolver
@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("underside of my big toe", None, "hallux_plantar"),
    ("plantar great toe", None, "hallux_plantar"),
    ("great toe, plantar", None, "hallux_plantar"),
    ("dorsum of the fourth toe", None, "fourth_toe_dorsal"),
    ("lateral border of foot", None, "lateral_border"),
    ("back of my heel", None, "posterior_heel"),
    ("the knee jerks", "reflex", "patellar"),
    ("Tinel's sign at the fibular head", "sign", "tinel_fibular_head"),
    ("soles", None, "sole"),
])
def test_fillers_plurals_and_word_order_are_read(text, kind, expected):
    match = ATLAS.match(text, kind)
    assert match is not None and match.entity.id == expected
    assert ATLAS.resolve(text, kind).id == expected


@pytest.mark.parametrize(("text", "side", "expected"), [
    ("left big toe", "left", "hallux"), ("L heel", "left", "heel"), ("heel R", "right", "heel"),
    ("both heels", "bilateral", "heel"), ("right sole", "right", "sole"),
])
def test_a_side_word_in_a_name_is_the_finding_side(text, side, expected):
    match = ATLAS.match(text, ("region", "group"))
    assert (match.entity.id, match.side) == (expected, side)


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("gastrocnemeus", "muscle", "gastrocnemius"), ("achilis", "reflex", "achilles"),
    ("tibialis anterier", "muscle", "tibialis_anterior"), ("perroneal nerve", "nerve", "common_fibular"),
])
def test_a_misspelling_close_to_one_name_of_the_kind_is_corrected_and_said(text, kind, expected):
    match = ATLAS.match(text, kind)
    assert match.entity.id == expected and match.how == "corrected" and match.corrected
    assert ATLAS.match(text, kind, fuzzy=False) is None  # never without asking
    result = neuromap.localize({"side": "left", "motor": [{"name": "gastrocnemeus", "grade": 4}]})
    assert any("spelling corrected" in w and "gastrocnemeus" in w for w in result.warnings)


@pytest.mark.parametrize("text", ["hallux valgus", "plantar fasciitis", "gout", "xyzzy", "heel-shin test"])
def test_what_is_not_a_place_does_not_resolve(text):
    assert ATLAS.match(text, ("region", "group")) is None


def test_suggestions_never_cross_the_body():
    def suggested(text, kind):
        with pytest.raises(UnknownNameError) as info:
            ATLAS.resolve(text, kind)
        return [normalize_name(s) for s in info.value.suggestions]

    assert not any("perine" in s or "anus" in s for s in suggested("tib antt", "muscle"))
    assert "tibialis anterior" in suggested("tib antt", "muscle")
    assert not any("perine" in s for s in suggested("peroneal muscle group", ("muscle", "movement")))
    assert all("ankle" in s for s in suggested("around my ankle", ("region", "group")))
    result = neuromap.localize({"side": "left", "sensory": [{"regions": ["heel", "thumb"]}]})
    (thumb,) = result.not_understood
    assert "lower limb" in thumb.problem and not thumb.suggestions


def test_a_name_that_normalises_to_two_places_is_an_error_listing_both():
    # 'dorsal foot' names the dorsum; with the words in another order and 'top' for 'dorsal' it
    # could be the dorsum or the whole top of the foot: neither is picked
    with pytest.raises(AmbiguousNameError) as info:
        ATLAS.resolve("foot top")
    assert len(info.value.candidates) >= 2
    assert "\n" not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz '-", max_size=40))
def test_normalisation_is_idempotent(text):
    folded = normalize_name(text)
    assert normalize_name(folded) == folded
    assert GRAMMAR.plain(GRAMMAR.plain(folded)) == GRAMMAR.plain(folded)
    assert GRAMMAR.bag(GRAMMAR.bag(folded)) == GRAMMAR.bag(folded)


_NAMES = sorted((kind, ident, name) for kind in ("region", "group", "muscle", "movement", "reflex", "sign")
                for ident in ATLAS.ids(kind) for name in (ATLAS.resolve(ident, kind).label,))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_NAMES), st.sampled_from(["the {}", "my {}", "{} area", "the {} region", "{}"]))
def test_every_label_resolves_after_fillers_are_added(entry, template):
    kind, ident, label = entry
    match = ATLAS.match(template.format(label), kind, fuzzy=False)
    assert match is not None and match.entity.id == ident


# ------------------------------------------------------------------------------ partial cases
BASE = {"side": "left",
        "sensory": [{"regions": ["first web space", "dorsum of foot"], "modality": "numbness"}],
        "motor": [{"name": "great toe extension", "grade": 4}], "reflexes": {"achilles": "normal"}}


@pytest.mark.parametrize("extra", [
    {"motor": [{"name": "great toe extension", "grade": 4}, {"name": "wiggly thing", "grade": 4}]},
    {"reflexes": {"achilles": "normal", "elbow jerk": "absent"}},
    {"other": ["a funny feeling"]},
    {"motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": "sort of ok"}]},
])
def test_one_unknown_finding_leaves_the_ranking_and_is_named(extra):
    plain = neuromap.localize(BASE)
    partial = neuromap.localize({**BASE, **extra})
    assert [(h.id, round(h.score, 9)) for h in partial.hypotheses] == [(h.id, round(h.score, 9))
                                                                      for h in plain.hypotheses]
    assert len(partial.not_understood) == 1
    assert any("not understood" in w for w in partial.warnings)
    with pytest.raises(neuromap.NeuromapError):
        neuromap.localize({**BASE, **extra}, strict=True)


def test_a_red_flag_in_an_unread_finding_still_raises_the_flag():
    """Three cauda equina cases were refused whole for one unknown word: their red flags never ran."""
    case = {"side": "bilateral", "sensory": [{"regions": ["heel"]}],
            "other": ["sudden saddle anaesthesia since this morning!!"]}
    result = neuromap.localize(case)
    assert result.not_understood and result.red_flags
    assert "saddle anaesthesia" in json.dumps(result.red_flags[0]["triggers"])
    negated = neuromap.localize({**case, "other": ["denies any saddle anaesthesia at all"]})
    assert not negated.red_flags


def test_a_specific_normal_part_narrows_a_general_abnormal_report():
    """'dorsum numb, first web space normal' is the dorsum without the web space, either order."""
    for sensory in ([{"regions": ["dorsum"]}, {"regions": ["first web space"], "state": "normal"}],
                    [{"regions": ["first web space"], "state": "normal"}, {"regions": ["dorsum"]}]):
        result = neuromap.localize({"side": "left", "sensory": sensory})
        web = [f for f in result.findings if f.target == "first_web_space"]
        assert [f.abnormal for f in web] == [False]
        assert any("more specific report" in w for w in result.warnings)
        assert {f.target for f in result.findings if f.abnormal} == set(ATLAS.regions_of("dorsum")) - {
            "first_web_space"}


def test_a_symptom_beside_a_normal_examination_keeps_both():
    """Heel pain with heel sensation normal (plantar fasciitis) is two findings, not a contradiction."""
    result = neuromap.localize({"side": "left", "sensory": [{"regions": ["plantar heel"], "modality": "pain"},
                                                            {"regions": ["plantar heel"], "state": "normal"}]})
    assert sorted((f.abnormal, f.modality or "") for f in result.findings) == [(False, ""), (True, "pain")]
    assert not result.not_understood


def test_two_equally_specific_contradicting_reports_are_set_aside_in_any_order():
    a = {"regions": ["heel"]}
    b = {"regions": ["heel"], "state": "normal"}
    one = neuromap.localize({"side": "left", "sensory": [a, b], "reflexes": {"achilles": "absent"}})
    two = neuromap.localize({"side": "left", "sensory": [b, a], "reflexes": {"achilles": "absent"}})
    assert [h.id for h in one.hypotheses] == [h.id for h in two.hypotheses]
    assert {u.field for u in one.not_understood} == {"sensory[0].regions[0]", "sensory[1].regions[0]"}


@pytest.mark.parametrize(("grade", "abnormal"), [("trace", True), ("0/5", True), ("4-/5", True), ("full power", False)])
def test_grades_as_written(grade, abnormal):
    result = neuromap.localize({"side": "left", "motor": [{"name": "EHL", "grade": grade}]}, strict=True)
    assert result.findings[0].abnormal is abnormal


@pytest.mark.parametrize(("grade", "read"), [("0", "absent"), ("1+", "reduced"), ("2+", "normal"), ("3+", "brisk"),
                                            ("absent with reinforcement", "absent"), ("hypoactive", "reduced"),
                                            ("hyperactive", "brisk"), ("diminished", "reduced")])
def test_reflex_grades_as_written(grade, read):
    result = neuromap.localize({"side": "left", "reflexes": {"ankle jerk": grade}}, strict=True)
    assert result.findings[0].modality == read


# ------------------------------------------------------------------------------ free text
def test_a_clinic_note_is_read_with_its_side_grades_and_signs():
    read = neuromap.case_from_text("R leg: 4/5 EHL, absent ankle jerk, numb lateral border of foot and sole; "
                                   "SLR +ve at 40°")
    case = read.case
    assert case["side"] == "right"
    assert case["motor"] == [{"name": "EHL", "grade": "4/5", "side": "right"}]
    assert case["reflexes"] == {"ankle jerk": {"right": "absent"}}
    assert case["sensory"][0]["modality"] == "numbness"
    assert ATLAS.regions_of("lateral border of the foot")[0] in {
        r for name in case["sensory"][0]["regions"] for r in ATLAS.regions_of(name)}
    assert case["other"] == ["SLR"]
    assert read.unread == ()
    assert neuromap.localize(read).top is not None


def test_a_complaint_in_a_patients_words():
    read = neuromap.case_from_text("burning soles both feet for 2 years")
    assert read.case["side"] == "bilateral"
    assert read.case["sensory"][0]["modality"] == "burning"
    negation = neuromap.case_from_text("no saddle anaesthesia, dorsum of foot numb", side="left")
    assert negation.case["other"] == [{"name": "saddle anaesthesia", "state": "normal"}]


def test_what_the_text_reader_cannot_read_is_kept_and_its_red_flags_still_run():
    out = neuromap.localize_json({"text": "sudden numbness and cannot pass urine, wobbly feelings",
                                     "side": "bilateral"})
    assert out["red_flags"]
    assert any(u["field"].startswith("text[") for u in out["not_understood"])


def test_a_text_that_names_no_side_needs_one():
    with pytest.raises(neuromap.InvalidArgumentError, match="side"):
        neuromap.case_from_text("numb heel")
    assert neuromap.case_from_text("numb heel", side="left").case["side"] == "left"
