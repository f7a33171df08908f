r"""Build the innervation graph from validated atlas data.

The graph is a :class:`networkx.DiGraph` that runs from the roots downward::

    root -joins-> plexus -branch-> nerve -branch-> nerve ... -supplies-> region
                                      \-innervates-> muscle -performs-> movement
                                       \-reflex_arc-> reflex
    root -dermatome-> region          (one edge per root and region; ``maps`` says which
                                       dermatome maps draw it, and how strongly)

Every node has ``kind`` (root, plexus, nerve, muscle, movement, reflex, region), ``label``,
``aliases`` and ``sources``; every edge has ``relation`` and ``sources``. ``origin`` on a branch,
muscle or reflex edge names the site on the parent nerve where the branch leaves, which is what
lets a lesion site along a nerve spare the branches above it.

The returned graph is frozen twice over: its structure (:func:`networkx.freeze`) and its
attribute mappings (read-only views holding tuples), so no caller can change the shared atlas.

:func:`build_tables` builds and checks the same graph as plain dicts (:class:`GraphTables`,
networkx's own adjacency layout) without importing networkx; :func:`to_digraph` wraps them in
the frozen :class:`networkx.DiGraph`. The atlas keeps the tables and builds the DiGraph only when
:attr:`neuromap.atlas.Atlas.graph` is first asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from neuromap.datasets import ROOT_IDS, AtlasData
from neuromap.errors import AtlasDataError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["NODE_KINDS", "GraphTables", "build_graph", "build_tables", "root_weights", "to_digraph"]

NODE_KINDS = ("root", "plexus", "nerve", "muscle", "movement", "reflex", "region")
_ROOT_SET = frozenset(ROOT_IDS)

#: Weight of a root in a muscle, reflex or nerve: a major root of the default source, another
#: root of the default source, a root that only an alternative source gives.
ROOT_GRADE_WEIGHTS = {"major": 1.0, "minor": 0.5, "alternative": 0.25}


def root_weights(root_values: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Combine every source's root values into one weight per root.

    The default (first) source counts three quarters, the strongest alternative one quarter;
    within a source a 'major' root weighs 1 and any other root 0.5. A root that only an
    alternative source gives thus keeps a small weight instead of being dropped.

    Examples
    --------
    >>> root_weights([{"roots": ["L4", "L5"], "major": ["L4"]}, {"roots": ["L4", "L5"], "major": ["L5"]}])
    {'L4': 0.875, 'L5': 0.625}
    """
    w_major, w_minor = ROOT_GRADE_WEIGHTS["major"], ROOT_GRADE_WEIGHTS["minor"]
    # each source's grade per root it gives (a root it does not give grades 0); plain loops, as
    # the lists are short and a comprehension is a call of its own
    grades: list[dict[str, float]] = []
    given: set[str] = set()
    for rv in root_values:
        major = rv.get("major") or ()
        g: dict[str, float] = {}
        for r in rv["roots"]:
            g[r] = w_major if not major or r in major else w_minor
        grades.append(g)
        given.update(g)
    if not grades:
        return {}
    if given <= _ROOT_SET:
        roots = [r for r in ROOT_IDS if r in given] if len(given) > 1 else list(given)
    else:  # a root outside L1-S5: the error sorting by ROOT_IDS.index gives
        roots = sorted(given, key=ROOT_IDS.index)
    default_grades, alternatives = grades[0], grades[1:]
    out = {}
    blend = _BLENDS
    for r in roots:
        default = default_grades.get(r, 0.0)
        if alternatives:  # the strongest alternative
            alt = alternatives[0].get(r, 0.0)
            for g in alternatives[1:]:
                x = g.get(r, 0.0)
                if x > alt:
                    alt = x
        else:
            alt = default
        w = blend.get((default, alt))
        if w is None:
            w = blend[(default, alt)] = round(0.75 * default + 0.25 * alt, 6)
        out[r] = w
    return out


#: (default grade, strongest alternative grade) -> root weight, as root_weights rounds it
_BLENDS: dict[tuple[float, float], float] = {}


_SCALARS = frozenset((str, float, int, bool, type(None)))


def _freeze_value(value: Any) -> Any:
    # plain loops: the lists and records here are short, and a comprehension is a call of its own
    t = type(value)
    if t in _SCALARS:
        return value
    scalars = _SCALARS
    if t is list or t is tuple:
        items = []
        for v in value:
            items.append(v if type(v) in scalars else _freeze_value(v))
        return tuple(items)
    if t is dict or isinstance(value, Mapping):
        record = {}
        for k, v in value.items():
            record[k] = v if type(v) in scalars else _freeze_value(v)
        return MappingProxyType(record)
    return value


def topological_order(succ: Mapping[str, Iterable[str]]) -> list[str] | None:
    """The order of :func:`networkx.topological_sort` (generation by generation), or None on a cycle.

    *succ* maps every node, in graph order, to its successors in graph order (``g._succ``).
    """
    indegree: dict[str, int] = dict.fromkeys(succ, 0)
    for nbrs in succ.values():
        for v in nbrs:
            indegree[v] += 1
    zero = [v for v, d in indegree.items() if d == 0]
    order: list[str] = []
    while zero:
        generation, zero = zero, []
        for node in generation:
            for child in succ[node]:
                d = indegree[child] - 1
                indegree[child] = d
                if d == 0:
                    zero.append(child)
        order.extend(generation)
    return order if len(order) == len(indegree) else None


class GraphTables(NamedTuple):
    """The checked, frozen innervation graph as plain dicts, in networkx's adjacency layout.

    ``nodes[n]`` is node *n*'s read-only attribute mapping; ``succ[u][v]`` and ``pred[v][u]`` are
    the same read-only attribute mapping of the edge u -> v, in the insertion orders
    ``add_node``/``add_edge`` would give; ``attrs`` are the graph attributes; ``order`` is the
    topological order of :func:`networkx.topological_sort`. Treat every dict as read-only.
    """

    nodes: dict[str, Mapping[str, Any]]
    succ: dict[str, dict[str, Mapping[str, Any]]]
    pred: dict[str, dict[str, Mapping[str, Any]]]
    attrs: Mapping[str, Any]
    order: list[str]


def build_graph(data: AtlasData) -> nx.DiGraph:
    """Build, check and freeze the innervation graph.

    Parameters
    ----------
    data : AtlasData
        Validated file contents from :func:`neuromap.datasets.read_atlas_data`.

    Returns
    -------
    networkx.DiGraph
        The frozen graph.

    Raises
    ------
    AtlasDataError
        If the data break a graph invariant: an unknown parent, nerve, muscle or origin site;
        a cycle; a nerve, muscle or reflex carrying a root its parent does not; a region that no
        nerve supplies or that a dermatome map leaves without a root.
    """
    return to_digraph(build_tables(data))


def to_digraph(tables: GraphTables) -> nx.DiGraph:
    """The frozen :class:`networkx.DiGraph` over *tables* (which it shares, not copies).

    This is the only place where building the graph imports networkx.
    """
    import networkx as nx

    g = nx.DiGraph()
    g._node.update(tables.nodes)
    g._succ.update(tables.succ)  # fill in place: g._adj is g._succ
    g._pred.update(tables.pred)
    g.graph = tables.attrs
    return nx.freeze(g)


def build_tables(data: AtlasData) -> GraphTables:
    """Build, check and freeze the innervation graph as plain dicts (no networkx).

    The graph is assembled in plain dicts (networkx's own adjacency layout, same insertion order
    and attribute order as ``add_node``/``add_edge`` would give) and its attributes frozen once.
    Raises :class:`~neuromap.errors.AtlasDataError` as :func:`build_graph` does.
    """
    nodes: dict[str, dict[str, Any]] = {}
    succ: dict[str, dict[str, Any]] = {}
    pred: dict[str, dict[str, Any]] = {}

    def add(node: str, file: str, entry: str, attrs: dict[str, Any]) -> None:
        if node in nodes:
            raise AtlasDataError(file, entry, f"id {node!r} is already used by a {nodes[node]['kind']}")
        nodes[node] = attrs
        succ[node] = {}
        pred[node] = {}

    def edge(u: str, v: str, attrs: dict[str, Any]) -> None:
        # as DiGraph.add_edge between existing nodes: a repeated edge keeps its place and
        # takes the new attributes
        d = succ[u].get(v)
        if d is None:
            succ[u][v] = pred[v][u] = attrs
        else:
            d.update(attrs)

    memo: dict[tuple[str, ...], tuple[str, ...]] = {}

    def srcs(keys: Iterable[str]) -> tuple[str, ...]:
        # the distinct keys in order, one shared tuple per distinct list (many edges cite the same sources)
        t = tuple(keys)
        got = memo.get(t)
        if got is None:
            got = memo[t] = tuple(dict.fromkeys(t))
        return got

    def kind(node: str) -> str | None:
        try:
            a = nodes.get(node)
        except TypeError:  # not a hashable id (a corrupt file): unknown, as for DiGraph.__contains__
            return None
        return None if a is None else a["kind"]

    for r in data.roots:
        add(r["id"], "roots.json", r["id"], {"kind": "root", "label": r["label"],
                                             "aliases": tuple(r.get("aliases", ())), "sources": tuple(r["sources"])})
    for p in data.plexuses:
        add(p["id"], "roots.json", p["id"], {
            "kind": "plexus", "subkind": _freeze_value(p.get("subkind", "plexus")), "label": p["label"],
            "aliases": tuple(p.get("aliases", ())), "sources": tuple(p["sources"]), "roots": tuple(p["roots"])})
        for r in p["roots"]:
            edge(r, p["id"], {"relation": "joins", "sources": srcs(p["sources"])})
    for p in data.plexuses:
        if "joins" in p:
            if kind(p["joins"]) != "plexus":
                raise AtlasDataError("roots.json", p["id"], f"joins unknown plexus {p['joins']!r}")
            edge(p["id"], p["joins"], {"relation": "joins", "sources": srcs(p["sources"])})

    nerve_sites: dict[str, list[str]] = {}
    for n in data.nerves:
        weights = root_weights(n["root_values"])
        add(n["id"], "nerves.json", n["id"], {
            "kind": "nerve", "label": n["label"], "aliases": tuple(n.get("aliases", ())),
            "sources": tuple(n["sources"]), "function": n["function"], "root_values": _freeze_value(n["root_values"]),
            "roots": tuple(weights), "root_weights": MappingProxyType(weights), "sites": _freeze_value(n["sites"]),
            "variants": _freeze_value(n.get("variants", []))})
        nerve_sites[n["id"]] = [s["id"] for s in n["sites"]]

    def check_origin(file: str, entry: str, parent: str, origin: str | None) -> str | None:
        k = kind(parent)
        if k not in ("nerve", "plexus"):
            raise AtlasDataError(file, entry, f"unknown nerve or plexus {parent!r}")
        if k == "plexus":
            if origin is not None:
                raise AtlasDataError(file, entry, f"origin {origin!r} given on a plexus")
            return None
        sites = nerve_sites[parent]
        if origin is None:
            return sites[0]
        if origin not in sites:
            raise AtlasDataError(file, entry, f"origin {origin!r} is not a site of {parent} ({', '.join(sites)})")
        return origin

    for n in data.nerves:
        origin = check_origin("nerves.json", f"{n['id']}.parent", n["parent"], n.get("origin"))
        certainty = min((v.get("origin_certainty", 1.0) for v in n.get("variants", [])), default=1.0)
        contributions = n.get("contributions", [])
        share = 1.0 - sum(k["share"] for k in contributions)
        edge(n["parent"], n["id"], {"relation": "branch", "origin": origin, "certainty": certainty, "share": share,
                                    "sources": srcs(n["sources"])})
        for k in contributions:
            if kind(k["from"]) != "nerve":
                raise AtlasDataError("nerves.json", f"{n['id']}.contributions", f"unknown nerve {k['from']!r}")
            edge(k["from"], n["id"], {"relation": "communicating", "origin": nerve_sites[k["from"]][0],
                                      "certainty": 1.0, "share": k["share"], "sources": srcs(k["sources"])})

    for m in data.movements:
        add(m["id"], "muscles.json", m["id"], {"kind": "movement", "label": m["label"],
                                               "aliases": tuple(m.get("aliases", ())), "sources": tuple(m["sources"]),
                                               "isncsci_key": m.get("isncsci_key")})
    for m in data.muscles:
        weights = root_weights(m["root_values"])
        add(m["id"], "muscles.json", m["id"], {
            "kind": "muscle", "label": m["label"], "aliases": tuple(m.get("aliases", ())),
            "sources": tuple(m["sources"]), "nerve": _freeze_value(m["nerve"]),
            "root_values": _freeze_value(m["root_values"]), "roots": tuple(weights),
            "root_weights": MappingProxyType(weights), "isncsci_key": m.get("isncsci_key")})
        origin = check_origin("muscles.json", f"{m['id']}.nerve", m["nerve"], m.get("origin"))
        edge(m["nerve"], m["id"], {"relation": "innervates", "origin": origin, "certainty": 1.0,
                                   "sources": srcs(m["sources"])})
        for mv in m["movements"]:
            if kind(mv) != "movement":
                raise AtlasDataError("muscles.json", f"{m['id']}.movements", f"unknown movement {mv!r}")
            edge(m["id"], mv, {"relation": "performs", "sources": srcs(m["sources"])})

    for r in data.reflexes:
        weights = root_weights(r["root_values"])
        add(r["id"], "reflexes.json", r["id"], {
            "kind": "reflex", "label": r["label"], "aliases": tuple(r.get("aliases", ())),
            "sources": tuple(r["sources"]), "nerve": _freeze_value(r["nerve"]), "muscle": _freeze_value(r["muscle"]),
            "root_values": _freeze_value(r["root_values"]), "roots": tuple(weights),
            "root_weights": MappingProxyType(weights)})
        origin = None
        if r["muscle"] is not None:
            if kind(r["muscle"]) != "muscle":
                raise AtlasDataError("reflexes.json", f"{r['id']}.muscle", f"unknown muscle {r['muscle']!r}")
            if nodes[r["muscle"]]["nerve"] == r["nerve"]:
                origin = succ[r["nerve"]][r["muscle"]]["origin"]
        origin = check_origin("reflexes.json", f"{r['id']}.nerve", r["nerve"], origin)
        edge(r["nerve"], r["id"], {"relation": "reflex_arc", "origin": origin, "certainty": 1.0,
                                   "sources": srcs(r["sources"])})

    for reg in data.regions:
        add(reg["id"], "regions.json", reg["id"], {
            "kind": "region", "label": reg["label"], "aliases": tuple(reg.get("aliases", ())),
            "sources": srcs([k for s in reg["nerves"] for k in s["sources"]]), "view": reg["view"]})
        for s in reg["nerves"]:
            if kind(s["nerve"]) != "nerve":
                raise AtlasDataError("regions.json", f"{reg['id']}.nerves", f"unknown nerve {s['nerve']!r}")
            edge(s["nerve"], reg["id"], {"relation": "supplies", "role": s["role"],
                                         "origin": nerve_sites[s["nerve"]][-1], "certainty": 1.0,
                                         "sources": srcs(s["sources"])})

    derm = data.dermatomes
    grade_w = derm["weights"]
    for a in derm["assignments"]:
        region = a["region"]
        for root, grade in a["roots"].items():
            e = succ[root].get(region)
            if e is not None:
                if a["map"] in e["maps"]:
                    raise AtlasDataError("dermatomes.json", f"{a['map']}, {a['region']}", "assigned twice")
                e["maps"][a["map"]] = grade
                e["weights"][a["map"]] = grade_w[grade]
                e["sources"] = srcs(e["sources"] + tuple(a["sources"]))
            else:
                edge(root, region, {"relation": "dermatome", "maps": {a["map"]: grade},
                                    "weights": {a["map"]: grade_w[grade]}, "sources": srcs(a["sources"])})
    graph_attrs = {
        "atlas_version": data.version,
        "dermatome_maps": {m["id"]: {k: v for k, v in m.items() if k != "id"} for m in derm["maps"]},
        "default_dermatome_map": derm["default"],
    }

    order = _check_invariants(nodes, succ, pred, data)

    # every attribute value is already immutable (tuples, read-only views, scalars) except the
    # map -> grade and map -> weight dicts of the dermatome edges, filled in above
    node_store: dict[str, Mapping[str, Any]] = {}
    for node_id, node_attrs in nodes.items():
        node_store[node_id] = MappingProxyType(node_attrs)
    for nbrs in succ.values():
        for v, edge_attrs in nbrs.items():
            if "maps" in edge_attrs:
                edge_attrs["maps"] = MappingProxyType(edge_attrs["maps"])
                edge_attrs["weights"] = MappingProxyType(edge_attrs["weights"])
            nbrs[v] = MappingProxyType(edge_attrs)
    for v, preds in pred.items():  # same objects, in the predecessor dicts' own insertion order
        for u in preds:
            preds[u] = succ[u][v]
    return GraphTables(node_store, succ, pred,
                       MappingProxyType({k: _freeze_value(v) for k, v in graph_attrs.items()}), order)


def _check_invariants(nodes: Mapping[str, Mapping[str, Any]], succ: Mapping[str, Mapping[str, Mapping[str, Any]]],
                      pred: Mapping[str, Mapping[str, Mapping[str, Any]]], data: AtlasData) -> list[str]:
    """Check the graph invariants on the plain adjacency; return the topological order."""
    order = topological_order(succ)
    if order is None:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(nodes)
        g.add_edges_from((u, v) for u, nbrs in succ.items() for v in nbrs)
        cycle = nx.find_cycle(g)
        raise AtlasDataError("nerves.json", " -> ".join(str(u) for u, _ in cycle), "the graph has a cycle")
    file_of = {"nerve": "nerves.json", "muscle": "muscles.json", "reflex": "reflexes.json"}
    effective: dict[str, frozenset[str]] = {}

    def effective_roots(node: str) -> frozenset[str]:
        got = effective.get(node)
        if got is None:
            attrs = nodes[node]
            roots = set(attrs["roots"])
            if attrs["kind"] == "plexus":
                for u in pred[node]:
                    if nodes[u]["kind"] == "plexus":
                        roots |= effective_roots(u)
            got = effective[node] = frozenset(roots)
        return got

    for node, attrs in nodes.items():
        kind = attrs["kind"]
        if kind not in NODE_KINDS:
            raise AtlasDataError("(graph)", node, f"unknown node kind {kind!r}")
        if kind not in file_of:
            continue
        if kind == "nerve":
            parents = [u for u, e in pred[node].items() if e["relation"] == "branch"]
        else:
            parents = [attrs["nerve"]]
        for parent in parents:
            extra = set(attrs["roots"]) - effective_roots(parent)
            if extra:
                raise AtlasDataError(
                    file_of[kind], node,
                    f"carries root(s) {', '.join(sorted(extra))} that its parent {parent} does not carry",
                )
    maps = data.dermatomes["maps"]
    area_maps = [m["id"] for m in maps if m["kind"] == "areas"]
    for reg in data.regions:
        rid = reg["id"]
        primary = False
        drawn: set[str] = set()  # the maps giving the region a root
        for e in pred[rid].values():
            if e["relation"] == "supplies":
                primary = primary or e.get("role") == "primary"
            elif "maps" in e:
                drawn.update(e["maps"])
        if not primary:
            raise AtlasDataError("regions.json", rid, "no nerve is its primary supply")
        for m in area_maps:
            if m not in drawn:
                raise AtlasDataError("dermatomes.json", f"{m}, {rid}", "the map gives this region no root")
    point_maps = [m["id"] for m in maps if m["kind"] == "points"]
    if point_maps:
        # the maps on the dermatome edges: those of the assignments (each gives at least one root)
        used = {a["map"] for a in data.dermatomes["assignments"] if a["roots"]}
        for m in point_maps:
            if m not in used:
                raise AtlasDataError("dermatomes.json", m, "the points map assigns no key point")
    return order
