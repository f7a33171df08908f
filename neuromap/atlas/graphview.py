"""The innervation graph as the atlas sees it: lookups from plain tables, networkx on demand.

networkx takes about as long to import as the rest of neuromap's load, so the atlas answers
:meth:`~GraphView.node`, :meth:`~GraphView.edge`, :meth:`~GraphView.successors` and
:meth:`~GraphView.predecessors` from the tables :func:`neuromap.graph.build_tables` returns, and
builds the frozen :class:`networkx.DiGraph` (:func:`neuromap.graph.to_digraph`) only when
:attr:`~GraphView.graph` is first asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuromap.atlas import export
from neuromap.errors import UnknownNameError, suggest
from neuromap.graph import GraphTables, to_digraph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["GraphView"]


class GraphView:
    """Lookups on the innervation graph; the base of :class:`neuromap.atlas.Atlas`.

    Parameters
    ----------
    tables : GraphTables
        The checked graph, from :func:`neuromap.graph.build_tables`.
    """

    def __init__(self, tables: GraphTables) -> None:
        self._tables = tables
        self._node, self._succ, self._pred = tables.nodes, tables.succ, tables.pred
        self._graph: nx.DiGraph | None = None
        self._graph_lock = threading.Lock()

    # -- the graph ----------------------------------------------------------------------
    @property
    def graph(self) -> nx.DiGraph:
        """The frozen innervation graph as a :class:`networkx.DiGraph`, built on first access.

        The same object every time (built once, also under concurrent first access); its nodes,
        edges and attributes equal those :meth:`node` and :meth:`edge` return, and are read-only.
        """
        with self._graph_lock:
            if self._graph is None:
                self._graph = to_digraph(self._tables)
        return self._graph

    def _unknown_node(self, ident: object) -> UnknownNameError:
        if not isinstance(ident, str):
            return UnknownNameError(repr(ident), "node", (), reason="is not a node id (expected a string)")
        return UnknownNameError(ident, "node", suggest(ident, self._node), reason="is not a node of the atlas graph")

    def node(self, ident: str) -> Mapping[str, Any]:
        """The attributes of one node of the graph (read-only), without building the graph.

        Parameters
        ----------
        ident : str
            A node id (a root, plexus, nerve, muscle, movement, reflex or region id; names and
            aliases go through :meth:`resolve`).

        Returns
        -------
        Mapping
            The node's read-only attributes: ``kind``, ``label``, ``aliases``, ``sources`` and
            the kind's own (see :mod:`neuromap.graph`); equal to ``graph.nodes[ident]``.

        Raises
        ------
        UnknownNameError
            If *ident* is not a node id; the message lists the closest ids.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.node("deep_fibular")["label"]
        'Deep fibular nerve'
        >>> atlas.node("L5")["kind"]
        'root'
        """
        try:
            return self._node[ident]
        except (KeyError, TypeError):
            raise self._unknown_node(ident) from None

    def edge(self, u: str, v: str) -> Mapping[str, Any]:
        """The attributes of the edge *u* -> *v* (read-only), without building the graph.

        Parameters
        ----------
        u, v : str
            Node ids: the edge runs from *u* (toward the roots) to *v*.

        Returns
        -------
        Mapping
            The edge's read-only attributes: ``relation``, ``sources`` and the relation's own
            (``origin``, ``maps``, ...); equal to ``graph.edges[u, v]``.

        Raises
        ------
        UnknownNameError
            If *u* or *v* is not a node id, or there is no edge from *u* to *v*.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.edge("common_fibular", "deep_fibular")["relation"]
        'branch'
        >>> dict(atlas.edge("L5", "first_web_space")["maps"])["lee_2008"]
        'primary'
        """
        try:
            return self._succ[u][v]
        except (KeyError, TypeError):
            self.node(u)
            self.node(v)
            close = [f"{u} -> {w}" for w in suggest(v, self._succ[u])]
            raise UnknownNameError(f"{u} -> {v}", "edge", close, reason="is not an edge of the atlas graph") from None

    def successors(self, ident: str) -> tuple[str, ...]:
        """The nodes an edge from *ident* leads to, in graph order, without building the graph.

        Parameters
        ----------
        ident : str
            A node id.

        Returns
        -------
        tuple of str
            The successors' ids, in the order of ``graph.successors(ident)``.

        Raises
        ------
        UnknownNameError
            If *ident* is not a node id.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().successors("common_fibular")
        ('superficial_fibular', 'deep_fibular', 'lateral_sural_cutaneous', 'biceps_femoris_short_head')
        """
        try:
            return tuple(self._succ[ident])
        except (KeyError, TypeError):
            raise self._unknown_node(ident) from None

    def predecessors(self, ident: str) -> tuple[str, ...]:
        """The nodes with an edge to *ident*, in graph order, without building the graph.

        Parameters
        ----------
        ident : str
            A node id.

        Returns
        -------
        tuple of str
            The predecessors' ids, in the order of ``graph.predecessors(ident)``.

        Raises
        ------
        UnknownNameError
            If *ident* is not a node id.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().predecessors("first_web_space")
        ('deep_fibular', 'L5')
        """
        try:
            return tuple(self._pred[ident])
        except (KeyError, TypeError):
            raise self._unknown_node(ident) from None

    # -- export --------------------------------------------------------------------------
    def to_node_link(self) -> dict[str, Any]:
        """The graph as node-link JSON-safe data (see :func:`neuromap.atlas.export.to_node_link`)."""
        return export.to_node_link(self.graph)

    def write_graphml(self, path: str | Path) -> None:
        """Write the graph as GraphML (see :func:`neuromap.atlas.export.write_graphml`)."""
        export.write_graphml(self.graph, path)

    def copy_graph(self) -> nx.DiGraph:
        """An unfrozen deep copy of the graph with plain dict and list attributes, for experiments."""
        import networkx as nx

        return nx.node_link_graph(self.to_node_link(), edges="links")
