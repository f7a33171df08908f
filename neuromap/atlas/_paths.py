"""The shortest path between two nodes of the atlas tables, as :func:`networkx.shortest_path` finds it.

:meth:`neuromap.atlas.Atlas.path` needs it for a nerve and a target off the nerve's primary
chain, for every finding a localization explains. networkx takes about as long to import as the
rest of neuromap's load (and the CLI's whole budget), so this is networkx's bidirectional
breadth-first search, step for step, on the atlas's plain adjacency; ``tests/test_atlas.py``
holds it to :func:`networkx.shortest_path` on every pair of the bundled atlas.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["shortest_path"]


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
