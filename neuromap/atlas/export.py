"""The atlas graph as plain data: node-link JSON and GraphML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["plain_data", "to_node_link", "write_graphml"]

#: The exact types :func:`plain_data` returns as they are (the common leaves, without ABC checks).
_LEAVES = frozenset({str, float, int, bool, type(None)})


def plain_data(value: Any) -> Any:
    """A JSON-safe copy of nested mappings and sequences (read-only views become dicts and lists).

    Parameters
    ----------
    value : object
        Nested mappings, lists, tuples and scalars.

    Returns
    -------
    object
        The same data with every mapping a dict (keys as strings) and every sequence a list.

    Examples
    --------
    >>> from types import MappingProxyType
    >>> plain_data(MappingProxyType({"roots": ("L4", "L5")}))
    {'roots': ['L4', 'L5']}
    """
    t = type(value)
    if t in _LEAVES:
        return value
    # the common containers, without ABC checks, and their leaves kept without a call each
    if t is dict:
        return {k if type(k) is str else str(k): v if type(v) in _LEAVES else plain_data(v)
                for k, v in value.items()}
    if t is list or t is tuple:
        return [v if type(v) in _LEAVES else plain_data(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    return value


def to_node_link(graph: nx.DiGraph) -> dict[str, Any]:
    """*graph* as node-link JSON-safe data (:func:`networkx.node_link_data`, edges under ``links``).

    Parameters
    ----------
    graph : networkx.DiGraph
        The atlas graph.

    Returns
    -------
    dict
        ``directed``, ``multigraph``, ``graph``, ``nodes`` and ``links``, as plain data.
    """
    import networkx as nx

    return plain_data(nx.node_link_data(graph, edges="links"))


def write_graphml(graph: nx.DiGraph, path: str | Path) -> None:
    """Write *graph* as GraphML; list and mapping attributes are stored as JSON strings, None dropped.

    Parameters
    ----------
    graph : networkx.DiGraph
        The atlas graph.
    path : str or Path
        The file to write.
    """
    import networkx as nx

    g = nx.DiGraph()
    g.graph.update({k: _scalar(v) for k, v in graph.graph.items()})
    for n, a in graph.nodes(data=True):
        g.add_node(n, **{k: _scalar(v) for k, v in a.items() if v is not None})
    for u, v, a in graph.edges(data=True):
        g.add_edge(u, v, **{k: _scalar(x) for k, x in a.items() if x is not None})
    nx.write_graphml(g, str(path))


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(plain_data(value), sort_keys=True)
