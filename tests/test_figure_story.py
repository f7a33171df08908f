"""The case figure tells the case's story: the body its findings are on, the alternatives that differ,
text that stays inside the figure and off other text (issue #20)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import neuromap  # noqa: E402
from neuromap import plotting  # noqa: E402
from neuromap.errors import InvalidArgumentError, InvalidTypeError  # noqa: E402
from neuromap.geometry import FOOT_VIEWS  # noqa: E402

CASES = Path(__file__).parent / "cases"
EXAMPLE = Path(__file__).parent.parent / "docs" / "examples" / "l5_radiculopathy.json"


def _limb_case(case_id: str) -> dict:
    """A cited case of tests/cases/limb.json (each carries its source)."""
    return next(c["case"] for c in json.loads((CASES / "limb.json").read_text())["cases"] if c["id"] == case_id)


@pytest.fixture(scope="module")
def femoral() -> neuromap.Localization:
    return neuromap.localize(_limb_case("limb_femoral_anterior_thigh_adduction_normal"))


@pytest.fixture(scope="module")
def readme() -> neuromap.Localization:
    return neuromap.localize(json.loads(EXAMPLE.read_text()))


def _texts(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    out = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    return [(t, t.get_window_extent(r)) for t in out], fig.bbox


# ------------------------------------------------------------------ the layout follows the findings
def test_a_thigh_case_is_drawn_on_the_limb(femoral):
    d = femoral.plot()
    assert d.layout == "limb"
    assert {"anterior", "posterior"} <= {k[2] for k in d.axes}
    # the reported thigh regions are drawn (hatched) in the figure
    assert {"anterior_thigh_proximal", "anterior_thigh_distal"} <= {k[2] for k in d.symptom_patches}


def test_a_foot_case_is_drawn_on_the_foot(readme):
    d = readme.plot()
    assert d.layout == "foot"
    assert {k[2] for k in d.axes} == set(FOOT_VIEWS)


def test_a_saddle_case_is_drawn_on_the_saddle():
    d = neuromap.localize(_limb_case("limb_saddle_numbness_cauda_equina")).plot()
    assert d.layout == "saddle"
    assert "saddle" in {k[2] for k in d.axes}
    assert d.red_flag_texts


def test_atlas_figures_take_the_saddle_layout(atlas):
    d = plotting.plot_dermatomes(atlas, layout="saddle")
    assert list(d.axes) == ["saddle", "plantar", "dorsal"]
    assert d.title.get_text().startswith("Dermatomes of the right saddle and foot")
    # the saddle is cut at the midline: its outline draws in full, unclipped
    assert all(not c.get_clip_on() for c in d.axes["saddle"].collections)


def test_layout_overrides_the_choice(femoral):
    assert femoral.plot(layout="foot").layout == "foot"
    with pytest.raises(InvalidArgumentError, match="'layout'"):
        femoral.plot(layout="arm")


# ------------------------------------------------------------------ which hypotheses are drawn
def test_caller_chooses_the_hypotheses(readme):
    d = readme.plot(hypotheses=["L5", "common fibular"])
    assert list(d.annotations) == ["L5", "common_fibular"]
    rank = readme.rank("common_fibular")
    assert d.annotations["common_fibular"].get_text().startswith(f"{rank}. ")
    with pytest.raises(InvalidArgumentError, match="Did you mean 'L5'"):
        readme.plot(hypotheses=["L6"])
    with pytest.raises(InvalidArgumentError, match="either 'top' or 'hypotheses'"):
        readme.plot(top=2, hypotheses=["L5"])


def test_default_rows_are_not_near_copies(readme, atlas):
    from neuromap.plotting.case import territory_regions

    d = readme.plot()
    drawn = list(d.hypotheses)
    assert drawn[0] is readme.top
    m = readme.dermatome_map["id"]
    terr = [territory_regions(atlas, h, m) for h in drawn]
    for i in range(len(terr)):
        for j in range(i):
            keys = set(terr[i]) | set(terr[j])
            same = sum(min(terr[i].get(k, 0), terr[j].get(k, 0)) for k in keys)
            union = sum(max(terr[i].get(k, 0), terr[j].get(k, 0)) for k in keys)
            assert 1 - same / union >= 0.2, (drawn[i].id, drawn[j].id)
    # the README promises L5 against the common fibular nerve: both are drawn
    assert {"L5", "common_fibular"} <= {h.id for h in drawn}


# ------------------------------------------------------------------ text inside the figure, off other text
@pytest.mark.parametrize("make", [
    lambda r, f: r.plot(),
    lambda r, f: f.plot(),
    lambda r, f: plotting.plot_dermatomes(views="dorsal"),
    lambda r, f: plotting.plot_dermatomes(views="saddle"),
    lambda r, f: plotting.plot_dermatomes(layout="limb"),
    lambda r, f: plotting.plot_nerve_territories(layout="limb"),
    lambda r, f: plotting.plot_pathway("S1", ["lateral_border", "gastrocnemius", "achilles"]),
    lambda r, f: plotting.plot_pathway("L3", ["anterior_thigh_distal", "quadriceps", "patellar", "hip_adductors"]),
    lambda r, f: plotting.plot_map_comparison(),
    lambda r, f: plotting.plot_dermatomes(layout="saddle"),
], ids=["foot case", "limb case", "single view", "saddle view", "limb", "limb nerves", "pathway tree", "long title",
        "comparison", "saddle layout"])
def test_titles_inside_and_no_text_overlaps(readme, femoral, make):
    d = make(readme, femoral)
    texts, fig_box = _texts(d.figure)
    for t, bb in texts:
        assert bb.x0 >= fig_box.x0 - 1 and bb.x1 <= fig_box.x1 + 1, f"{t.get_text()!r} leaves the figure"
        assert bb.y0 >= fig_box.y0 - 1 and bb.y1 <= fig_box.y1 + 1, f"{t.get_text()!r} leaves the figure"
    own = set(d.legend.get_texts()) | {d.legend.get_title()} if d.legend is not None else set()
    headers = [(t, bb) for t, bb in texts if t.axes is None and t not in own]  # titles, rows, notes
    for i, (t1, b1) in enumerate(headers):
        for t2, b2 in headers[:i]:
            assert not b1.overlaps(b2), f"{t1.get_text()!r} overlaps {t2.get_text()!r}"
    if d.legend is not None:
        lb = d.legend.get_window_extent()
        for t, bb in headers:
            assert not lb.overlaps(bb), f"the legend covers {t.get_text()!r}"


def test_rows_do_not_run_into_the_next_row_title(femoral):
    d = femoral.plot(top=3)
    r = d.figure.canvas.get_renderer()
    d.figure.canvas.draw()
    rows = list(d.annotations.values())
    for hid, txt in list(d.annotations.items())[1:]:
        y0 = txt.get_window_extent(r).y0
        above = [ax for k, ax in d.axes.items() if k[0] != hid and ax.get_window_extent(r).y0 > y0 - 1]
        for ax in above:  # the rows above end above this row's title
            assert ax.get_window_extent(r).y0 >= txt.get_window_extent(r).y1 - 0.5
    assert len(rows) >= 2


# ------------------------------------------------------------------ conventions
def test_pathway_boxes_never_take_a_root_colour_for_another_kind(atlas):
    d = plotting.plot_pathway("L3", ["anterior_thigh_distal", "quadriceps", "patellar", "hip_adductors"], atlas=atlas)
    roots = {c.upper() for c in plotting.ROOT_COLORS.values()}
    for node, box in d.patches.items():
        color = matplotlib.colors.to_hex(box.get_facecolor()).upper()
        if atlas.node(node)["kind"] == "root":
            assert color == plotting.ROOT_COLORS[node].upper()
        else:
            assert color not in roots, node


def test_wrong_fig_or_ax_is_a_neuromap_type_error(readme):
    fig = Figure()
    ax = fig.add_subplot()
    with pytest.raises(InvalidTypeError, match="'fig'"):
        readme.plot(fig=ax)
    with pytest.raises(InvalidTypeError, match="'ax'"):
        plotting.plot_pathway("S1", "achilles", ax=fig)


def test_results_iterate_and_convert_to_a_frame(readme):
    assert [h.id for h in readme] == [h.id for h in readme.hypotheses]
    frame = readme.to_frame()
    assert list(frame.index) == list(range(1, len(readme.hypotheses) + 1))
    assert frame.loc[1, "id"] == readme.top.id
    assert frame.loc[1, "score"] == pytest.approx(readme.top.score)
    assert frame["explains"].tolist() == [len(h.explains) for h in readme]


# ------------------------------------------------------------------ the command line
def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "neuromap", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_render_layout_dpi_and_hypotheses(tmp_path):
    from PIL import Image

    out = tmp_path / "case.png"
    p = _cli("render", str(EXAMPLE), "--hypotheses", "L5,common_fibular", "--layout", "limb", "--dpi", "50",
             "-o", str(out))
    assert p.returncode == 0, p.stderr
    small = Image.open(out).size
    p = _cli("render", str(EXAMPLE), "--hypotheses", "L5,common_fibular", "--layout", "limb", "--dpi", "100",
             "-o", str(out))
    assert p.returncode == 0, p.stderr
    big = Image.open(out).size
    assert abs(big[0] - 2 * small[0]) <= 2
    p = _cli("render", str(EXAMPLE), "--hypotheses", "L6", "-o", str(out))
    assert p.returncode == 2 and "Did you mean 'L5'" in p.stderr


def test_regions_wrap_to_the_terminal():
    p = _cli("regions", env={"COLUMNS": "80"})
    assert p.returncode == 0
    assert max(len(line) for line in p.stdout.splitlines()) <= 80
    assert "first_web_space" in p.stdout
    data = json.loads(_cli("regions", "--json").stdout)
    assert any(e["id"] == "first_web_space" for e in data)


def test_export_to_stdout_writes_no_file(tmp_path):
    p = subprocess.run([sys.executable, "-m", "neuromap", "export", "--format", "node-link", "-o", "-"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert p.returncode == 0
    assert json.loads(p.stdout)["directed"] is True
    assert not (tmp_path / "-").exists()


def test_atlas_command_takes_layout_and_dpi(tmp_path):
    from PIL import Image

    out = tmp_path / "limb.png"
    p = _cli("atlas", "--layout", "limb", "--dpi", "40", "-o", str(out))
    assert p.returncode == 0, p.stderr
    w, h = Image.open(out).size
    assert h > w  # the limb stands: taller than wide, unlike the four foot views
    p = _cli("atlas", "--layout", "arm", "-o", str(out))
    assert p.returncode == 2 and "--layout" in p.stderr
