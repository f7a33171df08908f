"""Tests of the evidence matrix and the myotome chart (issue #20, "New figures")."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # only here, in the tests

import matplotlib.colors as mcolors  # noqa: E402
import pytest  # noqa: E402

import neuromap  # noqa: E402
from neuromap import plotting  # noqa: E402
from neuromap.datasets import ROOT_IDS  # noqa: E402
from neuromap.errors import InvalidArgumentError, InvalidTypeError  # noqa: E402
from tests.pixels import RC, compare_baseline  # noqa: E402

# the README case (left first web space numb, great toe extension and hip abduction weak), with
# both tendon reflexes examined normal so that a hypothesis predicting them involved is contradicted
CASE = {"side": "left", "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
        "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4}],
        "reflexes": {"achilles": "normal", "patellar": "normal"}}


@pytest.fixture(scope="module")
def result() -> neuromap.Localization:
    return neuromap.localize(CASE)


@pytest.fixture(scope="module")
def atlas() -> neuromap.Atlas:
    return neuromap.load_atlas()


def _hue(rgba) -> float:
    return mcolors.rgb_to_hsv(mcolors.to_rgb(rgba))[0]


def _no_text_overlaps(display) -> None:
    fig = display.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ax = display.ax
    texts = [t for t in [*ax.get_xticklabels(), *ax.get_yticklabels(), *display.labels.values(), display.title,
                         *display.legend.get_texts()] if t.get_text()]
    boxes = [t.get_window_extent(r) for t in texts]
    for i, a in enumerate(boxes):
        assert 0 <= a.x0 and a.x1 <= fig.bbox.width + 0.5 and 0 <= a.y0 and a.y1 <= fig.bbox.height + 0.5, \
            texts[i].get_text()
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())


def test_evidence_matrix_rows_columns_and_labels(result):
    d = plotting.plot_evidence_matrix(result)
    assert d.columns == tuple(h.id for h in result.hypotheses[:5])
    assert d.rows == tuple(f.field for f in result.findings)
    ticks = [t.get_text() for t in d.ax.get_yticklabels()]
    assert ticks == list(d.row_labels) and len(ticks) == len(result.findings)
    assert ticks[0] == "first web space: numbness (L)"
    assert "patellar: normal (L)" in ticks
    cols = [t.get_text() for t in d.ax.get_xticklabels()]
    assert cols[0].startswith(result.hypotheses[0].label.split()[0])
    assert len(d.patches) == len(d.rows) * len(d.columns)
    _no_text_overlaps(d)


def test_evidence_matrix_cells_follow_the_hypotheses(result):
    d = plotting.plot_evidence_matrix(result, hypotheses=["L5", "common_fibular", "L4-L5"])
    assert d.columns == ("L5", "common_fibular", "L4-L5")
    for hid in d.columns:
        h = result[hid]
        for state, items in (("explained", h.explains), ("unexplained", h.unexplained),
                             ("contradicted", h.contradicts)):
            for item in items:
                assert d.status[(item["finding"], hid)] == state
    # hip abduction: explained by L5, left unexplained by the common fibular nerve
    assert d.status[("motor[1]", "L5")] == "explained"
    assert d.status[("motor[1]", "common_fibular")] == "unexplained"
    assert d.status[("reflexes.patellar", "L4-L5")] == "contradicted"
    explained = d.patches[("motor[1]", "L5")].get_facecolor()
    contradicted = d.patches[("reflexes.patellar", "L4-L5")].get_facecolor()
    unexplained = d.patches[("motor[1]", "common_fibular")].get_facecolor()
    assert 0.55 < _hue(explained) < 0.65  # blue
    assert _hue(contradicted) < 0.08  # vermilion
    assert 0.08 < _hue(unexplained) < 0.15  # orange
    assert d.labels[("reflexes.patellar", "L4-L5")].get_text() == "✗"
    assert [t.get_text() for t in d.legend.get_texts()] == ["✓ explained", "? unexplained", "✗ contradicted"]


def test_evidence_matrix_into_given_axes_and_title(result):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4))
    ax = fig.add_axes((0.3, 0.2, 0.65, 0.6))
    d = plotting.plot_evidence_matrix(result, hypotheses=["L5"], ax=ax, title="One column")
    assert d.ax is ax and d.figure is fig
    assert d.title.get_text() == "One column" and d.title.figure is fig
    d = plotting.plot_evidence_matrix(result)
    bb = d.title.get_window_extent(d.figure.canvas.get_renderer())
    assert bb.y1 <= d.figure.bbox.height and bb.x0 >= 0


@pytest.mark.parametrize("call, error", [
    (lambda r: plotting.plot_evidence_matrix(r, hypotheses=["S3"]), InvalidArgumentError),
    (lambda r: plotting.plot_evidence_matrix(r, hypotheses=[]), InvalidArgumentError),
    (lambda r: plotting.plot_evidence_matrix(r.to_dict()), InvalidTypeError),
    (lambda r: plotting.plot_evidence_matrix(r, ax="left"), InvalidTypeError),
    (lambda r: plotting.plot_myotomes(kind="nerves"), InvalidArgumentError),
    (lambda r: plotting.plot_myotomes(ax=1), InvalidTypeError),
], ids=["unknown id", "no ids", "dict", "ax", "kind", "myotome ax"])
def test_bad_arguments(result, call, error):
    with pytest.raises(error, match="'(hypotheses|result|ax|kind)'"):
        call(result)


@pytest.mark.parametrize("kind, entity", [("movements", "movement"), ("muscles", "muscle")])
def test_myotomes_structure(atlas, kind, entity):
    d = plotting.plot_myotomes(atlas=atlas, kind=kind)
    assert d.columns == ROOT_IDS
    assert d.rows == tuple(atlas.ids(entity))
    assert [t.get_text() for t in d.ax.get_xticklabels()] == list(ROOT_IDS)
    assert len(d.ax.get_yticklabels()) == len(d.rows)
    for row in d.rows:
        weights = atlas.roots_for(row)
        for root in ROOT_IDS:
            assert d.weights[(row, root)] == pytest.approx(weights.get(root, 0.0))
            face = mcolors.to_hex(d.patches[(row, root)].get_facecolor()).upper()
            if weights.get(root, 0.0) == 1.0:
                assert face == plotting.ROOT_COLORS[root].upper()
            elif not weights.get(root):
                assert face == "#F5F5F5"
    keys = {(r, atlas.node(r)["isncsci_key"]) for r in d.rows if atlas.node(r).get("isncsci_key")}
    assert set(d.key_cells) == keys and keys
    for row, label in zip(d.rows, d.row_labels, strict=True):
        assert label.endswith("★") == bool(atlas.node(row).get("isncsci_key"))
    _no_text_overlaps(d)


def test_myotomes_key_movements_are_the_isncsci_ones(atlas):
    d = plotting.plot_myotomes(atlas=atlas)
    assert ("hip_flexion", "L2") in d.key_cells and ("ankle_plantarflexion", "S1") in d.key_cells
    assert ("ankle_dorsiflexion", "L4") in d.key_cells and ("great_toe_extension", "L5") in d.key_cells
    assert d.disputed == ()
    assert [t.get_text() for t in d.legend.get_texts()] == ["★ ISNCSCI key root", "pale = minor root"]


def test_myotomes_hatch_where_sources_disagree(atlas):
    d = plotting.plot_myotomes(atlas=atlas, kind="muscles")
    for row in d.rows:
        values = [set(v["roots"]) for v in atlas.node(row).get("root_values", ())]
        doubt = set.union(*values) - set.intersection(*values) if len(values) > 1 else set()
        for root in ROOT_IDS:
            assert (d.patches[(row, root)].get_hatch() is not None) == (root in doubt), (row, root)
            assert ((row, root) in d.disputed) == (root in doubt)
    # EHL: L5/S1 in one source, L4/L5 in another; tibialis anterior: both say L4/L5
    assert ("extensor_hallucis_longus", "S1") in d.disputed and ("extensor_hallucis_longus", "L4") in d.disputed
    assert not any(r == "tibialis_anterior" for r, _ in d.disputed)
    assert "sources disagree" in [t.get_text() for t in d.legend.get_texts()]


def test_myotomes_into_given_axes(atlas):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 7))
    ax = fig.add_axes((0.35, 0.1, 0.6, 0.75))
    d = plotting.plot_myotomes(atlas=atlas, ax=ax, title="Myotomes")
    assert d.ax is ax and d.title.get_text() == "Myotomes" and d.title.figure is fig


# --------------------------------------------------------------------------- pixels


def test_baseline_evidence_matrix(result, tmp_path):
    with matplotlib.rc_context(RC):
        compare_baseline(plotting.plot_evidence_matrix(result), "evidence_matrix.png", tmp_path)


def test_baseline_myotomes(atlas, tmp_path):
    with matplotlib.rc_context(RC):
        compare_baseline(plotting.plot_myotomes(atlas=atlas, kind="muscles"), "myotomes.png", tmp_path)
