"""The atlas: loading, invariants, queries with paths, names, export, and cited spot checks."""

from __future__ import annotations

import json
from collections.abc import Mapping

import networkx as nx
import pytest

import neuromap
from neuromap.datasets import ROOT_IDS
from neuromap.geometry import FOOT_VIEWS

NERVES = ["femoral", "saphenous", "obturator", "lateral_femoral_cutaneous", "posterior_femoral_cutaneous", "sciatic",
          "tibial", "common_fibular", "superficial_fibular", "medial_dorsal_cutaneous",
          "intermediate_dorsal_cutaneous", "deep_fibular", "sural", "lateral_dorsal_cutaneous",
          "medial_sural_cutaneous", "lateral_sural_cutaneous", "medial_plantar", "lateral_plantar",
          "medial_calcaneal", "superior_gluteal", "inferior_gluteal", "pudendal"]
MOVEMENTS = ["hip_flexion", "hip_adduction", "hip_abduction", "hip_extension", "knee_extension", "knee_flexion",
             "ankle_dorsiflexion", "great_toe_extension", "toe_extension", "foot_eversion", "foot_inversion",
             "ankle_plantarflexion", "toe_flexion", "toe_abduction"]


def test_load_is_cached_and_frozen(atlas):
    assert neuromap.load_atlas() is atlas
    with pytest.raises(nx.NetworkXError):
        atlas.graph.add_node("x")
    with pytest.raises(TypeError):
        atlas.graph.nodes["L5"]["label"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        atlas.graph.edges["L5", "hallux_dorsal"]["maps"]["lee_2008"] = "overlap"  # type: ignore[index]


def test_node_kinds_and_ids(atlas):
    g = atlas.graph
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == {"root", "plexus", "nerve", "muscle", "movement", "reflex", "region"}
    assert [n for n, k in g.nodes(data="kind") if k == "root"] == list(ROOT_IDS)
    for p in ("lumbar_plexus", "sacral_plexus", "lumbosacral_trunk"):
        assert g.nodes[p]["kind"] == "plexus"
    for n in NERVES:
        assert g.nodes[n]["kind"] == "nerve", n
    for m in MOVEMENTS:
        assert g.nodes[m]["kind"] == "movement", m
    for r in ("patellar", "achilles", "medial_hamstring", "anal_wink", "bulbocavernosus"):
        assert g.nodes[r]["kind"] == "reflex"


def test_every_fact_has_resolvable_sources(atlas):
    sources = atlas.data.sources
    for n, d in atlas.graph.nodes(data=True):
        assert d["sources"], n
        assert all(s in sources for s in d["sources"]), n
    for u, v, d in atlas.graph.edges(data=True):
        assert d["relation"], (u, v)
        assert d["sources"] and all(s in sources for s in d["sources"]), (u, v)
    for key, src in sources.items():
        assert len(src["citation"]) > 20, key


def test_graph_is_acyclic_and_roots_subset_of_parents(atlas):
    g = atlas.graph
    assert nx.is_directed_acyclic_graph(g)
    for n, d in g.nodes(data=True):
        if d["kind"] == "nerve":
            for p in g.predecessors(n):
                if g.edges[p, n]["relation"] == "branch" and g.nodes[p]["kind"] == "nerve":
                    assert set(d["roots"]) <= set(g.nodes[p]["roots"]), (n, p)


def test_every_region_has_a_nerve_and_a_root_in_every_area_map(atlas):
    area_maps = [m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"]
    assert len(area_maps) >= 3
    for region in atlas.ids("region"):
        assert atlas.nerves_for(region), region
        for m in area_maps:
            assert atlas.dermatome(region, m), (region, m)


def test_dermatome_layers_are_separate_and_default_stated(atlas):
    assert atlas.default_dermatome_map == "lee_2008"
    assert {"lee_2008", "keegan_garrett_1948", "foerster_1933", "isncsci"} <= set(atlas.dermatome_maps)
    assert atlas.data.dermatomes["default_reason"]
    # disagreements are recorded, not blended: the hallux differs between layers
    kg = atlas.dermatome("hallux_dorsal", "keegan_garrett_1948")
    lee = atlas.dermatome("hallux_dorsal", "lee_2008")
    assert "L4" in kg and "L4" not in lee and "L5" in lee


def test_isncsci_key_points(atlas):
    # ISNCSCI: L4 medial malleolus, L5 dorsum at the third MTP joint, S1 lateral heel (Rupp et al. 2021)
    assert atlas.dermatome("medial_malleolus", "isncsci") == {"L4": 1.0}
    assert atlas.dermatome("intermediate_dorsum", "isncsci") == {"L5": 1.0}
    assert atlas.dermatome("lateral_heel", "isncsci") == {"S1": 1.0}
    keys = {m: atlas.graph.nodes[m].get("isncsci_key") for m in ("tibialis_anterior", "extensor_hallucis_longus",
                                                                  "gastrocnemius", "quadriceps", "iliacus")}
    assert keys == {"tibialis_anterior": "L4", "extensor_hallucis_longus": "L5", "gastrocnemius": "S1",
                    "quadriceps": "L3", "iliacus": "L2"}


def test_sciatic_supplies_all_the_foot_but_the_saphenous_territory(atlas):
    # "The sciatic nerve innervates all of the lower leg and foot except for the area innervated by the
    # saphenous nerve" -- as a graph query on primary supply
    def primary_territory(nerve):
        return {r for r, w in atlas.nerve_territory(nerve).regions.items() if w >= 1.0}

    # on the foot (issue 9 added the thigh, leg, buttock and saddle views)
    regions = {r for r in atlas.ids("region") if atlas.template.view_of(r) in FOOT_VIEWS}
    saphenous = primary_territory("saphenous") & regions
    sciatic = primary_territory("sciatic") & regions
    assert saphenous == {"medial_malleolus", "medial_border"}
    assert sciatic == regions - saphenous
    assert not (saphenous & sciatic)


def test_spot_checks_against_sources(atlas):
    # deep fibular -> first dorsal web space, L5-dominant (StatPearls deep peroneal nerve; etoims)
    assert atlas.nerve_territory("deep_fibular").regions["first_web_space"] == 1.0
    weights = atlas.graph.nodes["deep_fibular"]["root_weights"]
    assert max(weights, key=weights.get) == "L5"
    # sural mainly S1 (Stickler 2006)
    weights = atlas.graph.nodes["sural"]["root_weights"]
    assert max(weights, key=weights.get) == "S1"
    # tibialis posterior and gluteus medius carry L5 but no fibular nerve supplies them
    for muscle in ("tibialis_posterior", "gluteus_medius"):
        assert "L5" in atlas.graph.nodes[muscle]["roots"]
        assert not {"common_fibular", "deep_fibular", "superficial_fibular"} & set(atlas.nerves_for(muscle))
    # the tibial nerve's calf branches leave above the tarsal tunnel
    assert "gastrocnemius" not in atlas.nerve_territory("tibial", "tarsal_tunnel").muscles
    assert "gastrocnemius" in atlas.nerve_territory("tibial", "popliteal_fossa").muscles
    # the deep fibular nerve's leg muscles leave above the ankle
    assert set(atlas.nerve_territory("deep_fibular", "ankle").muscles) == {"extensor_digitorum_brevis"}
    # the medial calcaneal nerve may arise above the tunnel: a documented variant lowers its weight there
    assert atlas.nerve_territory("tibial", "tarsal_tunnel").regions["plantar_heel"] < 1.0


def test_paths_run_through_the_graph(atlas):
    path = atlas.path("L5", "first_web_space")
    assert path == ["L5", "lumbosacral_trunk", "sacral_plexus", "sciatic", "common_fibular", "deep_fibular",
                    "first_web_space"]
    assert nx.is_path(atlas.graph, path)
    assert atlas.path("L4", "medial_malleolus") == ["L4", "lumbar_plexus", "femoral", "saphenous",
                                                   "medial_malleolus"]
    assert atlas.path("S1", "gastrocnemius")[-2:] == ["tibial", "gastrocnemius"]
    assert atlas.path("L2", "first_web_space") is None
    # every root/region pair with a path: the path exists edge by edge
    for root in ROOT_IDS:
        for region in atlas.ids("region"):
            p = atlas.path(root, region)
            if p is not None:
                assert nx.is_path(atlas.graph, p), (root, region, p)


def test_queries(atlas):
    assert atlas.roots_for("first_web_space", dermatome_map="lee_2008") == {"L5": 1.0}
    assert "tibialis_anterior" in atlas.muscles_for("deep_fibular")
    assert atlas.movements_for("superior_gluteal") == {"hip_abduction": 1.0}
    assert set(atlas.regions_for("L5", dermatome_map="lee_2008")) >= {"first_web_space", "hallux_dorsal"}
    assert atlas["L5"].kind == "root"
    assert "gluteus_medius" in atlas["L5"].muscles()
    assert "deep_fibular" in atlas["L5"].nerves()


@pytest.mark.parametrize("text,expected", [
    ("common peroneal nerve", "common_fibular"),
    ("Common-Fibular", "common_fibular"),
    ("deep peroneal", "deep_fibular"),
    ("big toe", "hallux"),
    ("first web space", "first_web_space"),
    ("1st web space", "first_web_space"),
    ("ankle jerk", "achilles"),
    ("knee jerk", "patellar"),
    ("saddle anesthesia", "saddle_anaesthesia"),
    ("peroneus longus", "fibularis_longus"),
    ("Baxter's nerve", "inferior_calcaneal"),
    ("l5", "L5"),
])
def test_resolve_forgives_case_spacing_and_spelling(atlas, text, expected):
    assert atlas.resolve(text).id == expected


def test_resolve_unknown_name_suggests_closest(atlas):
    with pytest.raises(neuromap.UnknownNameError) as info:
        atlas.resolve("frist web spase")
    msg = str(info.value)
    assert "\n" not in msg and "first" in msg.lower()
    assert isinstance(info.value, KeyError) and isinstance(info.value, neuromap.NeuromapError)
    with pytest.raises(neuromap.UnknownNameError, match="kind"):
        atlas.resolve("heel", kind="bone")


def test_export_node_link_and_graphml(atlas, tmp_path):
    data = atlas.to_node_link()
    text = json.dumps(data)
    g = nx.node_link_graph(json.loads(text), edges="links")
    assert g.number_of_nodes() == atlas.graph.number_of_nodes()
    assert g.number_of_edges() == atlas.graph.number_of_edges()
    path = tmp_path / "atlas.graphml"
    atlas.write_graphml(path)
    back = nx.read_graphml(path)
    assert back.number_of_edges() == atlas.graph.number_of_edges()
    assert json.loads(back.nodes["L5"]["aliases"])
    copy = atlas.copy_graph()
    copy.add_node("experiment")
    assert "experiment" not in atlas.graph


def test_summary_counts(atlas):
    s = atlas.summary()
    assert s["roots"] == 10 and s["regions"] == 64 and s["nerves"] >= 22 and s["muscles"] >= 20
    assert s["dermatome_maps"] >= 4 and s["sources"] == len(atlas.data.sources)
    assert "Atlas" in repr(atlas) and "<table>" in atlas._repr_html_()


def test_territories_and_dermatomes_are_exact_unions_of_regions(atlas):
    """Every nerve territory and every dermatome of every layer is drawn as an exact union of regions."""
    import shapely

    def check(regions, side):
        by_view: dict[str, list] = {}
        for r in regions:
            by_view.setdefault(atlas.template.view_of(r), []).append(atlas.template.polygon(r, side=side))
        for view, polys in by_view.items():
            union = shapely.union_all(polys)
            assert union.is_valid
            # no overlap and no sliver: the union's area is the sum of its regions' areas
            assert abs(union.area - sum(p.area for p in polys)) < 1e-6 * union.area
            assert union.within(atlas.template.outline(view, side=side).buffer(1e-6))

    for side in ("left", "right"):
        for nerve in atlas.ids("nerve"):
            regions = [r for r, w in atlas.nerve_territory(nerve).regions.items() if w >= 1.0]
            if regions:
                check(regions, side)
        for m in atlas.dermatome_maps:
            for root in ("L4", "L5", "S1"):
                regions = [r for r in atlas.ids("region") if atlas.dermatome(r, m).get(root)]
                if regions:
                    check(regions, side)


def test_graph_order_and_territory_order(atlas):
    """The load-time topological order is networkx's, and territories list targets in it."""
    from neuromap.graph import build_tables, to_digraph

    order = list(nx.topological_sort(atlas.graph))
    tables = build_tables(atlas.data)
    g = to_digraph(tables)
    assert list(tables.order) == order and nx.utils.graphs_equal(g, atlas.graph) and nx.is_frozen(g)
    position = {n: i for i, n in enumerate(order)}
    for nerve in atlas.ids("nerve"):
        for site in atlas.sites(nerve):
            t = atlas.nerve_territory(nerve, site)
            for part in (t.regions, t.muscles, t.reflexes):
                assert [position[x] for x in part] == sorted(position[x] for x in part), (nerve, site)
            below = nx.descendants(atlas.graph, nerve)
            assert set(t.regions) | set(t.muscles) | set(t.reflexes) <= below
        assert set(atlas.nerves_for(nerve)) == {v for v in nx.descendants(atlas.graph, nerve)
                                                 if atlas.node(v)["kind"] == "nerve"}


def test_a_cycle_names_its_nodes(atlas):
    from dataclasses import replace

    nerves = [dict(n) for n in atlas.data.nerves]
    femoral = next(n for n in nerves if n["id"] == "femoral")
    femoral.update(parent="saphenous", origin="adductor_canal")
    with pytest.raises(neuromap.AtlasDataError, match="nerves.json: .*femoral.* -> .*: the graph has a cycle"):
        neuromap.Atlas(replace(atlas.data, nerves=tuple(nerves)))


def test_graph_attributes_are_immutable_all_the_way_down(atlas):
    """Every attribute value is a scalar, a tuple or a read-only mapping, recursively."""
    from types import MappingProxyType

    from neuromap.graph import ReadOnlyAttributes

    def check(value, where):
        if isinstance(value, (str, int, float, bool, type(None))):
            return
        assert isinstance(value, (tuple, MappingProxyType, ReadOnlyAttributes)), (where, type(value))
        for v in (value.values() if isinstance(value, Mapping) else value):
            check(v, where)

    g = atlas.graph
    for n, attrs in g.nodes(data=True):
        assert isinstance(attrs, ReadOnlyAttributes)
        check(attrs, n)
        with pytest.raises(TypeError):
            attrs.update(label="x")
        with pytest.raises(TypeError):
            attrs.pop("label")
    for u, v, attrs in g.edges(data=True):
        assert isinstance(attrs, ReadOnlyAttributes) and g.pred[v][u] is attrs
        check(attrs, (u, v))
    check(g.graph, "graph")
    copy = g.copy()  # a copy is the caller's own: plain, mutable attributes
    copy.nodes["L5"]["label"] = "changed"
    assert g.nodes["L5"]["label"] != "changed"


def test_names_fold_to_their_index_entries(atlas):
    from neuromap.atlas import ENTITY_KINDS, normalize_name

    assert [normalize_name(n) for n in ("thae", "the", "don\u2019t", "A\u00a0B", "", "  --  ", "x\ny")] == [
        "", "", "dont", "a b", "", "", "x y"]
    assert normalize_name("café & crème") == "cafe and creme"
    assert normalize_name("The 1st web-space") == "first web space"
    for kind in ENTITY_KINDS:
        for name in atlas.names(kind):
            assert name in atlas
            entity = atlas.resolve(name, kind)
            assert entity.kind == kind and entity.label == entity.attrs["label"]


# --------------------------------------------------------------------------- networkx only on demand
_NO_NETWORKX = r"""
import contextlib, io, json, sys, traceback
from pathlib import Path

class Hook:
    # names the line that first imported networkx
    def find_spec(self, name, path=None, target=None):
        if name == "networkx" and "culprit" not in globals():
            globals()["culprit"] = "".join(traceback.format_stack(limit=12))
        return None

sys.meta_path.insert(0, Hook())
steps = []
def step(name):
    steps.append((name, "networkx" in sys.modules))

import neuromap
step("import")
atlas = neuromap.load_atlas()
step("load_atlas")
case = {"side": "left", "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
        "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4}],
        "reflexes": {"achilles": "normal"}}
neuromap.localize(case).to_dict()
step("localize")
from neuromap.io import localize_json
localize_json(json.dumps(case))
step("localize_json")
from neuromap.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(["localize", str(Path("docs/examples/l5_radiculopathy.json")), "--json"])
step("cli localize")
import matplotlib
matplotlib.use("Agg")
from neuromap.plotting import plot_dermatomes
plot_dermatomes().savefig(io.BytesIO(), format="png")
step("plot_dermatomes")
print(json.dumps({"rc": rc, "steps": steps, "culprit": globals().get("culprit"),
                  "built": atlas._graph is not None}))
g = atlas.graph
print(json.dumps({"networkx": "networkx" in sys.modules, "same": atlas.graph is g, "frozen": g.frozen}))
"""


def test_networkx_is_imported_only_for_the_graph():
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", _NO_NETWORKX], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent).stdout.splitlines()
    before, after = json.loads(out[-2]), json.loads(out[-1])
    assert before["culprit"] is None, before["culprit"]
    assert before["rc"] == 0
    assert [s for s, imported in before["steps"] if imported] == []
    assert len(before["steps"]) == 6 and not before["built"]
    assert after == {"networkx": True, "same": True, "frozen": True}


def test_graph_is_built_once_under_concurrent_first_access(atlas):
    import threading

    fresh = neuromap.Atlas(atlas.data)
    assert fresh._graph is None
    barrier = threading.Barrier(8)
    got = []

    def worker():
        barrier.wait()
        got.append(fresh.graph)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(g is got[0] for g in got) and fresh.graph is got[0]
    assert nx.utils.graphs_equal(got[0], atlas.graph) and nx.is_frozen(got[0])


def test_plain_accessors_answer_as_the_graph_does(atlas):
    from types import MappingProxyType

    g = atlas.graph
    assert list(atlas.ids("root")) + list(atlas.ids("plexus")) == [n for n in g if atlas.node(n)["kind"] in
                                                                   ("root", "plexus")]
    for n in g:
        assert atlas.node(n) == g.nodes[n]
        assert isinstance(atlas.node(n), MappingProxyType)
        assert atlas.successors(n) == tuple(g.successors(n))
        assert atlas.predecessors(n) == tuple(g.predecessors(n))
    for u, v in g.edges:
        assert atlas.edge(u, v) == g.edges[u, v]
    with pytest.raises(TypeError):
        atlas.node("L5")["label"] = "changed"  # type: ignore[index]
    from neuromap.atlas._paths import shortest_path

    succ = {n: dict.fromkeys(g.successors(n)) for n in g}
    pred = {n: dict.fromkeys(g.predecessors(n)) for n in g}
    for s in g:  # the networkx-free search behind Atlas.path finds networkx's path for every pair
        for t in g:
            try:
                p = nx.shortest_path(g, s, t)
            except nx.NetworkXNoPath:
                p = None
            assert shortest_path(succ, pred, s, t) == p, (s, t)
    for r in atlas.ids("region"):
        for m in atlas.dermatome_maps:
            grades = atlas.dermatome_grades(r, m)
            assert list(grades) == list(atlas.dermatome(r, m)), (r, m)
            assert grades == {u: g.edges[u, r]["maps"][m] for u in grades}


def test_plain_accessors_name_unknown_ids(atlas):
    with pytest.raises(neuromap.UnknownNameError, match="'deep_fibulr' is not a node.*'deep_fibular'"):
        atlas.node("deep_fibulr")
    with pytest.raises(KeyError):  # an UnknownNameError is a KeyError, as graph.nodes[...] raised
        atlas.successors("L6")
    with pytest.raises(neuromap.UnknownNameError, match="is not a node"):
        atlas.predecessors(["L5"])  # type: ignore[arg-type]
    with pytest.raises(neuromap.UnknownNameError, match="'L5 -> sciatic' is not an edge"):
        atlas.edge("L5", "sciatic")
    with pytest.raises(neuromap.UnknownNameError, match="'scitic' is not a node.*'sciatic'"):
        atlas.edge("L5", "scitic")
    with pytest.raises(neuromap.UnknownNameError, match="not a node"):
        atlas.dermatome_grades("hallx")


def test_sign_is_read_only_and_names_unknown_ids(atlas):
    sign = atlas.sign("saddle_anaesthesia")
    assert sign["red_flag"] == "cauda_equina" and sign is atlas.resolve("saddle anesthesia", "sign").attrs
    with pytest.raises(TypeError):
        sign["label"] = "changed"  # type: ignore[index]
    with pytest.raises(neuromap.UnknownNameError, match="'saddle_anesthesia' is not a sign.*'saddle_anaesthesia'"):
        atlas.sign("saddle_anesthesia")


# ----------------------------------------------------------------------------- issue 15
def test_concurrent_first_loads_of_a_directory_build_one_atlas(tmp_path):
    import shutil
    import threading

    from neuromap.datasets import bundled_data_dir

    shutil.copytree(bundled_data_dir(), tmp_path / "atlas")  # a fresh directory: the cache is cold
    barrier = threading.Barrier(8)
    got = []

    def worker():
        barrier.wait()
        got.append(neuromap.load_atlas(tmp_path / "atlas"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(a is got[0] for a in got)
    assert neuromap.load_atlas(str(tmp_path / "atlas")) is got[0]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: neuromap.load_atlas(5), TypeError, "Invalid value for 'path': expected a string or path naming a "
                                                "directory, got int"),
    (lambda: neuromap.load_atlas([]), TypeError, "got list"),
    (lambda: neuromap.load_atlas("no/such/dir"), neuromap.AtlasDataError, "no/such/dir: (directory): does not exist"),
    (lambda: neuromap.load_atlas("a\0b"), neuromap.AtlasDataError, "'a\\x00b': (directory): is not a directory"),
    (lambda: neuromap.localize({"side": "left"}, atlas="x"), TypeError,
     "Invalid value for 'atlas': expected an Atlas (see neuromap.load_atlas), got str"),
], ids=["int", "list", "missing directory", "NUL", "localize atlas string"])
def test_a_wrong_atlas_argument_is_a_one_line_neuromap_error(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, neuromap.NeuromapError)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_library_calls_leave_the_host_process_state_alone(tmp_path):
    """gc, warnings filters, random states, the locale and the recursion limit belong to the host program."""
    import gc
    import locale
    import random
    import shutil
    import sys
    import warnings

    import numpy as np

    import neuromap.io
    import neuromap.plotting
    from neuromap.datasets import bundled_data_dir

    def state():
        return (gc.isenabled(), gc.get_threshold(), list(warnings.filters), random.getstate(),
                repr(np.random.get_state()), np.geterr(), sys.getrecursionlimit(),  # noqa: NPY002 (global state)
                locale.setlocale(locale.LC_ALL), sys.getswitchinterval())

    case = {"side": "left", "sensory": [{"regions": ["first web space"]}], "reflexes": {"achilles": "absent"}}
    shutil.copytree(bundled_data_dir(), tmp_path / "atlas")
    before = state()
    atlas = neuromap.load_atlas(tmp_path / "atlas")
    neuromap.localize(case, atlas=atlas).to_dict()
    neuromap.io.localize_json(case)
    neuromap.io.localize_many([case, case], workers=1)
    display = neuromap.plotting.plot_dermatomes()
    import matplotlib.pyplot as plt

    plt.close(display.figure)
    assert state() == before
