"""A case given as any read-only mapping reads exactly as the same case given as plain dicts and lists."""

from __future__ import annotations

import types

import pytest

import neuromap
from neuromap.errors import InvalidCaseError, UnknownNameError
from neuromap.inference.case import Limits, parse_case

CASE = {
    "side": "left",
    "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"},
                {"regions": ["medial malleolus"], "state": "normal"}],
    "motor": [{"name": "ankle dorsiflexion", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
    "reflexes": {"achilles": "normal", "patellar": "normal"},
}


def _proxy(case: dict) -> types.MappingProxyType:
    """The same case with every mapping a read-only proxy and every list a tuple."""
    return types.MappingProxyType({
        **case,
        "sensory": tuple(types.MappingProxyType({**s, "regions": tuple(s["regions"])}) for s in case["sensory"]),
        "motor": tuple(types.MappingProxyType(m) for m in case["motor"]),
        "reflexes": types.MappingProxyType(case["reflexes"])})


@pytest.mark.parametrize("side", ["left", "right", "bilateral"])
def test_mappings_read_as_dicts(side: str) -> None:
    atlas = neuromap.load_atlas()
    case = {**CASE, "side": side}
    first = parse_case(case, atlas)
    assert parse_case(case, atlas) == first  # names read before
    assert parse_case(_proxy(case), atlas) == first


def test_a_name_read_before_is_still_checked() -> None:
    atlas = neuromap.load_atlas()
    parse_case(CASE, atlas)
    with pytest.raises(InvalidCaseError, match=r"motor\[0\]\.name"):
        parse_case({"side": "left", "motor": [{"name": "ankle dorsiflexion", "grade": 4}]}, atlas,
                   limits=Limits(max_text_length=5))
    with pytest.raises(InvalidCaseError, match="reflexes.achilles"):
        parse_case({"side": "left", "reflexes": {"achilles": "normal"}}, atlas, limits=Limits(max_text_length=5))
    with pytest.raises(UnknownNameError):
        parse_case({**CASE, "motor": [{"name": "ankle dorsiflexon wrong", "grade": 4}]}, atlas, strict=True)
    with pytest.raises(InvalidCaseError, match="duplicate finding"):
        parse_case({"side": "left", "reflexes": {"achilles": "normal", "ankle jerk": "normal"}}, atlas, strict=True)
    with pytest.raises(InvalidCaseError, match="both abnormal and normal"):
        parse_case({"side": "left", "reflexes": {"achilles": "absent", "ankle jerk": "normal"}}, atlas, strict=True)
    with pytest.raises(InvalidCaseError, match="unknown key"):
        parse_case({**CASE, "motor": [{"name": "hip abduction", "grade": 4, "sid": "left"}]}, atlas)
    with pytest.raises(InvalidCaseError, match="required"):
        parse_case({**CASE, "motor": [{"name": "hip abduction"}]}, atlas)
    with pytest.raises(InvalidCaseError, match="unknown key"):
        parse_case({**CASE, "sensory": [{"regions": ["hallux"], "modalty": "pain"}]}, atlas)
    with pytest.raises(InvalidCaseError, match="side"):
        parse_case({**CASE, "side": "middle"}, atlas)
    assert parse_case({**CASE, "side": "Left"}, atlas).side == "left"
