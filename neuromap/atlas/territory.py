"""Territories: what a lesion at one site would affect, and how strongly.

A nerve's territory at each of its lesion sites is computed once, when the atlas loads, by
spreading the lesion down the graph in topological order (:func:`nerve_territories`); a root's
territory under one dermatome layer is computed on first use (:func:`root_territory`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from neuromap.graph import GraphTables
from neuromap.weights import DERMATOME_AGREEMENT_SHARE, VARIANT_SUPPLY

__all__ = ["Territory", "composite_weights", "descendants", "nerve_territories", "root_territory"]


@dataclass(frozen=True)
class Territory:
    """What a lesion at one site would affect, with a weight in [0, 1] per target.

    ``regions``, ``muscles``, ``movements`` and ``reflexes`` map target ids to how strongly the
    lesion is expected to involve them (1 = always, lower = partly, or only in some maps,
    sources or anatomical variants). ``composites`` holds the composite muscles (groups tested
    as one, such as the iliopsoas), kept apart from ``muscles`` so that a territory's size
    counts each muscle once; :meth:`get` answers for both under the kind 'muscle'.

    Examples
    --------
    >>> import neuromap
    >>> t = neuromap.load_atlas().nerve_territory("deep_fibular")
    >>> t.get("region", "first_web_space")
    1.0
    """

    regions: Mapping[str, float] = field(default_factory=dict)
    muscles: Mapping[str, float] = field(default_factory=dict)
    movements: Mapping[str, float] = field(default_factory=dict)
    reflexes: Mapping[str, float] = field(default_factory=dict)
    composites: Mapping[str, float] = field(default_factory=dict)

    def get(self, kind: str, target: str) -> float:
        """Weight of *target* of *kind* ('region', 'muscle', 'movement', 'reflex'), 0 if absent."""
        if kind == "muscle":
            return self.muscles.get(target, self.composites.get(target, 0.0))
        part = {"region": self.regions, "movement": self.movements, "reflex": self.reflexes}.get(kind, {})
        return part.get(target, 0.0)

    def __reduce__(self) -> tuple[Any, ...]:
        # the read-only views do not pickle: a territory travels as plain dicts and is rebuilt
        return (_rebuilt, (dict(self.regions), dict(self.muscles), dict(self.movements), dict(self.reflexes),
                           dict(self.composites)))


def _rebuilt(regions: dict[str, float], muscles: dict[str, float], movements: dict[str, float],
             reflexes: dict[str, float], composites: dict[str, float] | None = None) -> Territory:
    """Rebuild a pickled or copied :class:`Territory` with read-only views of its weights."""
    return Territory(MappingProxyType(regions), MappingProxyType(muscles), MappingProxyType(movements),
                     MappingProxyType(reflexes), MappingProxyType(composites or {}))


def composite_weights(parts_of: Mapping[str, Sequence[str]], muscles: Mapping[str, float]) -> dict[str, float]:
    """The weight of every composite muscle given its parts' weights: the mean over its parts.

    A lesion that spares one of two parts (a femoral lesion spares the psoas major) weakens
    the composite (the iliopsoas) by half, as a movement takes the mean of its muscles.

    Parameters
    ----------
    parts_of : mapping
        Composite id -> the ids of its parts (:attr:`neuromap.atlas.Atlas.composites`).
    muscles : mapping
        Muscle id -> weight.

    Returns
    -------
    dict of str to float
        Composite id -> weight, for the composites some part of which has a weight.

    Examples
    --------
    >>> composite_weights({"iliopsoas": ("psoas_major", "iliacus")}, {"iliacus": 1.0})
    {'iliopsoas': 0.5}
    """
    out = {}
    for node, parts in parts_of.items():
        share = sum(muscles.get(p, 0.0) for p in parts) / len(parts)
        if share > 0:
            out[node] = round(share, 6)
    return out


def primary_chains(tables: GraphTables) -> dict[str, tuple[str, ...]]:
    """For every node below a plexus: the chain plexus -> nerve -> ... -> node, through primary parents."""
    nodes, pred = tables.nodes, tables.pred
    chains: dict[str, tuple[str, ...]] = {}
    for node in tables.order:
        if nodes[node]["kind"] in ("root", "plexus", "movement"):
            continue
        parent = next((u for u, e in pred[node].items()
                       if e["relation"] in ("branch", "innervates", "reflex_arc")
                       or (e["relation"] == "supplies" and e["role"] == "primary")), None)
        if parent is not None:
            chains[node] = (*chains.get(parent, (parent,)), node)
    return chains


def descendants(tables: GraphTables) -> dict[str, frozenset[str]]:
    """Every node below each nerve, muscle, movement, reflex and region (``networkx.descendants``).

    One pass up the topological order; roots and plexuses, which no query asks about, are left
    out.

    Parameters
    ----------
    tables : GraphTables
        The graph.

    Returns
    -------
    dict of str to frozenset of str
        Node -> the nodes reachable from it.
    """
    below: dict[str, frozenset[str]] = {}
    for node in reversed(tables.order):
        if tables.nodes[node]["kind"] in ("root", "plexus"):
            continue
        reach: set[str] = set()
        for v in tables.succ[node]:
            reach.add(v)
            reach |= below[v]
        below[node] = frozenset(reach)
    return below


def nerve_territories(tables: GraphTables, below: Mapping[str, frozenset[str]]) -> dict[tuple[str, str], Territory]:
    """The territory of every nerve at each of its lesion sites.

    Parameters
    ----------
    tables : GraphTables
        The graph.
    below : mapping
        The nodes below each nerve (:func:`descendants`).

    Returns
    -------
    dict of (str, str) to Territory
        (nerve, site) -> territory; targets listed in topological order.
    """
    nodes, pred = tables.nodes, tables.pred
    movement_muscles = {m: tuple(pred[m]) for m, a in nodes.items() if a["kind"] == "movement"}
    out: dict[tuple[str, str], Territory] = {}
    for nerve, attrs in nodes.items():
        if attrs["kind"] != "nerve":
            continue
        order = [v for v in tables.order if v in below[nerve]]
        sites = [s["id"] for s in attrs["sites"]]
        for i, site in enumerate(sites):
            weights = _spread(tables, nerve, order, sites[i:], site)
            out[(nerve, site)] = _territory(tables, weights, movement_muscles)
    return out


def _spread(tables: GraphTables, nerve: str, below: Sequence[str], allowed_sites: Sequence[str],
            site: str) -> dict[str, float]:
    """Involvement of everything below a lesion of *nerve* at *site*, in topological order.

    A target reached along several routes adds their shares (capped at 1): the sural nerve,
    formed by a tibial and a fibular contribution, is fully involved only when both are.
    Branches leaving the lesioned nerve above the site are spared; a branch leaving at the
    site itself keeps the certainty its documented variants give it; a variant supply counts
    half.
    """
    acc: dict[str, float] = {nerve: 1.0}
    for v in below:
        total = 0.0
        for u, e in tables.pred[v].items():
            if u not in acc:
                continue
            w = acc[u] * e.get("share", 1.0)
            if u == nerve:
                if e.get("origin") not in allowed_sites:
                    continue
                if e.get("origin") == site:
                    w *= e.get("certainty", 1.0)
            if e["relation"] == "supplies" and e["role"] == "variant":
                w *= VARIANT_SUPPLY
            total += w
        if total > 0:
            acc[v] = min(1.0, total)
    del acc[nerve]
    return acc


def _territory(tables: GraphTables, weights: Mapping[str, float],
               movement_muscles: Mapping[str, Sequence[str]]) -> Territory:
    """Weights by kind; a movement takes the mean weight of the muscles that perform it."""
    by_kind: dict[str, dict[str, float]] = {"region": {}, "muscle": {}, "reflex": {}, "composite": {}}
    for node, w in weights.items():
        attrs = tables.nodes[node]
        kind = "composite" if attrs.get("parts") else attrs["kind"]
        if kind in by_kind:
            by_kind[kind][node] = round(w, 6)
    muscles = by_kind["muscle"]
    reached = {mv for mu in muscles for mv in tables.succ[mu]}
    movements = {}
    for mv, performers in movement_muscles.items():
        if mv in reached:
            share = sum(muscles.get(m, 0.0) for m in performers) / len(performers)
            if share > 0:
                movements[mv] = round(share, 6)
    return Territory(MappingProxyType(by_kind["region"]), MappingProxyType(muscles), MappingProxyType(movements),
                     MappingProxyType(by_kind["reflex"]), MappingProxyType(by_kind["composite"]))


def root_territory(tables: GraphTables, root: str, dermatome_map: str, area_maps: Sequence[str]) -> Territory:
    """What a lesion of *root* would affect under one dermatome layer.

    Region weights blend the chosen layer (three quarters) with the mean weight the area layers
    give the root (one quarter). Muscle and reflex weights are the root's weight in each (see
    :func:`neuromap.graph.root_weights`); a movement and a composite muscle take their strongest
    muscle.

    Parameters
    ----------
    tables : GraphTables
        The graph.
    root : str
        A root id.
    dermatome_map : str
        The layer's id.
    area_maps : sequence of str
        The ids of every area layer.

    Returns
    -------
    Territory
    """
    nodes, succ = tables.nodes, tables.succ
    regions = {}
    for v, e in succ[root].items():
        if e["relation"] == "dermatome":
            agreement = sum(e["weights"].get(m, 0.0) for m in area_maps) / len(area_maps)
            layer = e["weights"].get(dermatome_map, 0.0)
            w = (1.0 - DERMATOME_AGREEMENT_SHARE) * layer + DERMATOME_AGREEMENT_SHARE * agreement
            if w > 0:
                regions[v] = round(w, 6)
    weights = _root_weights(nodes, "muscle", root)
    muscles = {m: w for m, w in weights.items() if not nodes[m].get("parts")}
    composites = {m: w for m, w in weights.items() if nodes[m].get("parts")}
    movements: dict[str, float] = {}
    for mu, w in muscles.items():
        for mv, e in succ[mu].items():
            if e["relation"] == "performs":
                movements[mv] = max(movements.get(mv, 0.0), w)
    return Territory(MappingProxyType(regions), MappingProxyType(muscles), MappingProxyType(movements),
                     MappingProxyType(_root_weights(nodes, "reflex", root)), MappingProxyType(composites))


def _root_weights(nodes: Mapping[str, Mapping[str, Any]], kind: str, root: str) -> dict[str, float]:
    return {n: a["root_weights"][root] for n, a in nodes.items() if a["kind"] == kind and root in a["root_weights"]}
