"""Paths in the atlas tables: from a root, plexus or nerve to a target, and the shortest path.

:func:`atlas_path` is the path :meth:`neuromap.atlas.Atlas.path` documents. :func:`shortest_path`
is the path :func:`networkx.shortest_path` finds.

:meth:`neuromap.atlas.Atlas.path` needs it for a nerve and a target off the nerve's primary
chain, for every finding a localization explains. networkx takes about as long to import as the
rest of neuromap's load (and the CLI's whole budget), so this is networkx's bidirectional
breadth-first search, step for step, on the atlas's plain adjacency; ``tests/test_atlas.py``
holds it to :func:`networkx.shortest_path` on every pair of the bundled atlas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["atlas_path", "shortest_path"]


def shortest_path(succ: Mapping[str, Mapping[str, object]], pred: Mapping[str, Mapping[str, object]],
                  source: str, target: str) -> list[str] | None:
    """The path ``networkx.shortest_path(graph, source, target)`` returns, or None if there is none.

    Parameters
    ----------
    succ, pred : mapping
        The graph's successors and predecessors of every node, in graph order.
    source, target : str
        Node ids.

    Returns
    -------
    list of str or None
        The nodes of the path, *source* first.

    Examples
    --------
    >>> succ = {"a": {"b": {}, "c": {}}, "b": {"d": {}}, "c": {"d": {}}, "d": {}}
    >>> pred = {"a": {}, "b": {"a": {}}, "c": {"a": {}}, "d": {"b": {}, "c": {}}}
    >>> shortest_path(succ, pred, "a", "d")
    ['a', 'b', 'd']
    """
    if target == source:
        return [source]
    back: dict[str, str | None] = {source: None}  # node -> the node before it, from the source
    ahead: dict[str, str | None] = {target: None}  # node -> the node after it, toward the target
    forward, reverse = [source], [target]
    meet: str | None = None
    while forward and reverse and meet is None:
        if len(forward) <= len(reverse):
            forward, meet = _step(forward, succ, back, ahead)
        else:
            reverse, meet = _step(reverse, pred, ahead, back)
    if meet is None:
        return None
    path: list[str] = []
    node: str | None = meet
    while node is not None:
        path.append(node)
        node = back[node]
    path.reverse()
    node = ahead[meet]
    while node is not None:
        path.append(node)
        node = ahead[node]
    return path


def _step(level: list[str], adjacency: Mapping[str, Mapping[str, object]], seen: dict[str, str | None],
          other: Mapping[str, str | None]) -> tuple[list[str], str | None]:
    """One level of the search from one side: the next level, and the node where the sides meet."""
    nxt: list[str] = []
    for v in level:
        for w in adjacency[v]:
            if w not in seen:
                nxt.append(w)
                seen[w] = v
            if w in other:
                return nxt, w
    return nxt, None


def atlas_path(nodes: Mapping[str, Mapping[str, Any]], succ: Mapping[str, Mapping[str, Any]],
               pred: Mapping[str, Mapping[str, Any]], chains: Mapping[str, tuple[str, ...]], src: str, tgt: str,
               dermatome_map: str | None) -> list[str] | None:
    """The path from *src* (a root, plexus or nerve) to *tgt*, as :meth:`neuromap.atlas.Atlas.path` describes it.

    *tgt* is a region, muscle or reflex (the atlas reaches a movement or a muscle group through
    its muscles).

    Parameters
    ----------
    nodes, succ, pred : mapping
        The atlas's node attributes, successors and predecessors.
    chains : mapping
        The primary chain (plexus, nerves, ..., node) down to every node below a plexus.
    src, tgt : str
        Node ids.
    dermatome_map : str or None
        The layer a dermatome edge must belong to; any layer if None.

    Returns
    -------
    list of str or None
        The node ids along the path, *src* first; None when *src* does not reach *tgt*.
    """
    skind, tkind = nodes[src]["kind"], nodes[tgt]["kind"]
    chain = chains.get(tgt)
    if skind == "nerve":
        if chain and src in chain:
            return list(chain[chain.index(src):])
        return shortest_path(succ, pred, src, tgt)
    if skind in ("root", "plexus"):
        if chain:
            nerves = [n for n in chain if nodes[n]["kind"] == "nerve"]
            carried = all(src in nodes[n]["roots"] for n in nerves) if skind == "root" else True
            if tkind in ("muscle", "reflex") and skind == "root":
                carried = carried and src in nodes[tgt]["roots"]
            if carried:
                head = _root_to_plexus(nodes, succ, pred, src, chain[0]) if skind == "root" else (
                    [src] if src == chain[0] else None)
                if head is not None:
                    return [*head, *chain[1:]] if head[-1] == chain[0] else [*head, *chain]
        if skind == "root" and tkind == "region" and tgt in succ[src]:
            if dermatome_map is None or dermatome_map in succ[src][tgt]["maps"]:
                return [src, tgt]
    return None


def _root_to_plexus(nodes: Mapping[str, Mapping[str, Any]], succ: Mapping[str, Mapping[str, Any]],
                    pred: Mapping[str, Mapping[str, Any]], root: str, node: str) -> list[str] | None:
    """[root, plexus] or [root, trunk, plexus], where *node* is the plexus; None if the root does not join it."""
    if nodes[node]["kind"] != "plexus":
        return None
    if node in succ[root]:
        return [root, node]
    for u in pred[node]:
        if nodes[u]["kind"] == "plexus" and u in succ[root]:
            return [root, u, node]
    return None
