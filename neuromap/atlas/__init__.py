"""The atlas: the innervation graph and the foot surface, bound by region id.

:func:`load_atlas` reads and validates the data files, builds the frozen graph
(:mod:`neuromap.graph`) and the foot template (:mod:`neuromap.geometry`), checks that both name
the same regions, and precomputes what queries need (:class:`Atlas`).

Modules
-------
core
    :class:`Atlas`.
loading
    :func:`load_atlas`, which builds an atlas once per directory and caches it.
graphview
    :class:`~neuromap.atlas.graphview.GraphView`, the graph lookups :class:`Atlas` inherits.
grammar
    :func:`normalize_name` and :class:`~neuromap.atlas.grammar.Grammar`, how a name is folded.
names
    The index from names to entities: exact, normalised, corrected; suggestions.
territory
    :class:`Territory` and the territory computations.
entity
    :class:`Entity`, what :meth:`Atlas.resolve` returns, and :class:`NameMatch`.
export
    :func:`plain_data`, node-link and GraphML export.
"""

from neuromap.atlas.core import Atlas
from neuromap.atlas.entity import Entity, NameMatch
from neuromap.atlas.export import plain_data
from neuromap.atlas.loading import load_atlas
from neuromap.atlas.names import ENTITY_KINDS, normalize_name
from neuromap.atlas.territory import Territory

__all__ = ["ENTITY_KINDS", "Atlas", "Entity", "NameMatch", "Territory", "load_atlas", "normalize_name", "plain_data"]
