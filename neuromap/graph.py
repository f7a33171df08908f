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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import networkx as nx

from neuromap.datasets import ROOT_IDS, AtlasData
from neuromap.errors import AtlasDataError

__all__ = ["NODE_KINDS", "build_graph", "root_weights"]

NODE_KINDS = ("root", "plexus", "nerve", "muscle", "movement", "reflex", "region")

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
    versions = list(root_values)

    def grade(rv: Mapping[str, Any], root: str) -> float:
        if root not in rv["roots"]:
            return 0.0
        major = rv.get("major") or []
        if not major or root in major:
            return ROOT_GRADE_WEIGHTS["major"]
        return ROOT_GRADE_WEIGHTS["minor"]

    roots = sorted({r for rv in versions for r in rv["roots"]}, key=ROOT_IDS.index)
    out = {}
    for r in roots:
        default = grade(versions[0], r)
        alt = max((grade(rv, r) for rv in versions[1:]), default=default)
        out[r] = round(0.75 * default + 0.25 * alt, 6)
    return out


def _sources(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for s in g:
            seen.setdefault(s, None)
    return tuple(seen)


def _freeze_value(value: Any) -> Any:
    t = type(value)
    if t is str or t is float or t is int or t is bool or value is None:
        return value
    if t is dict or isinstance(value, Mapping):
        return MappingProxyType({k: _freeze_value(v) for k, v in value.items()})
    if t is list or t is tuple:
        return tuple([_freeze_value(v) for v in value])
    return value


def _deep_freeze(g: nx.DiGraph) -> nx.DiGraph:
    """Freeze the structure and make every attribute mapping read-only."""
    fv = _freeze_value
    for n, attrs in g._node.items():
        g._node[n] = MappingProxyType({k: fv(v) for k, v in attrs.items()})
    for u, nbrs in g._succ.items():
        for v, attrs in nbrs.items():
            frozen = MappingProxyType({k: fv(x) for k, x in attrs.items()})
            nbrs[v] = frozen
            g._pred[v][u] = frozen
    g.graph = MappingProxyType({k: fv(v) for k, v in g.graph.items()})
    return nx.freeze(g)


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
    g = nx.DiGraph(atlas_version=data.version)

    def add(node: str, file: str, entry: str, **attrs: Any) -> None:
        if node in g:
            raise AtlasDataError(file, entry, f"id {node!r} is already used by a {g.nodes[node]['kind']}")
        g.add_node(node, **attrs)

    for r in data.roots:
        add(r["id"], "roots.json", r["id"], kind="root", label=r["label"], aliases=r.get("aliases", []),
            sources=r["sources"])
    for p in data.plexuses:
        add(p["id"], "roots.json", p["id"], kind="plexus", subkind=p.get("subkind", "plexus"), label=p["label"],
            aliases=p.get("aliases", []), sources=p["sources"], roots=p["roots"])
        for r in p["roots"]:
            g.add_edge(r, p["id"], relation="joins", sources=_sources(p["sources"]))
    for p in data.plexuses:
        if "joins" in p:
            if p["joins"] not in g or g.nodes[p["joins"]]["kind"] != "plexus":
                raise AtlasDataError("roots.json", p["id"], f"joins unknown plexus {p['joins']!r}")
            g.add_edge(p["id"], p["joins"], relation="joins", sources=_sources(p["sources"]))

    nerve_sites: dict[str, list[str]] = {}
    for n in data.nerves:
        weights = root_weights(n["root_values"])
        add(n["id"], "nerves.json", n["id"], kind="nerve", label=n["label"], aliases=n.get("aliases", []),
            sources=n["sources"], function=n["function"], root_values=n["root_values"], roots=tuple(weights),
            root_weights=weights, sites=n["sites"], variants=n.get("variants", []))
        nerve_sites[n["id"]] = [s["id"] for s in n["sites"]]

    def check_origin(file: str, entry: str, parent: str, origin: str | None) -> str | None:
        if parent not in g or g.nodes[parent]["kind"] not in ("nerve", "plexus"):
            raise AtlasDataError(file, entry, f"unknown nerve or plexus {parent!r}")
        if g.nodes[parent]["kind"] == "plexus":
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
        g.add_edge(n["parent"], n["id"], relation="branch", origin=origin, certainty=certainty, share=share,
                   sources=_sources(n["sources"]))
        for k in contributions:
            if k["from"] not in g or g.nodes[k["from"]]["kind"] != "nerve":
                raise AtlasDataError("nerves.json", f"{n['id']}.contributions", f"unknown nerve {k['from']!r}")
            g.add_edge(k["from"], n["id"], relation="communicating", origin=nerve_sites[k["from"]][0],
                       certainty=1.0, share=k["share"], sources=_sources(k["sources"]))

    for m in data.movements:
        add(m["id"], "muscles.json", m["id"], kind="movement", label=m["label"], aliases=m.get("aliases", []),
            sources=m["sources"], isncsci_key=m.get("isncsci_key"))
    for m in data.muscles:
        weights = root_weights(m["root_values"])
        add(m["id"], "muscles.json", m["id"], kind="muscle", label=m["label"], aliases=m.get("aliases", []),
            sources=m["sources"], nerve=m["nerve"], root_values=m["root_values"], roots=tuple(weights),
            root_weights=weights, isncsci_key=m.get("isncsci_key"))
        origin = check_origin("muscles.json", f"{m['id']}.nerve", m["nerve"], m.get("origin"))
        g.add_edge(m["nerve"], m["id"], relation="innervates", origin=origin, certainty=1.0,
                   sources=_sources(m["sources"]))
        for mv in m["movements"]:
            if mv not in g or g.nodes[mv]["kind"] != "movement":
                raise AtlasDataError("muscles.json", f"{m['id']}.movements", f"unknown movement {mv!r}")
            g.add_edge(m["id"], mv, relation="performs", sources=_sources(m["sources"]))

    for r in data.reflexes:
        weights = root_weights(r["root_values"])
        add(r["id"], "reflexes.json", r["id"], kind="reflex", label=r["label"], aliases=r.get("aliases", []),
            sources=r["sources"], nerve=r["nerve"], muscle=r["muscle"], root_values=r["root_values"],
            roots=tuple(weights), root_weights=weights)
        origin = None
        if r["muscle"] is not None:
            if r["muscle"] not in g or g.nodes[r["muscle"]]["kind"] != "muscle":
                raise AtlasDataError("reflexes.json", f"{r['id']}.muscle", f"unknown muscle {r['muscle']!r}")
            if g.nodes[r["muscle"]]["nerve"] == r["nerve"]:
                origin = g.edges[r["nerve"], r["muscle"]]["origin"]
        origin = check_origin("reflexes.json", f"{r['id']}.nerve", r["nerve"], origin)
        g.add_edge(r["nerve"], r["id"], relation="reflex_arc", origin=origin, certainty=1.0,
                   sources=_sources(r["sources"]))

    for reg in data.regions:
        add(reg["id"], "regions.json", reg["id"], kind="region", label=reg["label"], aliases=reg.get("aliases", []),
            sources=_sources(*(s["sources"] for s in reg["nerves"])), view=reg["view"])
        for s in reg["nerves"]:
            if s["nerve"] not in g or g.nodes[s["nerve"]]["kind"] != "nerve":
                raise AtlasDataError("regions.json", f"{reg['id']}.nerves", f"unknown nerve {s['nerve']!r}")
            g.add_edge(s["nerve"], reg["id"], relation="supplies", role=s["role"],
                       origin=nerve_sites[s["nerve"]][-1], certainty=1.0, sources=_sources(s["sources"]))

    derm = data.dermatomes
    grade_w = derm["weights"]
    for a in derm["assignments"]:
        for root, grade in a["roots"].items():
            if g.has_edge(root, a["region"]):
                e = g.edges[root, a["region"]]
                if a["map"] in e["maps"]:
                    raise AtlasDataError("dermatomes.json", f"{a['map']}, {a['region']}", "assigned twice")
                e["maps"][a["map"]] = grade
                e["weights"][a["map"]] = grade_w[grade]
                e["sources"] = _sources(e["sources"], a["sources"])
            else:
                g.add_edge(root, a["region"], relation="dermatome", maps={a["map"]: grade},
                           weights={a["map"]: grade_w[grade]}, sources=_sources(a["sources"]))
    g.graph["dermatome_maps"] = {m["id"]: {k: v for k, v in m.items() if k != "id"} for m in derm["maps"]}
    g.graph["default_dermatome_map"] = derm["default"]

    _check_invariants(g, data)
    return _deep_freeze(g)


def _effective_roots(g: nx.DiGraph, node: str) -> set[str]:
    attrs = g.nodes[node]
    if attrs["kind"] == "plexus":
        roots = set(attrs["roots"])
        for u in g.predecessors(node):
            if g.nodes[u]["kind"] == "plexus":
                roots |= _effective_roots(g, u)
        return roots
    return set(attrs["roots"])


def _check_invariants(g: nx.DiGraph, data: AtlasData) -> None:
    if not nx.is_directed_acyclic_graph(g):
        cycle = nx.find_cycle(g)
        raise AtlasDataError("nerves.json", " -> ".join(str(u) for u, _ in cycle), "the graph has a cycle")
    file_of = {"nerve": "nerves.json", "muscle": "muscles.json", "reflex": "reflexes.json"}
    for node, attrs in g.nodes(data=True):
        kind = attrs["kind"]
        if kind not in NODE_KINDS:
            raise AtlasDataError("(graph)", node, f"unknown node kind {kind!r}")
        if kind not in file_of:
            continue
        if kind == "nerve":
            parents = [u for u in g.predecessors(node) if g.edges[u, node]["relation"] == "branch"]
        else:
            parents = [attrs["nerve"]]
        for parent in parents:
            extra = set(attrs["roots"]) - _effective_roots(g, parent)
            if extra:
                raise AtlasDataError(
                    file_of[kind], node,
                    f"carries root(s) {', '.join(sorted(extra))} that its parent {parent} does not carry",
                )
    area_maps = [m["id"] for m in data.dermatomes["maps"] if m["kind"] == "areas"]
    for reg in data.regions:
        rid = reg["id"]
        if not any(g.edges[u, rid].get("role") == "primary" for u in g.predecessors(rid)
                   if g.edges[u, rid]["relation"] == "supplies"):
            raise AtlasDataError("regions.json", rid, "no nerve is its primary supply")
        for m in area_maps:
            if not any(m in g.edges[u, rid].get("maps", {}) for u in g.predecessors(rid)):
                raise AtlasDataError("dermatomes.json", f"{m}, {rid}", "the map gives this region no root")
    for m in data.dermatomes["maps"]:
        if m["kind"] == "points" and not any(m["id"] in e.get("maps", {}) for _, _, e in g.edges(data=True)):
            raise AtlasDataError("dermatomes.json", m["id"], "the points map assigns no key point")
