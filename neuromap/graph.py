r"""Build the innervation graph from validated atlas data.

The graph is a :class:`networkx.DiGraph` that runs from the roots downward::

    root -joins-> plexus -branch-> nerve -branch-> nerve ... -supplies-> region
                                      \-innervates-> muscle -performs-> movement
                                       \-reflex_arc-> reflex         muscle -part_of-> composite muscle
    root -dermatome-> region          (one edge per root and region; ``maps`` says which
                                       dermatome maps draw it, and how strongly)

Every node has ``kind`` (root, plexus, nerve, muscle, movement, reflex, region), ``label``,
``aliases`` and ``sources``, and ``xrefs`` (code system -> codes, from ``xrefs.json``) where it has
standard codes; every edge has ``relation`` and ``sources``. ``origin`` on a branch,
muscle or reflex edge names the site on the parent nerve where the branch leaves, which is what
lets a lesion site along a nerve spare the branches above it. A composite muscle (a group tested
as one, such as the iliopsoas) is a muscle node with ``parts``: each part has a ``part_of`` edge
to it whose ``share`` is one over the number of parts, so a lesion involves the composite as the
mean of its parts; its root weights are each root's strongest weight over the parts.

The graph is frozen twice over: its structure (:func:`networkx.freeze`) and its attributes
(read-only mappings holding tuples), so no caller can change the shared atlas.

:func:`build_tables` builds and checks the graph as plain adjacency dicts (:class:`GraphTables`)
with its topological order (:class:`graphlib.TopologicalSorter`); :func:`to_digraph` turns them
into the frozen :class:`networkx.DiGraph`. networkx takes about as long to import as the rest of
neuromap's load, so the atlas answers its queries from the tables and builds the DiGraph only
when :attr:`neuromap.atlas.Atlas.graph` is first asked for.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from neuromap.datasets import ROOT_IDS, AtlasData
from neuromap.errors import AtlasDataError
from neuromap.weights import ROOT_ALTERNATIVE_SHARE, ROOT_GRADE_WEIGHTS

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["NODE_KINDS", "GraphTables", "ReadOnlyAttributes", "build_graph", "build_tables", "root_weights",
           "to_digraph"]

NODE_KINDS = ("root", "plexus", "nerve", "muscle", "movement", "reflex", "region")


def root_weights(root_values: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Combine every source's root values into one weight per root.

    The default (first) source counts three quarters, the strongest alternative one quarter;
    within a source a 'major' root weighs 1 and any other root 0.5. A root that only an
    alternative source gives thus keeps a small weight instead of being dropped.

    Parameters
    ----------
    root_values : iterable of mapping
        The ``root_values`` entries of a nerve, muscle or reflex (``roots``, optional ``major``).

    Returns
    -------
    dict of str to float
        Root -> weight, cranial to caudal.

    Examples
    --------
    >>> root_weights([{"roots": ["L4", "L5"], "major": ["L4"]}, {"roots": ["L4", "L5"], "major": ["L5"]}])
    {'L4': 0.875, 'L5': 0.625}
    """
    grades = []  # each source's grade of every root it gives
    for rv in root_values:
        major = rv.get("major") or rv["roots"]
        grades.append({r: ROOT_GRADE_WEIGHTS["major" if r in major else "minor"] for r in rv["roots"]})
    if not grades:
        return {}
    default, alternatives = grades[0], grades[1:]
    out = {}
    for r in sorted(set().union(*grades), key=ROOT_IDS.index):
        alternative = max((g.get(r, 0.0) for g in alternatives), default=default.get(r, 0.0))
        out[r] = round((1.0 - ROOT_ALTERNATIVE_SHARE) * default.get(r, 0.0) + ROOT_ALTERNATIVE_SHARE * alternative, 6)
    return out


def _freeze(value: Any) -> Any:
    """*value* (parsed JSON) with every list a tuple and every object a read-only view, recursively."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (dict, MappingProxyType)):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


class ReadOnlyAttributes(dict):
    """The attribute dict of a node or an edge of the frozen graph: filled once, then read-only.

    networkx creates one per node and edge (the graph's ``node_attr_dict_factory`` and
    ``edge_attr_dict_factory``) and fills it with one ``update`` as it adds the node or edge;
    every later change raises :class:`TypeError`, as a :class:`types.MappingProxyType` does.

    Examples
    --------
    >>> attrs = ReadOnlyAttributes()
    >>> attrs.update(kind="root")
    >>> attrs["kind"] = "nerve"
    Traceback (most recent call last):
    ...
    TypeError: the atlas graph's attributes are read-only
    """

    __slots__ = ()

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Fill the empty dict (networkx's one call); raise :class:`TypeError` once it holds anything."""
        if self:
            _read_only()
        super().update(*args, **kwargs)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        _read_only()

    __setitem__ = __delitem__ = __ior__ = setdefault = pop = popitem = clear = _refuse


def _read_only() -> None:
    raise TypeError("the atlas graph's attributes are read-only")


class GraphTables(NamedTuple):
    """The checked innervation graph as plain adjacency dicts, with its topological order.

    ``nodes[n]`` is node *n*'s read-only attribute mapping; ``succ[u][v]`` and ``pred[v][u]`` are
    the same read-only attribute mapping of the edge u -> v, in the insertion orders
    ``add_node``/``add_edge`` would give; ``edges`` are the edges in the order they were added;
    ``attrs`` are the graph attributes; ``order`` is the topological order (that of
    :func:`networkx.topological_sort`). Treat every dict as read-only.
    """

    nodes: dict[str, Mapping[str, Any]]
    succ: dict[str, dict[str, Mapping[str, Any]]]
    pred: dict[str, dict[str, Mapping[str, Any]]]
    edges: tuple[tuple[str, str], ...]
    attrs: Mapping[str, Any]
    order: tuple[str, ...]


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

    Examples
    --------
    >>> from neuromap.datasets import read_atlas_data
    >>> g = build_graph(read_atlas_data())
    >>> g.nodes["deep_fibular"]["kind"], g.edges["common_fibular", "deep_fibular"]["relation"]
    ('nerve', 'branch')
    """
    return to_digraph(build_tables(data))


def to_digraph(tables: GraphTables) -> nx.DiGraph:
    """The frozen :class:`networkx.DiGraph` of *tables*.

    Nodes and edges are added in table order, each with its attributes in a
    :class:`ReadOnlyAttributes` dict (the attribute values are the tables' own, immutable ones);
    the graph attributes are a read-only mapping and the structure is frozen with
    :func:`networkx.freeze`.

    Parameters
    ----------
    tables : GraphTables
        The graph from :func:`build_tables`.

    Returns
    -------
    networkx.DiGraph
        The frozen graph.
    """
    import networkx as nx

    g = nx.DiGraph()
    g.node_attr_dict_factory = g.edge_attr_dict_factory = ReadOnlyAttributes
    g.add_nodes_from(tables.nodes.items())
    g.add_edges_from((u, v, tables.succ[u][v]) for u, v in tables.edges)
    g.graph = tables.attrs
    return nx.freeze(g)


def build_tables(data: AtlasData) -> GraphTables:
    """Build and check the innervation graph as plain dicts (no networkx).

    Parameters
    ----------
    data : AtlasData
        Validated file contents from :func:`neuromap.datasets.read_atlas_data`.

    Returns
    -------
    GraphTables
        The graph's nodes and edges, with read-only attributes, and its topological order.

    Raises
    ------
    AtlasDataError
        As :func:`build_graph` does.
    """
    return _Builder(data).tables()


class _Builder:
    """Assembles the graph one data file at a time, checking references as it goes."""

    def __init__(self, data: AtlasData) -> None:
        self.data = data
        self.nodes: dict[str, dict[str, Any]] = {}
        self.succ: dict[str, dict[str, Any]] = {}
        self.pred: dict[str, dict[str, Any]] = {}
        self.edges: list[tuple[str, str]] = []  # in the order they were added
        self.sites: dict[str, list[str]] = {}  # nerve -> its lesion sites, proximal to distal

    def tables(self) -> GraphTables:
        self.add_roots()
        self.add_nerves()
        self.add_muscles()
        self.add_reflexes()
        self.add_regions()
        self.add_dermatomes()
        self.add_xrefs()
        derm = self.data.dermatomes
        attrs = {
            "atlas_version": self.data.version,
            "dermatome_maps": {m["id"]: {k: v for k, v in m.items() if k != "id"} for m in derm["maps"]},
            "default_dermatome_map": derm["default"],
        }
        order = _topological_order(self.succ)
        _check_invariants(self.nodes, self.pred, self.data)
        nodes: dict[str, Mapping[str, Any]] = {n: MappingProxyType(a) for n, a in self.nodes.items()}
        for u, nbrs in self.succ.items():
            for v, a in nbrs.items():
                if "maps" in a:  # the one set of attributes filled in after the edge was added
                    a["maps"], a["weights"] = MappingProxyType(a["maps"]), MappingProxyType(a["weights"])
                nbrs[v] = self.pred[v][u] = MappingProxyType(a)
        return GraphTables(nodes, self.succ, self.pred, tuple(self.edges), _freeze(attrs), order)

    # -- primitives -------------------------------------------------------------------------
    def add(self, node: str, file: str, attrs: dict[str, Any]) -> None:
        if node in self.nodes:
            raise AtlasDataError(file, node, f"id {node!r} is already used by a {self.nodes[node]['kind']}")
        self.nodes[node] = attrs
        self.succ[node] = {}
        self.pred[node] = {}

    def edge(self, u: str, v: str, attrs: dict[str, Any]) -> None:
        existing = self.succ[u].get(v)
        if existing is None:
            self.succ[u][v] = self.pred[v][u] = attrs
            self.edges.append((u, v))
        else:  # as networkx's add_edge: a repeated edge keeps its place and takes the new attributes
            existing.update(attrs)

    def kind(self, node: str) -> str | None:
        attrs = self.nodes.get(node)
        return None if attrs is None else attrs["kind"]

    def entity(self, item: Mapping[str, Any], kind: str, **attrs: Any) -> dict[str, Any]:
        """The attributes every node has, then the kind's own."""
        return {"kind": kind, "label": item["label"], "aliases": tuple(item.get("aliases", ())),
                "sources": tuple(item.get("sources", ())), **attrs}

    def graded(self, item: Mapping[str, Any], kind: str, head: dict[str, Any],
               tail: dict[str, Any]) -> dict[str, Any]:
        """The attributes of a nerve, muscle or reflex: *head*, its root values and weights, *tail*."""
        weights = root_weights(item["root_values"])
        return self.entity(item, kind, **head, root_values=_freeze(item["root_values"]), roots=tuple(weights),
                           root_weights=MappingProxyType(weights), **tail)

    def origin(self, file: str, entry: str, parent: str, origin: str | None) -> str | None:
        """The site of *parent* a branch leaves at (checked; the first site by default)."""
        kind = self.kind(parent)
        if kind not in ("nerve", "plexus"):
            raise AtlasDataError(file, entry, f"unknown nerve or plexus {parent!r}")
        if kind == "plexus":
            if origin is not None:
                raise AtlasDataError(file, entry, f"origin {origin!r} given on a plexus")
            return None
        sites = self.sites[parent]
        if origin is None:
            return sites[0]
        if origin not in sites:
            raise AtlasDataError(file, entry, f"origin {origin!r} is not a site of {parent} ({', '.join(sites)})")
        return origin

    # -- one data file each -----------------------------------------------------------------
    def add_xrefs(self) -> None:
        """``xrefs`` on every node with standard codes (xrefs.json): system -> codes."""
        for entry in self.data.xrefs["xrefs"]:
            attrs = self.nodes.get(entry["id"])
            if attrs is not None and attrs["kind"] == entry["kind"]:
                by_system: dict[str, list[str]] = {}
                for code in entry["codes"]:
                    by_system.setdefault(code["system"], []).append(code["code"])
                attrs["xrefs"] = _freeze(by_system)

    def add_roots(self) -> None:
        for r in self.data.roots:
            self.add(r["id"], "roots.json", self.entity(r, "root"))
        for p in self.data.plexuses:
            self.add(p["id"], "roots.json", {
                "kind": "plexus", "subkind": p.get("subkind", "plexus"), "label": p["label"],
                "aliases": tuple(p.get("aliases", ())), "sources": tuple(p["sources"]), "roots": tuple(p["roots"])})
            for r in p["roots"]:
                self.edge(r, p["id"], {"relation": "joins", "sources": _distinct(p["sources"])})
        for p in self.data.plexuses:
            if "joins" in p:
                if self.kind(p["joins"]) != "plexus":
                    raise AtlasDataError("roots.json", p["id"], f"joins unknown plexus {p['joins']!r}")
                self.edge(p["id"], p["joins"], {"relation": "joins", "sources": _distinct(p["sources"])})

    def add_nerves(self) -> None:
        for n in self.data.nerves:
            self.add(n["id"], "nerves.json", self.graded(
                n, "nerve", {"function": n["function"]},
                {"sites": _freeze(n["sites"]), "variants": _freeze(n.get("variants", []))}))
            self.sites[n["id"]] = [s["id"] for s in n["sites"]]
        for n in self.data.nerves:
            origin = self.origin("nerves.json", f"{n['id']}.parent", n["parent"], n.get("origin"))
            certainty = min((v.get("origin_certainty", 1.0) for v in n.get("variants", [])), default=1.0)
            contributions = n.get("contributions", [])
            share = 1.0 - sum(k["share"] for k in contributions)
            self.edge(n["parent"], n["id"], {"relation": "branch", "origin": origin, "certainty": certainty,
                                             "share": share, "sources": _distinct(n["sources"])})
            for k in contributions:
                if self.kind(k["from"]) != "nerve":
                    raise AtlasDataError("nerves.json", f"{n['id']}.contributions", f"unknown nerve {k['from']!r}")
                self.edge(k["from"], n["id"], {"relation": "communicating", "origin": self.sites[k["from"]][0],
                                               "certainty": 1.0, "share": k["share"],
                                               "sources": _distinct(k["sources"])})

    def add_muscles(self) -> None:
        for m in self.data.movements:
            self.add(m["id"], "muscles.json", self.entity(m, "movement", isncsci_key=m.get("isncsci_key")))
        for m in self.data.muscles:
            self.add(m["id"], "muscles.json", self.graded(m, "muscle", {"nerve": m["nerve"]},
                                                          {"isncsci_key": m.get("isncsci_key")}))
            origin = self.origin("muscles.json", f"{m['id']}.nerve", m["nerve"], m.get("origin"))
            self.edge(m["nerve"], m["id"], {"relation": "innervates", "origin": origin, "certainty": 1.0,
                                            "sources": _distinct(m["sources"])})
            for mv in m["movements"]:
                if self.kind(mv) != "movement":
                    raise AtlasDataError("muscles.json", f"{m['id']}.movements", f"unknown movement {mv!r}")
                self.edge(m["id"], mv, {"relation": "performs", "sources": _distinct(m["sources"])})
        for c in self.data.composites:
            weights: dict[str, float] = {}
            for part in c["parts"]:
                if self.kind(part) != "muscle" or self.nodes[part].get("parts"):
                    raise AtlasDataError("muscles.json", f"{c['id']}.parts", f"unknown muscle {part!r}")
                for r, w in self.nodes[part]["root_weights"].items():
                    weights[r] = max(weights.get(r, 0.0), w)
            weights = {r: weights[r] for r in ROOT_IDS if r in weights}
            self.add(c["id"], "muscles.json", self.entity(
                c, "muscle", nerve=None, parts=tuple(c["parts"]), root_values=(), roots=tuple(weights),
                root_weights=MappingProxyType(weights), isncsci_key=c.get("isncsci_key")))
            for part in c["parts"]:
                self.edge(part, c["id"], {"relation": "part_of", "share": 1.0 / len(c["parts"]),
                                          "sources": _distinct(c["sources"])})

    def add_reflexes(self) -> None:
        for r in self.data.reflexes:
            self.add(r["id"], "reflexes.json",
                     self.graded(r, "reflex", {"nerve": r["nerve"], "muscle": r["muscle"]}, {}))
            origin = None
            if r["muscle"] is not None:
                if self.kind(r["muscle"]) != "muscle":
                    raise AtlasDataError("reflexes.json", f"{r['id']}.muscle", f"unknown muscle {r['muscle']!r}")
                if self.nodes[r["muscle"]]["nerve"] == r["nerve"]:  # the arc leaves with the muscle's branch
                    origin = self.succ[r["nerve"]][r["muscle"]]["origin"]
            origin = self.origin("reflexes.json", f"{r['id']}.nerve", r["nerve"], origin)
            self.edge(r["nerve"], r["id"], {"relation": "reflex_arc", "origin": origin, "certainty": 1.0,
                                            "sources": _distinct(r["sources"])})

    def add_regions(self) -> None:
        for reg in self.data.regions:
            self.add(reg["id"], "regions.json", self.entity(
                reg, "region", sources=_distinct(k for s in reg["nerves"] for k in s["sources"]), view=reg["view"],
                part_of=reg.get("part_of")))
            for s in reg["nerves"]:
                if self.kind(s["nerve"]) != "nerve":
                    raise AtlasDataError("regions.json", f"{reg['id']}.nerves", f"unknown nerve {s['nerve']!r}")
                self.edge(s["nerve"], reg["id"], {"relation": "supplies", "role": s["role"],
                                                  "origin": self.sites[s["nerve"]][-1], "certainty": 1.0,
                                                  "sources": _distinct(s["sources"])})

    def add_dermatomes(self) -> None:
        """One edge per root and region; ``maps`` and ``weights`` say which layers draw it, how strongly."""
        grade_weights = self.data.dermatomes["weights"]
        for a in self.data.dermatomes["assignments"]:
            region = a["region"]
            for root, grade in a["roots"].items():
                e = self.succ[root].get(region)
                if e is None:
                    self.edge(root, region, {"relation": "dermatome", "maps": {a["map"]: grade},
                                             "weights": {a["map"]: grade_weights[grade]},
                                             "sources": _distinct(a["sources"])})
                elif a["map"] in e["maps"]:
                    raise AtlasDataError("dermatomes.json", f"{a['map']}, {a['region']}", "assigned twice")
                else:
                    e["maps"][a["map"]] = grade
                    e["weights"][a["map"]] = grade_weights[grade]
                    e["sources"] = _distinct((*e["sources"], *a["sources"]))


def _distinct(keys: Iterable[str]) -> tuple[str, ...]:
    """The distinct source keys, in order."""
    return tuple(dict.fromkeys(keys))


def _topological_order(succ: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """The order of :func:`networkx.topological_sort`, from :class:`graphlib.TopologicalSorter`.

    Both take the nodes with no predecessor in graph order, then, generation by generation, each
    node as the last of its predecessors is taken; a cycle is an :class:`AtlasDataError`.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for node in succ:
        sorter.add(node)
    for u, nbrs in succ.items():
        for v in nbrs:
            sorter.add(v, u)
    try:
        return tuple(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise AtlasDataError("nerves.json", " -> ".join(map(str, cycle)), "the graph has a cycle") from None


def _check_invariants(nodes: Mapping[str, Mapping[str, Any]], pred: Mapping[str, Mapping[str, Mapping[str, Any]]],
                      data: AtlasData) -> None:
    """Check the invariants of an acyclic graph: roots carried down, regions supplied and mapped."""
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
        if kind not in file_of or attrs.get("parts"):
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
