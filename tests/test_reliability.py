"""Issue #15: no finding read wrong or lost, no crash outside NeuromapError, short messages.

Each test is a reproducer from the issue, through the public API.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuromap
from neuromap.inference import Case
from neuromap.testing.strategies import cases


@pytest.mark.parametrize(("name", "side"), [("left-heel", "left"), ("l.heel", "left"), ("right/heel", "right"),
                                            ("R heel", "right"), ("Left  heel", "left")])
def test_a_side_word_glued_to_a_region_reads_as_the_side(name, side):
    """'left-heel' raised IndexError; it names the left heel."""
    r = neuromap.localize({"side": side, "sensory": [{"regions": [name]}]})
    assert {f.target for f in r.findings} >= {"plantar_heel"} and {f.side for f in r.findings} == {side}


@pytest.mark.parametrize("limits", [None, 5, {"max_findings": 3}])
def test_limits_of_the_wrong_type_are_refused(limits):
    with pytest.raises(neuromap.NeuromapError, match="'limits'"):
        neuromap.localize({"side": "left", "reflexes": {"achilles": "absent"}}, limits=limits)


@pytest.mark.parametrize("case", [
    {"side": "left", "reflexes": {"achilles": "absent"}, "dermatome_map": []},
    {"side": "left", "reflexes": {"achilles": "absent"}, "dermatome_map": {}},
    {"side": "left", "motor": [{"name": "hip abduction", "grade": 10**400}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[0, 0], [10**400, 0], [1, 1]]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[0, 0], 5, [1, 1]]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[True, 0], [1, 0], [1, 1]]}}]},
    {"side": "left", "motor": [{"name": "hip abduction", "grade": 4, "note": 5}]},
    {"side": "left", "motor": [{"name": "hip abduction", "grade": 4}], "id": [1, 2]},
])
def test_wrong_types_are_one_line_case_errors(case):
    with pytest.raises(neuromap.InvalidCaseError) as err:
        neuromap.localize(case)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("case", [
    {"side": "left", "sensory": [{"regions": ["heel"], "x" * 1_000_000: 1}]},
    {"side": "l" * 100_000, "reflexes": {"achilles": "absent"}},
    {"side": "left", "other": ["y" * 150]},
    {"side": "left", "reflexes": {"z" * 10_000: "absent"}},
])
def test_messages_quote_at_most_a_short_piece_of_the_input(case):
    """A 1 MB unknown key gave a 2 MB 'one-line' message."""
    with pytest.raises(neuromap.NeuromapError) as err:
        neuromap.localize(case, strict=True)
    assert len(str(err.value)) < 600 and "\n" not in str(err.value)


def test_case_objects_take_every_documented_key():
    case = Case(side="left", reflexes={"achilles": "absent"}, id="c1", notes="n", dermatome_map="keegan_garrett_1948")
    assert neuromap.localize(case).dermatome_map["id"] == "keegan_garrett_1948"


def test_a_symptom_and_an_examination_of_one_region_are_both_kept():
    """A named 'plantar heel' with pain and the same region with numbness were merged silently:
    the numbness could vanish and the pattern read flip to 'pain alone'. Pain is a symptom and
    numbness an examination finding: both are kept, in either order (issue #16)."""
    for entries in ([{"regions": ["plantar heel"], "modality": "pain"}, {"regions": ["plantar heel"]}],
                    [{"regions": ["plantar heel"]}, {"regions": ["plantar heel"], "modality": "pain"}]):
        r = neuromap.localize({"side": "left", "sensory": entries})
        assert sorted(f.modality for f in r.findings if f.target == "plantar_heel") == ["numbness", "pain"]
        assert r.pattern["kind"] != "none"


def test_two_examination_reports_of_one_region_keep_the_stronger_and_say_so():
    for entries in ([{"regions": ["plantar heel"], "modality": "hypersensitivity"}, {"regions": ["plantar heel"]}],
                    [{"regions": ["plantar heel"]}, {"regions": ["plantar heel"], "modality": "hypersensitivity"}]):
        r = neuromap.localize({"side": "left", "sensory": entries})
        (heel,) = [f for f in r.findings if f.target == "plantar_heel"]
        assert heel.modality == "numbness"
        assert any("both report the plantar heel" in w and "hypersensitivity" in w for w in r.warnings)


def test_two_drawings_over_one_region_are_both_counted_once():
    """Two drawings over one region were refused as a duplicate finding."""
    atlas = neuromap.load_atlas()
    x, y = atlas.template.anchor("plantar_heel", side="left")
    ring = [[x - 3, y - 3], [x + 3, y - 3], [x + 3, y + 3], [x - 3, y + 3]]
    r = neuromap.localize({"side": "left", "sensory": [
        {"drawing": {"view": "plantar", "polygon": ring}, "modality": "pain"},
        {"drawing": {"view": "plantar", "polygon": ring}, "modality": "tingling"}]})
    assert [f.modality for f in r.findings if f.target == "plantar_heel"] == ["tingling"]
    assert any("both report the plantar heel" in w for w in r.warnings)


def _entries(case: dict) -> set[str]:
    """The field of every finding a case gives."""
    out = set()
    for i, s in enumerate(case.get("sensory", ())):
        out |= {f"sensory[{i}].regions[{j}]" for j in range(len(s["regions"]))} if "regions" in s else {
            f"sensory[{i}].drawing"}
    out |= {f"motor[{i}]" for i in range(len(case.get("motor", ())))}
    out |= {f"reflexes.{name}" for name in case.get("reflexes", {})}
    out |= {f"other[{i}]" for i in range(len(case.get("other", ())))}
    return out


def _pair(draw, a):
    """Two valid cases' findings in one case (regions may repeat across entries: merged, with a warning)."""
    first, second = draw(cases(a)), draw(cases(a))
    merged = dict(first)
    merged["sensory"] = list(first["sensory"]) + [s for s in second["sensory"]]
    return merged


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_finding_given_is_accounted_for(data):
    """Scored, reported as not scored, merged with a warning that names its entry, or refused."""
    atlas = neuromap.load_atlas()
    case = _pair(data.draw, atlas)
    try:
        r = neuromap.localize(case)
    except neuromap.InvalidCaseError as err:  # refused: one line naming a field of the case
        assert "\n" not in str(err) and "Invalid value for '" in str(err)
        return
    seen = {f.field for f in r.findings} | {f.field for f in r.not_scored} | {u.field for u in r.not_understood}
    for field in _entries(case) - seen:
        entry = field.split(".", 1)[0]
        assert any(entry in w and ("both report" in w or "more specific report" in w) for w in r.warnings) or any(
            u.field.startswith(entry) for u in r.not_understood), (field, r.warnings)


def test_a_finding_not_scored_says_why():
    """Every finding is scored or reported as not scored with the reason."""
    r = neuromap.localize({"side": "left", "reflexes": {"patellar": "brisk"}, "other": ["babinski"],
                           "motor": [{"name": "hip abduction", "grade": 4}]})
    out = r.to_dict()["not_scored"]
    assert [f["target"] for f in out] == ["patellar", "babinski"]
    assert all("upper motor neuron" in f["reason"] for f in out)
    assert len(r.not_scored_reasons) == len(r.not_scored) == 2
