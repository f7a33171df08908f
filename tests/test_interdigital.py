"""The plantar toe halves and the common plantar digital (interdigital) nerves (issue 17).

Each toe's plantar skin is a medial and a lateral half; a common plantar digital nerve supplies
the facing halves of the two toes at its interspace, so Morton's neuroma is a nerve of its own.
Through the public API only.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # only here, in the tests

import matplotlib.colors as mcolors  # noqa: E402
import pytest  # noqa: E402

import neuromap  # noqa: E402
from neuromap import plotting  # noqa: E402
from neuromap.errors import UnknownNameError  # noqa: E402

ATLAS = neuromap.load_atlas()
TOES = ("hallux", "second_toe", "third_toe", "fourth_toe", "little_toe")
#: interspace -> (its nerve, the parent it leaves, the lateral half of the toe before it, the medial half after)
INTERSPACES = {
    1: ("first_common_plantar_digital", "medial_plantar", "hallux_plantar_lateral", "second_toe_plantar_medial"),
    2: ("second_common_plantar_digital", "medial_plantar", "second_toe_plantar_lateral", "third_toe_plantar_medial"),
    3: ("third_common_plantar_digital", "medial_plantar", "third_toe_plantar_lateral", "fourth_toe_plantar_medial"),
    4: ("fourth_common_plantar_digital", "lateral_plantar", "fourth_toe_plantar_lateral", "little_toe_plantar_medial"),
}


def _numb(*regions: str, side: str = "right") -> neuromap.Localization:
    return neuromap.localize({"side": side, "sensory": [{"regions": list(regions), "modality": "numbness"}]})


# ------------------------------------------------------------------------------ the halves
@pytest.mark.parametrize("toe", TOES)
def test_a_whole_plantar_toe_still_reads_as_both_halves(toe):
    halves = (f"{toe}_plantar_medial", f"{toe}_plantar_lateral")
    assert ATLAS.resolve(f"{toe}_plantar").kind == "group"
    assert set(ATLAS.regions_of(f"{toe}_plantar")) == set(halves)
    assert set(halves) <= set(ATLAS.regions_of(toe))  # the whole toe, dorsal and plantar
    for layer in ATLAS.dermatome_maps:
        assert ATLAS.dermatome(halves[0], layer) == ATLAS.dermatome(halves[1], layer), (toe, layer)


@pytest.mark.parametrize("toe", TOES)
def test_the_halves_of_a_toe_named_together_carry_the_share_of_the_whole(toe):
    """Splitting a region into parts changes no evidence share: named whole, the two halves share
    the one region's share, as the toe's dorsal region (never split) shows beside them."""
    for names in ([toe], [f"{toe}_plantar", "first_web_space"], [f"{toe}_plantar", "heel", "ankle"]):
        found = _numb(*names).findings
        share = {f.target: f.share for f in found}
        whole = next(iter(share.values())) if len(names) == 1 else share[ATLAS.regions_of(names[1])[0]]
        assert share[f"{toe}_plantar_medial"] == share[f"{toe}_plantar_lateral"] == whole / 2, names
    alone = {f.target: f.share for f in _numb(f"{toe}_plantar_lateral").findings}
    assert alone == {f"{toe}_plantar_lateral": 1.0}  # a part named on its own is the whole finding


def test_old_names_of_the_plantar_toes_resolve_to_their_halves():
    assert set(ATLAS.regions_of("underside of my big toe")) == {"hallux_plantar_medial", "hallux_plantar_lateral"}
    assert set(ATLAS.regions_of("5th toe plantar")) == {"little_toe_plantar_medial", "little_toe_plantar_lateral"}
    assert ATLAS.resolve("FMA:38113").id == "third_toe_plantar"  # skin of the plantar third toe: the whole toe


# ------------------------------------------------------------------------------ the nerves
@pytest.mark.parametrize("space", sorted(INTERSPACES))
def test_each_interdigital_nerve_supplies_the_facing_halves_of_its_interspace(space):
    nerve, parent, before, after = INTERSPACES[space]
    assert set(ATLAS[nerve].regions()) == {before, after}
    assert {before, after} <= set(ATLAS[parent].regions())
    nth = ("first", "second", "third", "fourth")[space - 1]
    assert ATLAS.resolve(f"interdigital nerve of the {nth} interspace").id == nerve


def test_the_plantar_nerves_split_the_fourth_toe():
    medial, lateral = set(ATLAS["medial_plantar"].regions()), set(ATLAS["lateral_plantar"].regions())
    assert {"fourth_toe_plantar_medial", "hallux_plantar_medial"} <= medial
    assert {"fourth_toe_plantar_lateral", "little_toe_plantar_medial", "little_toe_plantar_lateral"} <= lateral
    assert not {r for r in medial & lateral if "toe" in r or "hallux" in r}


@pytest.mark.parametrize("space", sorted(INTERSPACES))
def test_numb_facing_halves_point_to_the_nerve_of_that_interspace(space):
    nerve, parent, before, after = INTERSPACES[space]
    result = _numb(before, after)
    assert result.hypotheses[0].id == nerve
    assert result.rank(parent) > 1


def test_the_second_and_third_interspace_nerves_are_told_apart_by_the_numb_halves():
    second = _numb("second_toe_plantar_lateral", "third_toe_plantar_medial")
    third = _numb("third_toe_plantar_lateral", "fourth_toe_plantar_medial")
    assert second.hypotheses[0].id == "second_common_plantar_digital"
    assert third.hypotheses[0].id == "third_common_plantar_digital"
    # the other interspace's nerve explains nothing of it: it is ranked lower or not listed at all
    assert (second.rank("third_common_plantar_digital") or 99) > second.rank("second_common_plantar_digital")
    assert (third.rank("second_common_plantar_digital") or 99) > third.rank("third_common_plantar_digital")
    # the third toe is split between them: its medial half goes with the second nerve, its lateral with the third
    assert _numb("third_toe_plantar_medial").hypotheses[0].id == "second_common_plantar_digital"
    assert _numb("third_toe_plantar_lateral").hypotheses[0].id == "third_common_plantar_digital"


def test_all_the_medial_plantar_toes_numb_is_the_medial_plantar_nerve_not_a_digital_branch():
    result = _numb("hallux plantar", "second toe plantar", "third toe plantar", "fourth_toe_plantar_medial",
                   "medial sole", "ball_medial")
    assert result.hypotheses[0].id in ("medial_plantar", "tibial")
    assert not result.hypotheses[0].id.endswith("common_plantar_digital")


# ------------------------------------------------------------------------------ the names
@pytest.mark.parametrize(("text", "regions"), [
    ("third web space", {"third_toe_plantar_lateral", "fourth_toe_plantar_medial"}),
    ("3rd interspace", {"third_toe_plantar_lateral", "fourth_toe_plantar_medial"}),
    ("between the third and fourth toes", {"third_toe_plantar_lateral", "fourth_toe_plantar_medial"}),
    ("between the 2nd and 3rd toes", {"second_toe_plantar_lateral", "third_toe_plantar_medial"}),
    ("fourth intermetatarsal space", {"fourth_toe_plantar_lateral", "little_toe_plantar_medial"}),
])
def test_interspace_names_are_the_facing_halves(text, regions):
    assert set(ATLAS.regions_of(text)) == regions


def test_first_web_space_keeps_its_dorsal_meaning():
    # the deep fibular nerve's first dorsal web space, not the plantar first interspace
    assert ATLAS.regions_of("first web space") == ("first_web_space",)


@pytest.mark.parametrize("text", ["Morton's neuroma", "morton neuroma", "Mortons neuroma"])
def test_mortons_neuroma_names_the_third_interspace_nerve(text):
    assert ATLAS.resolve(text).id == "third_common_plantar_digital"


def test_an_interdigital_nerve_without_its_interspace_is_not_guessed():
    with pytest.raises(UnknownNameError, match="interdigital nerve"):
        ATLAS.resolve("interdigital nerve")
    with pytest.raises(UnknownNameError):
        ATLAS.resolve("interdigital neuroma")


# ------------------------------------------------------------------------------ the figures
@pytest.mark.parametrize("side", ["right", "left"])
def test_the_halves_are_drawn_in_their_digital_nerves_colours(side):
    d = plotting.plot_nerve_territories(ATLAS, side=side, labels=False)
    for nerve, _, before, after in INTERSPACES.values():
        for region in (before, after):
            assert mcolors.to_hex(d.patches[region].get_facecolor()).upper() == d.colors[nerve].upper(), region
    assert len(set(d.colors.values())) == len(d.colors)


def test_a_case_figure_draws_the_numb_halves():
    result = _numb("third web space", side="left")
    d = plotting.plot_localization(result)
    drawn = {key[-1] for key in d.patches}
    assert {"third_toe_plantar_lateral", "fourth_toe_plantar_medial", "third_toe_plantar_medial"} <= drawn
