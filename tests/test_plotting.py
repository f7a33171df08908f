"""Tests of neuromap.plotting: structure first, two pixel baselines pinned to one matplotlib."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # only here, in the tests

import matplotlib.colors as mcolors  # noqa: E402
import pytest  # noqa: E402

import neuromap  # noqa: E402
from neuromap import plotting  # noqa: E402
from neuromap.datasets import ROOT_IDS  # noqa: E402
from neuromap.errors import InvalidArgumentError, InvalidTypeError  # noqa: E402
from neuromap.geometry import VIEWS  # noqa: E402
from tests.pixels import RC, compare_baseline  # noqa: E402


def FOOT_REGIONS(atlas):  # noqa: N802 - the regions the default (foot) figures draw
    return [r for v in VIEWS for r in atlas.template.regions(v)]

HERE = Path(__file__).parent
CASES = HERE / "cases"


def _case(file: str, index: int) -> dict:
    return json.loads((CASES / file).read_text())["cases"][index]["case"]


@pytest.fixture(scope="module")
def atlas() -> neuromap.Atlas:
    return neuromap.load_atlas()


@pytest.fixture(scope="module")
def l5_result() -> neuromap.Localization:
    return neuromap.localize(_case("roots.json", 1))


@pytest.fixture(scope="module")
def ces_result() -> neuromap.Localization:
    return neuromap.localize(_case("cauda_equina.json", 0))


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch):
    """Every test: plt.show is never called and rcParams are unchanged afterwards."""
    import matplotlib.pyplot as plt

    def boom(*a, **k):
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", boom)
    before = copy.deepcopy(dict(matplotlib.rcParams))
    yield
    after = dict(matplotlib.rcParams)
    changed = {k for k in before if before[k] != after[k]}
    assert not changed, f"rcParams changed: {sorted(changed)}"


def _hex(rgba) -> str:
    return mcolors.to_hex(rgba).upper()


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize("side", ["right", "left"])
def test_dermatomes_structure(atlas, side):
    d = plotting.plot_dermatomes(atlas, side=side)
    assert set(d.axes) == set(VIEWS)
    for v in VIEWS:
        regions = atlas.template.regions(v)
        in_view = [r for r, p in d.patches.items() if p.view == v]
        assert sorted(in_view) == sorted(regions)
        assert len(d.axes[v].collections[0].get_paths()) == len(regions)
    # the face of a region is the colour of its first root in the layer
    m = atlas.default_dermatome_map
    for r, p in d.patches.items():
        roots = atlas.dermatome(r, m)
        if not roots:
            assert _hex(p.get_facecolor()) == plotting.UNASSIGNED_COLOR.upper()
            continue
        primaries = [x for x, w in roots.items() if w == max(roots.values())]
        assert _hex(p.get_facecolor()) == plotting.ROOT_COLORS[primaries[0]].upper(), r
        assert (p.get_hatch() is not None) == (len(roots) > 1), r
    assert _hex(d.patches["first_web_space"].get_facecolor()) == plotting.ROOT_COLORS["L5"].upper()
    assert _hex(d.patches["plantar_heel"].get_facecolor()) == plotting.ROOT_COLORS["S1"].upper()
    assert _hex(d.patches["medial_malleolus"].get_facecolor()) == plotting.ROOT_COLORS["L4"].upper()
    labels = [t.get_text() for t in d.legend.get_texts()]
    assert labels[:3] == ["L4", "L5", "S1"]
    assert any("overlap" in x for x in labels) and any("variable" in x for x in labels)
    # every legend entry carries its colour
    for handle, text in zip(d.legend.legend_handles, d.legend.get_texts(), strict=True):
        if text.get_text() in plotting.ROOT_COLORS:
            assert _hex(handle.get_facecolor()) == plotting.ROOT_COLORS[text.get_text()].upper()
    info = atlas.dermatome_map_info(m)
    assert info["label"] in d.title.get_text() and side in d.title.get_text()
    assert d.labels["first_web_space"].get_text() == "L5"


def test_left_is_mirror_of_right(atlas):
    r = plotting.plot_dermatomes(atlas, side="right", labels=False, legend=False)
    l_ = plotting.plot_dermatomes(atlas, side="left", labels=False, legend=False)
    for reg in ("first_web_space", "lateral_heel", "plantar_heel"):
        a, b = r.patches[reg].get_xy(), l_.patches[reg].get_xy()
        assert a[:, 0].mean() == pytest.approx(-b[:, 0].mean())
        assert a[:, 1].mean() == pytest.approx(b[:, 1].mean())
    assert r.axes["dorsal"].get_xlim() == pytest.approx(tuple(-x for x in reversed(l_.axes["dorsal"].get_xlim())))


def test_color_is_fixed_across_layers(atlas):
    a = plotting.plot_dermatomes(atlas, dermatome_map="foerster_1933", labels=False)
    b = plotting.plot_dermatomes(atlas, dermatome_map="keegan_garrett_1948", labels=False)
    assert a.colors["L5"] == b.colors["L5"] == plotting.ROOT_COLORS["L5"]


def test_points_layer_draws_key_points(atlas):
    d = plotting.plot_dermatomes(atlas, dermatome_map="isncsci", side="left")
    # the default figure draws the foot views: only their key points
    key_points = [kp for kp in atlas.data.dermatomes["key_points"] if atlas.template.view_of(kp["region"]) in VIEWS]
    markers = [ln for ax in d.axes.values() for ln in ax.lines]
    assert len(markers) == len(key_points)
    assert {t.get_text() for t in d.labels.values()} == {kp["root"] for kp in key_points}
    assert {t.get_text() for t in d.legend.get_texts()} >= {"L4 key point", "L5 key point", "S1 key point"}


@pytest.mark.parametrize("side", ["right", "left"])
def test_nerve_territories(atlas, side):
    d = plotting.plot_nerve_territories(atlas, side=side)
    assert len(d.patches) == len(FOOT_REGIONS(atlas))
    assert _hex(d.patches["first_web_space"].get_facecolor()) == d.colors["deep_fibular"].upper()
    assert _hex(d.patches["lateral_heel"].get_facecolor()) == d.colors["sural"].upper()
    texts = " ".join(t.get_text() for t in d.legend.get_texts())
    assert "Deep fibular nerve" in texts and "Saphenous nerve" in texts
    assert len(set(d.colors.values())) == len(d.colors)


@pytest.mark.parametrize("side", ["right", "left"])
def test_map_comparison(atlas, side):
    d = plotting.plot_map_comparison(atlas, maps=["keegan_garrett_1948", "foerster_1933"], side=side)
    assert set(d.axes) == {(m, v) for m in ("keegan_garrett_1948", "foerster_1933", "agreement") for v in VIEWS}
    assert len(d.patches) == 3 * len(FOOT_REGIONS(atlas))
    # K&G gives the medial border to L4, Foerster-type charts to L5
    assert "medial_border" in d.disagreements
    kg = d.patches[("keegan_garrett_1948", "medial_border")]
    assert _hex(kg.get_facecolor()) == plotting.ROOT_COLORS["L4"].upper()
    assert _hex(d.patches[("foerster_1933", "medial_border")].get_facecolor()) == plotting.ROOT_COLORS["L5"].upper()
    assert "plantar_heel" not in d.disagreements
    # the footnote names the root each layer gives where they differ
    assert "Medial border of the foot: A L4, B L5" in d.footnote.get_text().replace("\n", " ")
    # the agreement column: white where both agree, darker where they differ, with k/n written
    assert d.agreement["medial_border"] == (1, 2) and d.agreement["plantar_heel"] == (2, 2)
    assert _hex(d.patches[("agreement", "plantar_heel")].get_facecolor()) == "#FFFFFF"
    assert _hex(d.patches[("agreement", "medial_border")].get_facecolor()) != "#FFFFFF"
    if ("agreement", "medial_border") in d.labels:
        assert d.labels[("agreement", "medial_border")].get_text() == "1/2"


def test_map_comparison_agreement_scale(atlas):
    d = plotting.plot_map_comparison(atlas)
    n = len([m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"])
    assert {nn for _, nn in d.agreement.values()} == {n}
    assert set(d.disagreements) == {r for r, (k, nn) in d.agreement.items() if k < nn}
    # fewer layers agreeing is darker
    shade = {}
    for r, (k, _) in d.agreement.items():
        shade.setdefault(k, set()).add(sum(d.patches[("agreement", r)].get_facecolor()[:3]))
    ks = sorted(shade)
    assert all(len(shade[k]) == 1 for k in ks)
    assert all(min(shade[a]) < min(shade[b]) for a, b in zip(ks, ks[1:], strict=False))
    labels = [t.get_text() for t in d.legend.get_texts()]
    assert f"{n} of {n} layers agree" in labels


def test_map_comparison_needs_two(atlas):
    with pytest.raises(ValueError, match="at least two"):
        plotting.plot_map_comparison(atlas, maps=["lee_2008"])


@pytest.mark.parametrize("view", VIEWS)
def test_single_view(atlas, view):
    d = plotting.plot_dermatomes(atlas, views=view, side="left")
    assert list(d.axes) == [view]
    assert len(d.patches) == len(atlas.template.regions(view))


def test_case_overlay(atlas, l5_result):
    top3 = [h.id for h in l5_result.hypotheses[:3]]
    d = l5_result.plot(hypotheses=top3)
    assert list(d.annotations) == top3
    for h in l5_result.hypotheses[:3]:
        assert h.label in d.annotations[h.id].get_text()
    assert d.footnote.get_text().count("Lee, McPhee & Stringer (2008)") == 1
    assert "decision support, not a diagnosis" in d.footnote.get_text().replace("\n", " ")
    assert not d.red_flag_texts
    # reported regions are hatched, and only they
    hatched = {k[2] for k in d.symptom_patches}
    assert hatched == {"intermediate_dorsum", "second_toe_dorsal", "third_toe_dorsal"}
    # the L5 row shades its territory; the territory outside stays blank
    assert len(d.patches) == 3 * len(FOOT_REGIONS(atlas))
    assert _hex(d.patches[("L5", "right", "first_web_space")].get_facecolor()) != "#F5F5F5"
    assert _hex(d.patches[("common_fibular", "right", "plantar_heel")].get_facecolor()) == "#F5F5F5"


def test_case_red_flag(ces_result):
    d = plotting.plot_localization(ces_result, top=2)
    assert d.red_flag_texts
    text = " ".join(t.get_text() for t in d.red_flag_texts).replace("\n", " ")
    assert "cauda equina" in text.lower()
    assert all(mcolors.to_hex(t.get_color()).upper() == "#C00000" for t in d.red_flag_texts)
    # a bilateral case draws both feet
    assert {k[1] for k in d.axes} == {"left", "right"}


@pytest.mark.parametrize("side", ["right", "left"])
def test_case_side_and_drawing(side):
    case = {"side": side, "sensory": [{"drawing": {"view": "dorsal", "polygon": [[-20, 180], [-5, 180], [-5, 200],
                                                                                  [-20, 200]]}, "modality": "pain"}]}
    if side == "left":
        case["sensory"][0]["drawing"]["polygon"] = [[-x, y] for x, y in case["sensory"][0]["drawing"]["polygon"]]
    res = neuromap.localize(case)
    d = plotting.plot_localization(res, top=1, views=("dorsal",))
    assert {k[1] for k in d.axes} == {side}
    assert any(c.get_hatch() == plotting.MODALITY_HATCH["pain"] for ax in d.axes.values() for c in ax.collections)


def test_pathway(atlas):
    d = plotting.plot_pathway("L5", "first_web_space", atlas=atlas)
    assert d.path == tuple(atlas.path("L5", "first_web_space"))
    assert [d.labels[n].get_text().split("\n(")[0].replace("\n", " ") for n in d.path] == [
        atlas.graph.nodes[n]["label"] for n in d.path]
    assert d.relations == tuple(atlas.graph.edges[u, v]["relation"] for u, v in zip(d.path, d.path[1:], strict=False))
    assert set(d.patches) == set(d.path)
    with pytest.raises(ValueError, match="does not reach"):
        plotting.plot_pathway("L1", "first_web_space", atlas=atlas)


def test_pathway_into_given_axes(atlas):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    d = plotting.plot_pathway("tibial", "abductor_hallucis", atlas=atlas, ax=ax)
    assert d.figure is fig and d.ax is ax


def test_fig_argument_and_bad_options(atlas):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5))
    d = plotting.plot_dermatomes(atlas, fig=fig)
    assert d.figure is fig
    with pytest.raises(ValueError, match="Invalid value for 'side'"):
        plotting.plot_dermatomes(atlas, side="middle")
    with pytest.raises(ValueError, match="Invalid value for 'views'"):
        plotting.plot_nerve_territories(atlas, views=("top",))


def test_display_is_read_only_and_saves(atlas, tmp_path):
    d = plotting.plot_dermatomes(atlas, views=("plantar",))
    with pytest.raises(AttributeError):
        d.figure = None
    for ext in ("png", "svg", "pdf"):
        d.savefig(tmp_path / f"x.{ext}")
        assert (tmp_path / f"x.{ext}").stat().st_size > 1000
    assert d._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    # a RegionPatch changes the figure
    d.patches["plantar_heel"].set_facecolor("red")
    assert _hex(d.patches["plantar_heel"].get_facecolor()) == "#FF0000"


# --------------------------------------------------------------------------- labels
def _label_boxes(display):
    return {k: t.get_window_extent() for k, t in display.labels.items()}


@pytest.mark.parametrize("maker", ["dermatomes", "dermatomes_left", "nerves", "comparison", "isncsci"])
def test_labels_do_not_collide_and_stay_on_the_foot(atlas, maker):
    import shapely

    d = {"dermatomes": lambda: plotting.plot_dermatomes(atlas),
         "dermatomes_left": lambda: plotting.plot_dermatomes(atlas, side="left"),
         "nerves": lambda: plotting.plot_nerve_territories(atlas),
         "comparison": lambda: plotting.plot_map_comparison(atlas),
         "isncsci": lambda: plotting.plot_dermatomes(atlas, dermatome_map="isncsci")}[maker]()
    d.figure.draw_without_rendering()
    boxes = _label_boxes(d)
    assert len(boxes) >= 3
    fig_box = d.figure.bbox
    items = list(boxes.items())
    for i, (k, b) in enumerate(items):
        assert fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 and fig_box.y0 <= b.y0 and b.y1 <= fig_box.y1, k
        for k2, b2 in items[i + 1:]:
            assert not b.overlaps(b2), (k, k2)
        # inside the outline of its view
        t = d.labels[k]
        ax = t.axes
        inv = ax.transData.inverted()
        (x0, y0), (x1, y1) = inv.transform([(b.x0, b.y0), (b.x1, b.y1)])
        view = next(v for key, a in d.axes.items() for v in [key if isinstance(key, str) else key[-1]] if a is ax)
        side = "left" if "left" in d.title.get_text() else "right"
        outline = atlas.template.outline(view, side=side)
        assert outline.contains(shapely.box(x0, y0, x1, y1)), k


def test_collision_pass_drops_what_cannot_fit(atlas):
    from matplotlib.figure import Figure

    # a tiny figure cannot hold every label: some are dropped, none collide
    d = plotting.plot_dermatomes(atlas, fig=Figure(figsize=(4, 2.2)), legend=False)
    assert d.dropped_labels
    boxes = list(_label_boxes(d).values())
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert set(d.labels).isdisjoint(d.dropped_labels)


def test_second_roots_are_drawn_in_their_colour_inside_their_regions(atlas):
    # a region a layer gives to two roots carries the second root's colour as stripes (overlap)
    # or dots (variable), drawn over that region and nowhere else
    import shapely
    from matplotlib.lines import Line2D

    d = plotting.plot_dermatomes(atlas)
    m = atlas.default_dermatome_map
    stripes, dots = plotting.GRADE_HATCH["overlap"], plotting.GRADE_HATCH["variable"]
    for r, p in d.patches.items():
        grades = atlas.dermatome_grades(r, m)
        if len(grades) < 2:
            assert p.get_hatch() is None, r
            continue
        rank = {"primary": 0, "overlap": 1, "variable": 2}
        first, second = sorted(grades, key=lambda x: (rank[grades[x]], ROOT_IDS.index(x)))[:2]
        assert _hex(p.get_facecolor()) == plotting.ROOT_COLORS[first].upper(), r
        assert _hex(p.hatch_color) == plotting.ROOT_COLORS[second].upper(), r
        assert p.get_hatch() == (dots if "variable" in grades.values() else stripes), r
        if p.get_hatch() == stripes:
            hatched = [c for c in p.axes.collections if c.get_hatch() == stripes
                       and _hex(c.get_hatchcolor()[0]) == _hex(p.hatch_color)]
            assert any(path.contains_point(atlas.template.anchor(r, side="right"))
                       for c in hatched for path in c.get_paths()), r
    for v, ax in d.axes.items():
        marks = [ln for ln in ax.get_children() if isinstance(ln, Line2D) and ln.get_marker() == "o"]
        for ln in marks:
            polys = [atlas.template.polygon(r, side="right") for r, p in d.patches.items()
                     if p.view == v and p.hatch == dots and _hex(p.hatch_color) == _hex(ln.get_markerfacecolor())]
            inside = shapely.contains_xy(shapely.union_all(polys), ln.get_xdata(), ln.get_ydata())
            assert inside.all(), v
        for r, p in d.patches.items():
            if p.view == v and p.hatch == dots:
                poly = atlas.template.polygon(r, side="right")
                assert any(_hex(ln.get_markerfacecolor()) == _hex(p.hatch_color)
                           and shapely.contains_xy(poly, ln.get_xdata(), ln.get_ydata()).any() for ln in marks), r


# --------------------------------------------------------------------------- laziness
def test_neuromap_does_not_import_matplotlib():
    code = ("import sys, neuromap; neuromap.localize({'side': 'left', 'reflexes': {'achilles': 'absent'}}); "
            "print('matplotlib' in sys.modules); import neuromap.plotting; print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=HERE.parent).stdout.split()
    assert out == ["False", "True"]


_FIGURE_WITHOUT_NETWORKX = """
import json, sys
import matplotlib
matplotlib.use("Agg")
from neuromap import plotting

kinds = [{}, {"side": "left", "layout": "limb"}, {"dermatome_map": "isncsci"},
         {"dermatome_map": "keegan_garrett_1948", "views": "plantar"}]
for kw in kinds:
    plotting.plot_dermatomes(**kw).savefig(__import__("io").BytesIO(), format="png")
by_label = plotting.plot_dermatomes(dermatome_map="Keegan & Garrett (1948)").dermatome_maps
import neuromap.atlas
atlas = neuromap.atlas.load_atlas()
print(json.dumps({"networkx": "networkx" in sys.modules, "by_label": list(by_label)}))
"""


def test_default_dermatome_figure_does_not_import_networkx():
    # plot_dermatomes() goes through the atlas, whose networkx graph is only built when asked for
    # (building it imports networkx)
    out = subprocess.run([sys.executable, "-c", _FIGURE_WITHOUT_NETWORKX], capture_output=True, text=True,
                         check=True, cwd=HERE.parent).stdout.splitlines()[-1]
    res = json.loads(out)
    assert res == {"networkx": False, "by_label": ["keegan_garrett_1948"]}


# --------------------------------------------------------------------------- pixels


def test_baseline_dermatome_map(atlas, tmp_path):
    with matplotlib.rc_context(RC):
        d = plotting.plot_dermatomes(atlas)
        compare_baseline(d, "dermatome_map.png", tmp_path)


def test_baseline_case(atlas, l5_result, tmp_path):
    with matplotlib.rc_context(RC):
        d = plotting.plot_localization(l5_result)
        compare_baseline(d, "case.png", tmp_path)


def test_baseline_limb_case(atlas, tmp_path):
    """A thigh case (cited in tests/cases/limb.json) drawn on the limb, its rows apart (issue #20)."""
    case = next(c["case"] for c in json.loads((CASES / "limb.json").read_text())["cases"]
                if c["id"] == "limb_femoral_anterior_thigh_adduction_normal")
    with matplotlib.rc_context(RC):
        d = plotting.plot_localization(neuromap.localize(case), top=2)
        compare_baseline(d, "limb_case.png", tmp_path)


# --------------------------------------------------------------------------- lower limb layout
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("layer", ["dermatomes", "nerves"])
def test_limb_layout_structure(atlas, side, layer):
    from matplotlib.patches import FancyBboxPatch

    fn = plotting.plot_dermatomes if layer == "dermatomes" else plotting.plot_nerve_territories
    d = fn(atlas, side=side, layout="limb")
    assert tuple(d.axes) == plotting.LIMB_LAYOUT_VIEWS
    for v in plotting.LIMB_LAYOUT_VIEWS:
        regions = atlas.template.regions(v)
        assert sorted(r for r, p in d.patches.items() if p.view == v) == sorted(regions)
        assert len(d.axes[v].collections[0].get_paths()) == len(regions)
    # anterior and posterior at one scale (mm per pixel), aligned on height above the ground
    def px_per_mm(v):
        ax = d.axes[v]
        ax.apply_aspect()
        return ax.get_window_extent().height / (ax.get_ylim()[1] - ax.get_ylim()[0])
    assert px_per_mm("anterior") == pytest.approx(px_per_mm("posterior"), rel=1e-3)
    assert px_per_mm("dorsal") > px_per_mm("anterior")  # the foot is enlarged in the inset
    # the inset: smaller axes than the limb's, near the foot end (low), inside a frame
    pos = {v: d.axes[v].get_position() for v in d.axes}
    for v in ("dorsal", "plantar"):
        assert pos[v].width * pos[v].height < pos["anterior"].width * pos["anterior"].height
        assert pos[v].height < pos["posterior"].height
        assert pos[v].y0 < pos["posterior"].y0 + pos["posterior"].height / 2
    assert pos["saddle"].height < pos["dorsal"].height
    frames = [a for a in d.figure.artists if isinstance(a, FancyBboxPatch)]
    assert len(frames) == 1
    fb = frames[0].get_bbox()
    for v in ("dorsal", "plantar"):
        assert fb.x0 < pos[v].x0 and pos[v].x1 < fb.x1 and fb.y0 < pos[v].y0 and pos[v].y1 < fb.y1
    for v in ("anterior", "posterior", "saddle"):
        assert not fb.overlaps(pos[v])
    assert "lower limb" in d.title.get_text() and side in d.title.get_text()


def test_limb_colors_match_the_foot(atlas):
    d = plotting.plot_dermatomes(atlas, layout="limb")
    m = atlas.default_dermatome_map
    for r in ("anterior_knee", "posterior_thigh", "medial_leg_distal", "perianal"):
        roots = atlas.dermatome(r, m)
        first = next(x for x in ROOT_IDS if roots.get(x) == max(roots.values()))
        assert _hex(d.patches[r].get_facecolor()) == plotting.ROOT_COLORS[first].upper(), r
    foot = plotting.plot_dermatomes(atlas)
    for r in foot.patches:
        if r in d.patches:
            assert _hex(d.patches[r].get_facecolor()) == _hex(foot.patches[r].get_facecolor()), r
    assert {t.get_text() for t in d.legend.get_texts()} >= {"L1", "L2", "L3", "S2", "S3"}
    # nerves: the foot's nerves keep their foot colours; every nerve a distinct colour
    n_foot = plotting.plot_nerve_territories(atlas, labels=False)
    n_limb = plotting.plot_nerve_territories(atlas, layout="limb", labels=False)
    assert all(n_limb.colors[k] == c for k, c in n_foot.colors.items())
    assert len(set(n_limb.colors.values())) == len(n_limb.colors)
    assert _hex(n_limb.patches["posterior_thigh"].get_facecolor()) == n_limb.colors[
        "posterior_femoral_cutaneous"].upper()


def test_limb_labels_do_not_collide(atlas):
    d = plotting.plot_dermatomes(atlas, layout="limb")
    boxes = list(_label_boxes(d).values())
    assert len(boxes) > 30
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    fb = d.figure.bbox
    assert all(fb.x0 <= b.x0 and b.x1 <= fb.x1 and fb.y0 <= b.y0 and b.y1 <= fb.y1 for b in boxes)


def test_limb_map_comparison(atlas):
    d = plotting.plot_map_comparison(atlas, maps=["lee_2008", "foerster_1933"], layout="limb", labels=False)
    n = sum(len(atlas.template.regions(v)) for v in plotting.LIMB_LAYOUT_VIEWS)
    assert len(d.patches) == 3 * n  # two layers and the agreement column
    assert "lower limb" in d.title.get_text()


def test_limb_case_saddle_red_flag():
    res = neuromap.localize({"side": "right", "sensory": [
        {"regions": ["perianal", "posterior_thigh"], "modality": "numbness"}]})
    d = plotting.plot_localization(res, top=2, layout="limb")
    assert {k[2] for k in d.axes} == set(plotting.LIMB_LAYOUT_VIEWS)
    assert {k[2] for k in d.symptom_patches} == {"perianal", "posterior_thigh"}
    text = " ".join(t.get_text() for t in d.red_flag_texts).replace("\n", " ")
    assert "cauda equina" in text.lower()
    assert all(_hex(t.get_color()) == "#C00000" for t in d.red_flag_texts)
    d.figure.draw_without_rendering()
    assert all(d.figure.bbox.contains(*t.get_window_extent().p1) for t in d.red_flag_texts)
    assert "lower limb" in d.title.get_text()


def test_bad_layout(atlas):
    with pytest.raises(ValueError, match="Invalid value for 'layout'"):
        plotting.plot_dermatomes(atlas, layout="arm")


# --------------------------------------------------------------------------- manners and errors
_PLOTS = {
    "dermatomes": lambda atlas, res, **kw: plotting.plot_dermatomes(atlas, views="plantar", **kw),
    "nerves": lambda atlas, res, **kw: plotting.plot_nerve_territories(atlas, views="plantar", **kw),
    "comparison": lambda atlas, res, **kw: plotting.plot_map_comparison(atlas, views="plantar", **kw),
    "case": lambda atlas, res, **kw: plotting.plot_localization(res, top=1, views="plantar", **kw),
}


@pytest.mark.parametrize("name", sorted(_PLOTS))
def test_title_and_fig_arguments(atlas, l5_result, name):
    from matplotlib.figure import Figure

    d = _PLOTS[name](atlas, l5_result)
    assert d.title.get_text()  # a default title
    fig = Figure(figsize=(7, 5))
    d = _PLOTS[name](atlas, l5_result, fig=fig, title="My title")
    assert d.figure is fig
    assert d.title.get_text() == "My title"
    assert d.title.figure is fig


def test_pathway_title(atlas):
    d = plotting.plot_pathway("S1", "achilles", atlas=atlas)
    assert d.title.get_text() == f"{atlas.node('S1')['label']} → {atlas.node('achilles')['label']}"
    assert plotting.plot_pathway("S1", "achilles", atlas=atlas, title="Ankle jerk").title.get_text() == "Ankle jerk"


@pytest.mark.parametrize("call", [
    lambda a, r: plotting.plot_dermatomes(a, side="middle"),
    lambda a, r: plotting.plot_dermatomes(a, views=()),
    lambda a, r: plotting.plot_nerve_territories(a, views=("top",)),
    lambda a, r: plotting.plot_map_comparison(a, maps=["lee_2008"]),
    lambda a, r: plotting.plot_map_comparison(a, layout="arm"),
    lambda a, r: plotting.plot_localization(r, top=0),
    lambda a, r: plotting.plot_localization(r, side="both"),
    lambda a, r: plotting.plot_pathway("L1", "first_web_space", atlas=a),
], ids=["side", "no views", "views", "maps", "layout", "top", "case side", "path"])
def test_bad_arguments_raise_invalid_argument_error(atlas, l5_result, call):
    with pytest.raises(InvalidArgumentError, match="Invalid value for '"):
        call(atlas, l5_result)


def test_case_shades_the_territory_each_hypothesis_carries(atlas, l5_result):
    import dataclasses

    from neuromap.atlas import Territory

    top = l5_result.hypotheses[0]
    assert top.territory is not None
    d = plotting.plot_localization(l5_result, top=1, views="dorsal")
    shaded = {k[2] for k, p in d.patches.items() if _hex(p.get_facecolor()) != "#F5F5F5"}
    assert shaded == {r for r, w in top.territory.regions.items() if w > 0 and r in atlas.template.regions("dorsal")}
    # the figure draws the hypothesis's own territory, whatever it is
    only = dataclasses.replace(top, territory=Territory(regions={"intermediate_dorsum": 1.0}))
    res = copy.copy(l5_result)
    res.__dict__["hypotheses"] = (only, *l5_result.hypotheses[1:])
    d = plotting.plot_localization(res, top=1, views="dorsal")
    assert {k[2] for k, p in d.patches.items() if _hex(p.get_facecolor()) != "#F5F5F5"} == {"intermediate_dorsum"}


@pytest.mark.parametrize("hid", ["L5", "deep_fibular"])
def test_case_without_territory_falls_back_to_the_atlas(atlas, hid):
    import dataclasses

    res = neuromap.localize(_case("roots.json", 1))
    h = res[hid]
    expected = (atlas.regions_for(hid, dermatome_map=res.dermatome_map["id"]) if h.kind == "root"
                else atlas.nerve_territory(h.nerve, h.site).regions)
    res.__dict__["hypotheses"] = (dataclasses.replace(h, territory=None),)
    d = plotting.plot_localization(res, top=1, views="dorsal")
    shaded = {k[2] for k, p in d.patches.items() if _hex(p.get_facecolor()) != "#F5F5F5"}
    assert shaded == {r for r, w in expected.items() if w > 0 and r in atlas.template.regions("dorsal")}


def test_pathway_tree_to_a_region_a_muscle_and_a_reflex(atlas):
    targets = ["lateral_border", "gastrocnemius", "achilles"]
    d = plotting.plot_pathway("S1", targets, atlas=atlas)
    assert [p[-1] for p in d.paths] == targets
    assert all(p == tuple(atlas.path("S1", t)) for p, t in zip(d.paths, targets, strict=True))
    # the shared start is drawn once: one box per node
    assert set(d.patches) == {n for p in d.paths for n in p}


def test_pathway_root_box_has_the_root_colour(atlas):
    d = plotting.plot_pathway("S1", "achilles", atlas=atlas)
    assert _hex(d.patches["S1"].get_facecolor()) == plotting.ROOT_COLORS["S1"].upper()
    assert _hex(plotting.plot_pathway("L5", "first_web_space").patches["L5"].get_facecolor()) == \
        plotting.ROOT_COLORS["L5"].upper()


def test_pathway_atlas_is_a_keyword(atlas):
    with pytest.raises(InvalidTypeError, match="atlas=atlas"):
        plotting.plot_pathway(atlas, "first_web_space")
