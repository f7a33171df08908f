"""The atlas: the innervation graph and the foot surface, bound by region id.

:func:`load_atlas` reads the data files, validates them, builds the frozen graph
(:mod:`neuromap.graph`) and the foot template (:mod:`neuromap.geometry`), checks that both
name the same regions, and precomputes what queries need: the territory of every lesion site
(a root, a nerve at each site along it, a plexus) and the path from every root and nerve to
every region, muscle and reflex. Queries then answer from these tables instead of walking the
graph.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from neuromap.datasets import ROOT_IDS, AtlasData, bundled_data_dir, read_atlas_data
from neuromap.errors import AtlasDataError, UnknownNameError, suggest
from neuromap.geometry import FootTemplate
from neuromap.graph import GraphTables, build_tables, to_digraph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Atlas", "Entity", "Territory", "load_atlas", "normalize_name"]

#: Kinds an entity can have, in the order :meth:`Atlas.resolve` prefers when a name is
#: ambiguous and no kind is asked for.
ENTITY_KINDS = ("root", "plexus", "nerve", "region", "group", "movement", "muscle", "reflex", "sign")

_PLURALS = {"root": "roots", "plexus": "plexuses", "nerve": "nerves", "muscle": "muscles", "movement": "movements",
            "reflex": "reflexes", "region": "regions"}
_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
_WORD_FOLDS = {"peroneal": "fibular", "peroneus": "fibularis", "peronei": "fibulares"}
_KIND_WORDS = ("nerve", "nerves", "muscle", "reflex", "root", "region")
_KIND_WORD_SET = frozenset(_KIND_WORDS)
#: str.translate table: every ASCII character that is not [a-z0-9] becomes a space (text is lower case)
_SPLIT_ASCII = {c: " " for c in range(128) if not (chr(c).isascii() and (chr(c).isdigit() or "a" <= chr(c) <= "z"))}
_SPLIT_ASCII_LINES = {c: s for c, s in _SPLIT_ASCII.items() if c != ord("\n")}
_FOLDED_WORDS = frozenset(_ORDINALS) | frozenset(_WORD_FOLDS)


@functools.lru_cache(maxsize=16384)
def normalize_name(text: str) -> str:
    """Fold a name to the form used for lookup.

    Case, accents, punctuation, hyphens and underscores are ignored; British spellings with
    'ae' fold to the American 'e'; ordinals are spelled out; 'peroneal' folds to 'fibular';
    a leading 'the' is dropped.

    Examples
    --------
    >>> normalize_name("Common Peroneal-Nerve")
    'common fibular nerve'
    >>> normalize_name("1st dorsal web_space")
    'first dorsal web space'
    >>> normalize_name("Saddle anaesthesia") == normalize_name("saddle anesthesia")
    True
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # ASCII from here: the apostrophe goes, '&' is 'and', anything but [a-z0-9] splits words
    return _fold_words(text.lower().replace("'", "").replace("&", " and ").translate(_SPLIT_ASCII).split())


def _fold_words(words: list[str]) -> str:
    """Ordinals spelled out, 'peroneal' -> 'fibular', 'ae' -> 'e', a leading 'the' dropped."""
    if _FOLDED_WORDS.isdisjoint(words):
        # 'ae' -> 'e' inside words; a replacement cannot reach across the joining spaces
        folded = " ".join(words).replace("ae", "e")
    else:
        folded = " ".join(_WORD_FOLDS.get(_ORDINALS.get(w, w), _ORDINALS.get(w, w)) for w in words).replace("ae", "e")
    if folded == "the":
        return ""
    return folded[4:] if folded.startswith("the ") else folded


def _normalize_many(names: list[str]) -> list[str]:
    """``[normalize_name(n) for n in names]`` in a few whole-batch string operations."""
    joined = "\n".join(names)
    if not joined.isascii() or joined.count("\n") != len(names) - 1:
        return [normalize_name(n) for n in names]
    text = joined.lower().replace("'", "").replace("&", " and ").translate(_SPLIT_ASCII_LINES)
    return [_fold_words(line.split()) for line in text.split("\n")]


@dataclass(frozen=True)
class Territory:
    """What a lesion at one site would affect, with a weight in [0, 1] per target.

    ``regions``, ``muscles``, ``movements`` and ``reflexes`` map target ids to how strongly the
    lesion is expected to involve them (1 = always, lower = partly, or only in some maps,
    sources or anatomical variants).
    """

    regions: Mapping[str, float] = field(default_factory=dict)
    muscles: Mapping[str, float] = field(default_factory=dict)
    movements: Mapping[str, float] = field(default_factory=dict)
    reflexes: Mapping[str, float] = field(default_factory=dict)

    def get(self, kind: str, target: str) -> float:
        """Weight of *target* of *kind* ('region', 'muscle', 'movement', 'reflex'), 0 if absent."""
        if kind == "region":
            return self.regions.get(target, 0.0)
        if kind == "muscle":
            return self.muscles.get(target, 0.0)
        if kind == "movement":
            return self.movements.get(target, 0.0)
        if kind == "reflex":
            return self.reflexes.get(target, 0.0)
        return 0.0


def _ro(d: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(d))


class Entity:
    """A read-only view of one atlas entity: a root, nerve, region, muscle, movement, ...

    Returned by :meth:`Atlas.resolve` and ``atlas[...]``. Its methods answer from the atlas.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> atlas["deep peroneal nerve"]
    <Entity nerve 'deep_fibular' | Deep fibular nerve>
    >>> "first_web_space" in atlas["deep_fibular"].regions()
    True
    """

    __slots__ = ("_atlas", "id", "kind", "label")

    def __init__(self, atlas: Atlas, id: str, kind: str, label: str) -> None:
        self._atlas = atlas
        self.id = id
        self.kind = kind
        self.label = label

    def __repr__(self) -> str:
        return f"<Entity {self.kind} {self.id!r} | {self.label}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and (self.id, self.kind) == (other.id, other.kind)

    def __hash__(self) -> int:
        return hash((self.id, self.kind))

    @property
    def attrs(self) -> Mapping[str, Any]:
        """The entity's attributes (read-only)."""
        return self._atlas._attrs(self.id, self.kind)

    def regions(self, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Regions this entity reaches, with weights (see :meth:`Atlas.regions_for`)."""
        return self._atlas.regions_for(self.id, dermatome_map=dermatome_map)

    def muscles(self) -> dict[str, float]:
        """Muscles this entity supplies, with weights (see :meth:`Atlas.muscles_for`)."""
        return self._atlas.muscles_for(self.id)

    def movements(self) -> dict[str, float]:
        """Movements this entity takes part in, with weights (see :meth:`Atlas.movements_for`)."""
        return self._atlas.movements_for(self.id)

    def nerves(self) -> tuple[str, ...]:
        """Nerves involved: those carrying a root, below a nerve, or supplying a target."""
        return self._atlas.nerves_for(self.id)

    def roots(self, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Roots of this entity with weights (see :meth:`Atlas.roots_for`)."""
        return self._atlas.roots_for(self.id, dermatome_map=dermatome_map)


class Atlas:
    """The innervation atlas of the lower limb and the foot surface.

    Use :func:`load_atlas` to get one; an ``Atlas`` is immutable and safe to share between
    threads.

    Attributes
    ----------
    graph : networkx.DiGraph
        The frozen innervation graph (see :mod:`neuromap.graph` for node kinds and relations),
        built on first access (loading, localizing and plotting do not need networkx; use
        :meth:`node`, :meth:`edge`, :meth:`successors` and :meth:`predecessors` for lookups).
    template : FootTemplate
        The foot surface: region polygons in four views, for either side.
    version : str
        The atlas version from the data manifest.
    default_dermatome_map : str
        The dermatome layer used when none is asked for.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> atlas.resolve("big toe").id
    'hallux'
    >>> sorted(atlas.roots_for("first_web_space", dermatome_map="lee_2008"))
    ['L5']
    >>> atlas.path("L5", "first_web_space")
    ['L5', 'lumbosacral_trunk', 'sacral_plexus', 'sciatic', 'common_fibular', 'deep_fibular', 'first_web_space']
    """

    def __init__(self, data: AtlasData) -> None:
        self.data = data
        tables = build_tables(data)
        self._node, self._succ, self._pred = tables.nodes, tables.succ, tables.pred
        self._graph_attrs = tables.attrs
        self._graph: nx.DiGraph | None = None
        self._graph_lock = threading.Lock()
        topo = tables.order
        self.template = FootTemplate.from_geojson(data.foot, file="foot.geojson")
        self.version = data.version
        self.default_dermatome_map: str = data.dermatomes["default"]
        self._maps = {m["id"]: m for m in data.dermatomes["maps"]}
        self._groups = {g["id"]: g for g in data.groups}
        self._signs = {s["id"]: s for s in data.signs}
        self._check_regions_match()
        ids: dict[str, list[str]] = {k: [] for k in ("root", "plexus", "nerve", "muscle", "movement", "reflex",
                                                      "region")}
        for n, attrs in self._node.items():
            ids[attrs["kind"]].append(n)
        self._ids = {k: tuple(v) for k, v in ids.items()}
        self._off_foot = frozenset(normalize_name(t) for t in data.not_on_foot)
        self._index = self._build_index()
        self._resolved: dict[tuple[str, Any], Entity] = {}
        self._chains = self._build_chains(topo)
        self._nerve_territories = self._build_nerve_territories(topo)
        self._root_territories: dict[str, dict[str, Territory]] = {}

    # -- the graph ----------------------------------------------------------------------
    @property
    def graph(self) -> nx.DiGraph:
        """The frozen innervation graph as a :class:`networkx.DiGraph`, built on first access.

        The same object every time (built once, also under concurrent first access); its nodes,
        edges and attribute mappings are those :meth:`node` and :meth:`edge` return.
        """
        g = self._graph
        if g is None:
            with self._graph_lock:
                g = self._graph
                if g is None:
                    g = self._graph = to_digraph(GraphTables(self._node, self._succ, self._pred,
                                                             self._graph_attrs, []))
        return g

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
            the kind's own (see :mod:`neuromap.graph`); the same mapping as ``graph.nodes[ident]``.

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
            (``origin``, ``maps``, ...); the same mapping as ``graph.edges[u, v]``.

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

    # -- construction ---------------------------------------------------------------------
    def _check_regions_match(self) -> None:
        nodes = self._node
        graph_regions = {n for n, a in nodes.items() if a["kind"] == "region"}
        template_regions = set(self.template.regions())
        for r in sorted(template_regions - graph_regions):
            raise AtlasDataError("foot.geojson", r, "region is not in regions.json")
        for r in sorted(graph_regions - template_regions):
            raise AtlasDataError("foot.geojson", r, "region of regions.json has no polygon")
        view_of = self.template._view_of
        for r in sorted(graph_regions):
            if nodes[r]["view"] != view_of[r]:
                view = nodes[r]["view"]
                raise AtlasDataError("foot.geojson", r, f"view differs from regions.json ({view})")

    def _build_index(self) -> dict[str, dict[str, str]]:
        """Folded name -> {kind: id}. A name naming two ids of one kind is a data error."""
        files = {"root": "roots.json", "plexus": "roots.json", "nerve": "nerves.json", "muscle": "muscles.json",
                 "movement": "muscles.json", "reflex": "reflexes.json", "region": "regions.json"}
        names: list[str] = []
        owners: list[tuple[str, str, str]] = []  # (kind, id, file) of each name
        for node, attrs in self._node.items():
            kind = attrs["kind"]
            # (the id with spaces for underscores folds to the id's own form, so it adds nothing)
            entity_names = (node, attrs["label"], *attrs["aliases"])
            names.extend(entity_names)
            owners.extend([(kind, node, files[kind])] * len(entity_names))
        for kind, file, table in (("group", "groups.json", self._groups), ("sign", "signs.json", self._signs)):
            for ident, e in table.items():
                entity_names = (ident, e["label"], *e.get("aliases", []))
                names.extend(entity_names)
                owners.extend([(kind, ident, file)] * len(entity_names))
        index: dict[str, dict[str, str]] = {}
        kind_words = _KIND_WORD_SET
        for name, base, (kind, ident, file) in zip(names, _normalize_many(names), owners, strict=True):
            if not base:
                continue
            head, _, last = base.rpartition(" ")  # _variants_of(base), inline
            for variant in ((base, head) if head and last in kind_words else (base,)):
                slot = index.get(variant)
                if slot is None:
                    index[variant] = {kind: ident}
                    continue
                got = slot.get(kind)
                if got is None:
                    slot[kind] = ident
                elif got != ident:
                    raise AtlasDataError(file, ident, f"name {name!r} also names the {kind} {got!r}")
        return index

    def _build_chains(self, topo: list[str]) -> dict[str, tuple[str, ...]]:
        """For every node below a plexus: the chain plexus -> nerve -> ... -> node (primary parents).

        *topo* is the graph's topological order (that of :func:`networkx.topological_sort`).
        """
        nodes, pred = self._node, self._pred
        chains: dict[str, tuple[str, ...]] = {}

        def parent(node: str) -> str | None:
            for u, e in pred[node].items():
                rel = e["relation"]
                if rel in ("branch", "innervates", "reflex_arc") or (rel == "supplies" and e["role"] == "primary"):
                    return u
            return None

        for node in topo:
            kind = nodes[node]["kind"]
            if kind in ("root", "plexus", "movement"):
                continue
            p = parent(node)
            if p is None:
                continue
            chains[node] = (*chains.get(p, (p,)), node)
        return chains

    def _build_nerve_territories(self, topo: list[str]) -> dict[tuple[str, str], Territory]:
        nodes, succ, pred = self._node, self._succ, self._pred
        out: dict[tuple[str, str], Territory] = {}
        movement_muscles = {m: list(pred[m]) for m, a in nodes.items() if a["kind"] == "movement"}
        position = {n: i for i, n in enumerate(topo)}
        for nerve, attrs in nodes.items():
            if attrs["kind"] != "nerve":
                continue
            seen: set[str] = set()
            stack = [nerve]
            while stack:
                for v in succ[stack.pop()]:
                    if v not in seen:
                        seen.add(v)
                        stack.append(v)
            seen.discard(nerve)
            below = sorted(seen, key=position.__getitem__)
            sites = [s["id"] for s in attrs["sites"]]
            for i, site in enumerate(sites):
                weights = self._spread(nerve, below, sites[i:], site)
                out[(nerve, site)] = self._territory_from(weights, movement_muscles)
        return out

    def _spread(self, nerve: str, below: list[str], allowed_sites: list[str], site: str) -> dict[str, float]:
        """Involvement of everything below a lesion of *nerve* at *site*, in topological order.

        A target reached along several routes adds their shares (capped at 1): the sural nerve,
        formed by a tibial and a fibular contribution, is fully involved only when both are.
        Branches leaving the lesioned nerve above the site are spared; a branch leaving at the
        site itself keeps the certainty its documented variants give it.
        """
        pred = self._pred
        acc: dict[str, float] = {nerve: 1.0}
        for v in below:
            total = 0.0
            for u, e in pred[v].items():
                if u not in acc:
                    continue
                w = acc[u] * e.get("share", 1.0)
                if u == nerve:
                    if e.get("origin") not in allowed_sites:
                        continue
                    if e.get("origin") == site:
                        w *= e.get("certainty", 1.0)
                if e["relation"] == "supplies" and e["role"] == "variant":
                    w *= 0.5
                total += w
            if total > 0:
                acc[v] = min(1.0, total)
        del acc[nerve]
        return acc

    def _territory_from(self, weights: Mapping[str, float], movement_muscles: Mapping[str, list[str]]) -> Territory:
        nodes, succ = self._node, self._succ
        by_kind: dict[str, dict[str, float]] = {"region": {}, "muscle": {}, "reflex": {}}
        for node, w in weights.items():
            kind = nodes[node]["kind"]
            if kind in by_kind:
                by_kind[kind][node] = round(w, 6)
        muscles_in = by_kind["muscle"]
        reached = {mv for mu in muscles_in for mv in succ[mu]}  # only these can have a share > 0
        movements = {}
        for mv, muscles in movement_muscles.items():
            if mv not in reached:
                continue
            share = sum(muscles_in.get(m, 0.0) for m in muscles) / len(muscles)
            if share > 0:
                movements[mv] = round(share, 6)
        # fresh dicts: read-only views without a copy
        return Territory(MappingProxyType(by_kind["region"]), MappingProxyType(muscles_in),
                         MappingProxyType(movements), MappingProxyType(by_kind["reflex"]))

    # -- names ---------------------------------------------------------------------------
    def _attrs(self, ident: str, kind: str) -> Mapping[str, Any]:
        if kind == "group":
            return MappingProxyType(self._groups[ident])
        if kind == "sign":
            return MappingProxyType(self._signs[ident])
        return self.node(ident)

    def _label(self, ident: str, kind: str) -> str:
        return str(self._attrs(ident, kind)["label"])

    def names(self, kind: str | Iterable[str] | None = None) -> list[str]:
        """Every id, label and alias (as written in the data) of entities of *kind*, sorted.

        Examples
        --------
        >>> import neuromap
        >>> "big toe" in neuromap.load_atlas().names("group")
        True
        """
        kinds = _kinds(kind)
        out: set[str] = set()
        for node, attrs in self._node.items():
            if attrs["kind"] in kinds:
                out.update((node, attrs["label"], *attrs["aliases"]))
        if "group" in kinds:
            for gid, g in self._groups.items():
                out.update((gid, g["label"], *g.get("aliases", [])))
        if "sign" in kinds:
            for sid, s in self._signs.items():
                out.update((sid, s["label"], *s.get("aliases", [])))
        return sorted(out, key=str.lower)

    def ids(self, kind: str) -> tuple[str, ...]:
        """Ids of every entity of one kind, in data order."""
        if kind == "group":
            return tuple(self._groups)
        if kind == "sign":
            return tuple(self._signs)
        return self._ids.get(kind, ())

    def resolve(self, text: str, kind: str | Iterable[str] | None = None, *, field: str | None = None) -> Entity:
        """Find the entity a name refers to.

        Parameters
        ----------
        text : str
            An id, label or alias, in any case, with any spacing, hyphens or underscores, in
            British or American spelling ('peroneal' is accepted for 'fibular').
        kind : str or iterable of str, optional
            Restrict the search to these kinds (root, plexus, nerve, region, group, movement,
            muscle, reflex, sign). When a name fits several kinds, the first of ``kind`` (or
            of :data:`ENTITY_KINDS`) wins.
        field : str, optional
            Where the name came from, quoted in the error message.

        Returns
        -------
        Entity

        Raises
        ------
        UnknownNameError
            If nothing of the asked kinds has that name; the message lists the closest names.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.resolve("Common Peroneal Nerve").id
        'common_fibular'
        >>> atlas.resolve("knee jerk", "reflex").id
        'patellar'
        """
        if not isinstance(text, str):
            raise UnknownNameError(repr(text), _kind_word(kind), (), field=field,
                                   reason="is not a name (expected a string)")
        key = (text, kind if kind is None or isinstance(kind, str) else tuple(kind))
        hit = self._resolved.get(key)
        if hit is not None:
            return hit
        kinds = _kinds(kind)
        slot = self._index.get(normalize_name(text), {})
        for k in (k for k in ENTITY_KINDS if k in kinds):
            if k in slot:
                entity = Entity(self, slot[k], k, self._label(slot[k], k))
                if len(self._resolved) < 65536:  # the atlas is immutable: a name always resolves the same way
                    self._resolved[key] = entity
                return entity
        raise UnknownNameError(text, _kind_word(kind), self.suggestions(text, kinds), field=field)

    def suggestions(self, text: str, kind: str | Iterable[str] | None = None, n: int = 3) -> list[str]:
        """The closest names to *text* among entities of *kind*, one per entity, best first.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().suggestions("frist web spase", "region")
        ['first web space']
        """
        kinds = _kinds(kind)
        folded: dict[str, tuple[str, str]] = {}
        for name, slot in self._index.items():
            for k, ident in slot.items():
                if k in kinds:
                    folded.setdefault(name, (k, ident))
        out: list[str] = []
        seen: set[tuple[str, str]] = set()
        for name in suggest(normalize_name(text), folded, n=4 * n, cutoff=0.6):
            if folded[name] not in seen:
                seen.add(folded[name])
                out.append(name)
            if len(out) == n:
                break
        return out

    def __getitem__(self, text: str) -> Entity:
        return self.resolve(text)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalize_name(text) in self._index

    def regions_of(self, text: str, *, field: str | None = None) -> tuple[str, ...]:
        """Region ids a region or group name stands for.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().regions_of("big toe")
        ('hallux_dorsal', 'hallux_plantar')
        """
        entity = self.resolve(text, ("region", "group"), field=field)
        if entity.kind == "group":
            return tuple(self._groups[entity.id]["regions"])
        return (entity.id,)

    def is_off_foot(self, text: str) -> bool:
        """Whether *text* names a body part outside neuromap's foot surface ('thumb', 'palm')."""
        return normalize_name(text) in self._off_foot

    def chain(self, node: str) -> tuple[str, ...]:
        """The primary chain from a plexus down to *node* (plexus, nerves, ..., node); empty for roots.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().chain("first_web_space")
        ('sacral_plexus', 'sciatic', 'common_fibular', 'deep_fibular', 'first_web_space')
        """
        return self._chains.get(node, ())

    def sign(self, sign: str) -> Mapping[str, Any]:
        """The attributes of a sign (read-only), by id.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().sign("saddle_anaesthesia")["red_flag"]
        'cauda_equina'
        """
        return MappingProxyType(self._signs[sign])

    def view_label(self, view: str) -> str:
        """The display label of a surface view ('Dorsal view')."""
        return str(self.data.views[view]["label"])

    # -- dermatome maps ------------------------------------------------------------------
    @property
    def dermatome_maps(self) -> tuple[str, ...]:
        """Ids of the dermatome layers, default first."""
        rest = [m for m in self._maps if m != self.default_dermatome_map]
        return (self.default_dermatome_map, *rest)

    def dermatome_map_info(self, dermatome_map: str) -> Mapping[str, Any]:
        """Label, kind, sources, method and caveats of one dermatome layer."""
        return MappingProxyType(self._maps[self.check_map(dermatome_map)])

    def check_map(self, dermatome_map: str | None, *, field: str = "dermatome_map") -> str:
        """Return a valid map id (the default for None) or raise a one-line error."""
        if dermatome_map is None:
            return self.default_dermatome_map
        if dermatome_map in self._maps:
            return dermatome_map
        if isinstance(dermatome_map, str):
            key = normalize_name(dermatome_map)
            for m, info in self._maps.items():
                if key in (normalize_name(m), normalize_name(info["label"])):
                    return m
        close = suggest(str(dermatome_map), self._maps) or list(self._maps)
        raise UnknownNameError(str(dermatome_map), "dermatome map", close, field=field)

    def dermatome(self, region: str, dermatome_map: str | None = None) -> dict[str, float]:
        """Roots one dermatome layer assigns to a region, with their weights."""
        m = self.check_map(dermatome_map)
        out = {}
        for u in self.predecessors(region):
            e = self._succ[u][region]
            if e["relation"] == "dermatome" and m in e["weights"]:
                out[u] = e["weights"][m]
        return dict(sorted(out.items(), key=lambda kv: ROOT_IDS.index(kv[0])))

    def dermatome_grades(self, region: str, dermatome_map: str | None = None) -> dict[str, str]:
        """Roots one dermatome layer assigns to a region, with their grades, cranial first.

        Parameters
        ----------
        region : str
            A region id.
        dermatome_map : str, optional
            The layer (id or label); the default layer if None.

        Returns
        -------
        dict of str to str
            Root -> grade (``primary``, ``overlap`` or ``variable``), most cranial root first;
            empty where the layer gives the region no root (a points layer gives none).

        Raises
        ------
        UnknownNameError
            If *region* is not a node id or the layer is unknown.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().dermatome_grades("first_web_space", "lee_2008")
        {'L5': 'primary'}
        """
        m = self.check_map(dermatome_map)
        succ = self._succ
        out = {}
        for u in self.predecessors(region):
            e = succ[u][region]
            if e["relation"] == "dermatome" and m in e["maps"]:
                out[u] = e["maps"][m]
        return dict(sorted(out.items(), key=lambda kv: ROOT_IDS.index(kv[0])))

    def dermatome_agreement(self, region: str, root: str) -> float:
        """Mean weight the area maps give *root* on *region* (0 where a map gives it nothing)."""
        area = [m for m, info in self._maps.items() if info["kind"] == "areas"]
        e = self._succ.get(root, {}).get(region)
        if e is None:
            return 0.0
        w = e.get("weights", {})
        return sum(w.get(m, 0.0) for m in area) / len(area)

    # -- territories ---------------------------------------------------------------------
    def sites(self, nerve: str) -> tuple[str, ...]:
        """Lesion sites along a nerve, proximal to distal."""
        return tuple(s["id"] for s in self.node(nerve)["sites"])

    def nerve_territory(self, nerve: str, site: str | None = None) -> Territory:
        """What a lesion of *nerve* at *site* (default: its most proximal site) would affect."""
        site = site or self.sites(nerve)[0]
        return self._nerve_territories[(nerve, site)]

    def root_territory(self, root: str, dermatome_map: str | None = None) -> Territory:
        """What a lesion of *root* would affect under one dermatome layer.

        Region weights blend the chosen layer (three quarters) with the agreement of all area
        layers (one quarter), so a region that every map gives the root outranks one that only
        the chosen map gives it. Muscle and reflex weights come from the root values of every
        source (see :func:`neuromap.graph.root_weights`); a movement takes its strongest muscle.
        """
        m = self.check_map(dermatome_map)
        cache = self._root_territories.setdefault(m, {})
        if root in cache:
            return cache[root]
        nodes, succ = self._node, self._succ
        out_edges = succ.get(root)
        if out_edges is None:
            raise self._unknown_node(root)
        regions = {}
        for v, e in out_edges.items():
            if e["relation"] == "dermatome":
                w = 0.75 * e["weights"].get(m, 0.0) + 0.25 * self.dermatome_agreement(v, root)
                if w > 0:
                    regions[v] = round(w, 6)
        muscles = {n: a["root_weights"][root] for n, a in nodes.items()
                   if a["kind"] == "muscle" and root in a["root_weights"]}
        reflexes = {n: a["root_weights"][root] for n, a in nodes.items()
                    if a["kind"] == "reflex" and root in a["root_weights"]}
        movements: dict[str, float] = {}
        for mu, w in muscles.items():
            for mv in succ[mu]:
                movements[mv] = max(movements.get(mv, 0.0), w)
        t = Territory(_ro(regions), _ro(muscles), _ro(movements), _ro(reflexes))
        cache[root] = t
        return t

    # -- queries -------------------------------------------------------------------------
    def _id(self, text: str) -> tuple[str, str]:
        try:
            attrs = self._node.get(text)
        except TypeError:  # not hashable: resolve() words the error
            attrs = None
        if attrs is not None:
            return text, attrs["kind"]
        e = self.resolve(text)
        return e.id, e.kind

    def regions_for(self, text: str, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Regions reached by a root (its dermatome in one layer) or a nerve (its territory).

        Examples
        --------
        >>> import neuromap
        >>> sorted(neuromap.load_atlas().regions_for("saphenous"))[:4]
        ['anterior_knee', 'medial_border', 'medial_dorsum', 'medial_forefoot']
        """
        ident, kind = self._id(text)
        if kind == "root":
            return dict(self.root_territory(ident, dermatome_map).regions)
        if kind == "nerve":
            return dict(self.nerve_territory(ident).regions)
        if kind == "group":
            return dict.fromkeys(self._groups[ident]["regions"], 1.0)
        if kind == "region":
            return {ident: 1.0}
        return {}

    def muscles_for(self, text: str) -> dict[str, float]:
        """Muscles a root or nerve supplies, with weights; a movement's muscles."""
        ident, kind = self._id(text)
        if kind == "root":
            return dict(self.root_territory(ident).muscles)
        if kind == "nerve":
            return dict(self.nerve_territory(ident).muscles)
        if kind == "movement":
            return dict.fromkeys(self._pred[ident], 1.0)
        return {}

    def movements_for(self, text: str) -> dict[str, float]:
        """Movements a root or nerve takes part in (weights as in :class:`Territory`)."""
        ident, kind = self._id(text)
        if kind == "root":
            return dict(self.root_territory(ident).movements)
        if kind == "nerve":
            return dict(self.nerve_territory(ident).movements)
        if kind == "muscle":
            return dict.fromkeys(self._succ[ident], 1.0)
        return {}

    def roots_for(self, text: str, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Roots behind a region (per dermatome layer), muscle, movement, reflex or nerve.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> max(atlas.roots_for("great toe extension").items(), key=lambda kv: kv[1])[0]
        'L5'
        """
        ident, kind = self._id(text)
        nodes = self._node
        if kind == "region":
            return self.dermatome(ident, dermatome_map)
        if kind in ("muscle", "reflex", "nerve"):
            return dict(nodes[ident]["root_weights"])
        if kind == "movement":
            out: dict[str, float] = {}
            for mu in self._pred[ident]:
                for r, w in nodes[mu]["root_weights"].items():
                    out[r] = max(out.get(r, 0.0), w)
            return dict(sorted(out.items(), key=lambda kv: ROOT_IDS.index(kv[0])))
        if kind == "group":
            acc: dict[str, float] = {}
            for reg in self._groups[ident]["regions"]:
                for r, w in self.dermatome(reg, dermatome_map).items():
                    acc[r] = max(acc.get(r, 0.0), w)
            return dict(sorted(acc.items(), key=lambda kv: ROOT_IDS.index(kv[0])))
        return {}

    def nerves_for(self, text: str) -> tuple[str, ...]:
        """Nerves that carry a root, lie below a nerve, or supply a region, muscle or reflex.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().nerves_for("first_web_space")
        ('deep_fibular', 'common_fibular', 'sciatic')
        """
        ident, kind = self._id(text)
        nodes = self._node
        if kind == "root":
            return tuple(n for n, a in nodes.items() if a["kind"] == "nerve" and ident in a["roots"])
        if kind == "nerve":
            return tuple(v for v in self._descendants(ident) if nodes[v]["kind"] == "nerve")
        if kind in ("region", "muscle", "reflex"):
            direct = [u for u in self._pred[ident] if nodes[u]["kind"] == "nerve"]
            out: list[str] = []
            for d in direct:
                for n in reversed(self._chains.get(d, (d,))):
                    if nodes[n]["kind"] == "nerve" and n not in out:
                        out.append(n)
            return tuple(out)
        if kind == "movement":
            return tuple(dict.fromkeys(n for mu in self._pred[ident] for n in self.nerves_for(mu)))
        return ()

    def path(self, source: str, target: str, *, dermatome_map: str | None = None) -> list[str] | None:
        """The graph path from a root or nerve down to a region, muscle, movement or reflex.

        From a root the path runs through the plexus and the chain of nerves to the target,
        provided every nerve on it carries that root; where no nerve does but a dermatome layer
        assigns the root to the region, the path is the dermatome edge ``[root, region]``.
        Returns None when the source does not reach the target.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().path("tibial", "abductor_hallucis")
        ['tibial', 'medial_plantar', 'abductor_hallucis']
        """
        src, skind = self._id(source)
        tgt, tkind = self._id(target)
        nodes = self._node
        if tkind == "movement":
            for mu in self._pred[tgt]:
                p = self.path(src, mu, dermatome_map=dermatome_map)
                if p is not None:
                    return [*p, tgt]
            return None
        chain = self._chains.get(tgt)
        if skind == "nerve":
            if chain and src in chain:
                return list(chain[chain.index(src):])
            return self._variant_path(src, tgt)
        if skind in ("root", "plexus"):
            if chain:
                nerves = [n for n in chain if nodes[n]["kind"] == "nerve"]
                top = chain[0]
                carried = all(src in nodes[n]["roots"] for n in nerves) if skind == "root" else True
                if tkind in ("muscle", "reflex") and skind == "root":
                    carried = carried and src in nodes[tgt]["roots"]
                if carried:
                    head = self._root_to_plexus(src, top) if skind == "root" else ([src] if src == top else None)
                    if head is not None:
                        return [*head, *chain[1:]] if head[-1] == chain[0] else [*head, *chain]
            if skind == "root" and tkind == "region" and tgt in self._succ[src]:
                maps = self._succ[src][tgt]["maps"]
                if dermatome_map is None or self.check_map(dermatome_map) in maps:
                    return [src, tgt]
        return None

    def _variant_path(self, src: str, tgt: str) -> list[str] | None:
        p = self._shortest_path(src, tgt)
        if p is None:
            return None
        nodes = self._node
        return [str(n) for n in p] if all(nodes[n]["kind"] != "root" for n in p) else None

    def _shortest_path(self, source: str, target: str) -> list[str] | None:
        """``networkx.shortest_path(graph, source, target)`` (the same path), or None if there is none.

        networkx's bidirectional breadth-first search, step for step, on the plain adjacency.
        """
        if target == source:
            return [source]
        gsucc, gpred = self._succ, self._pred
        pred: dict[str, str | None] = {source: None}
        succ: dict[str, str | None] = {target: None}
        forward, reverse = [source], [target]
        meet: str | None = None
        while forward and reverse and meet is None:
            if len(forward) <= len(reverse):
                level, forward = forward, []
                for v in level:
                    for w in gsucc[v]:
                        if w not in pred:
                            forward.append(w)
                            pred[w] = v
                        if w in succ:
                            meet = w
                            break
                    if meet is not None:
                        break
            else:
                level, reverse = reverse, []
                for v in level:
                    for w in gpred[v]:
                        if w not in succ:
                            succ[w] = v
                            reverse.append(w)
                        if w in pred:
                            meet = w
                            break
                    if meet is not None:
                        break
        if meet is None:
            return None
        path: list[str] = []
        node: str | None = meet
        while node is not None:
            path.append(node)
            node = pred[node]
        path.reverse()
        node = succ[path[-1]]
        while node is not None:
            path.append(node)
            node = succ[node]
        return path

    def _descendants(self, node: str) -> set[str]:
        """``networkx.descendants(graph, node)``: built in the same breadth-first order (so it iterates alike)."""
        succ = self._succ
        seen = {node}
        out: set[str] = set()
        frontier = [node]
        while frontier:
            nxt = []
            for parent in frontier:
                for child in succ[parent]:
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
                        out.add(child)
            frontier = nxt
        return out

    def _root_to_plexus(self, root: str, node: str) -> list[str] | None:
        nodes, succ = self._node, self._succ
        if nodes[node]["kind"] != "plexus":
            return None
        if node in succ[root]:
            return [root, node]
        for u in self._pred[node]:
            if nodes[u]["kind"] == "plexus" and u in succ[root]:
                return [root, u, node]
        return None

    # -- export --------------------------------------------------------------------------
    def to_node_link(self) -> dict[str, Any]:
        """The graph as node-link JSON-safe data (``networkx.node_link_data``)."""
        import networkx as nx

        return plain_data(nx.node_link_data(self.graph, edges="links"))

    def write_graphml(self, path: str | Path) -> None:
        """Write the graph as GraphML; list and mapping attributes are stored as JSON strings."""
        import networkx as nx

        g = nx.DiGraph()
        g.graph.update({k: _scalar(v) for k, v in self.graph.graph.items()})
        for n, a in self.graph.nodes(data=True):
            g.add_node(n, **{k: _scalar(v) for k, v in a.items() if v is not None})
        for u, v, a in self.graph.edges(data=True):
            g.add_edge(u, v, **{k: _scalar(x) for k, x in a.items() if x is not None})
        nx.write_graphml(g, str(path))

    def copy_graph(self) -> nx.DiGraph:
        """An unfrozen deep copy of the graph with plain dict and list attributes, for experiments."""
        import networkx as nx

        return nx.node_link_graph(self.to_node_link(), edges="links")

    def summary(self) -> dict[str, Any]:
        """Counts of the atlas's contents (roots, nerves, muscles, regions, maps, sources)."""
        kinds: dict[str, int] = {}
        for a in self._node.values():
            k = a["kind"]
            kinds[k] = kinds.get(k, 0) + 1
        return {
            "version": self.version,
            **{_PLURALS[k]: v for k, v in kinds.items()},
            "edges": sum(map(len, self._succ.values())),
            "groups": len(self._groups),
            "signs": len(self._signs),
            "dermatome_maps": len(self._maps),
            "default_dermatome_map": self.default_dermatome_map,
            "sources": len(self.data.sources),
            "regions_per_view": {v: len(self.template.regions(v)) for v in self.template.views},
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<Atlas {self.version} | {s.get('roots', 0)} roots, {s.get('nerves', 0)} nerves, "
                f"{s.get('muscles', 0)} muscles, {s.get('regions', 0)} regions, {s['dermatome_maps']} dermatome maps>")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>"
                       for k, v in self.summary().items() if not isinstance(v, dict))
        return f"<table><caption>neuromap atlas</caption>{rows}</table>"


def _variants_of(base: str) -> tuple[str, ...]:
    """A folded name, and without a trailing kind word ('deep fibular nerve' -> 'deep fibular')."""
    if not base:
        return ()
    head, _, last = base.rpartition(" ")
    if head and last in _KIND_WORDS:
        return (base, head)
    return (base,)


def _kinds(kind: str | Iterable[str] | None) -> tuple[str, ...]:
    if kind is None:
        return ENTITY_KINDS
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    for k in kinds:
        if k not in ENTITY_KINDS:
            close = suggest(k, ENTITY_KINDS) or list(ENTITY_KINDS)
            raise UnknownNameError(k, "kind", close, field="kind")
    return kinds


def _kind_word(kind: str | Iterable[str] | None) -> str | None:
    if kind is None:
        return None
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    return " or ".join(kinds)


def plain_data(value: Any) -> Any:
    """A JSON-safe copy of nested mappings and sequences (read-only views become dicts and lists)."""
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(plain_data(value), sort_keys=True)


@functools.lru_cache(maxsize=8)
def _load(directory: str) -> Atlas:
    # building the atlas allocates many small containers right after numpy and shapely were
    # imported; without this the cyclic collector walks the whole heap several times
    enabled = gc.isenabled()
    gc.disable()
    try:
        return Atlas(read_atlas_data(directory))
    finally:
        if enabled:
            gc.enable()


def load_atlas(path: str | Path | None = None) -> Atlas:
    """Load, validate and cache an atlas.

    Parameters
    ----------
    path : str or Path, optional
        A directory of atlas files (see :data:`neuromap.datasets.ATLAS_FILES`); defaults to the
        bundled atlas. User atlases go through the same validation; nothing in them is executed.

    Returns
    -------
    Atlas
        The cached atlas: repeated calls with the same path return the same object.

    Raises
    ------
    AtlasDataError
        If a data file is missing, malformed or breaks an invariant; the message names the file
        and the entry.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> atlas is neuromap.load_atlas()
    True
    >>> atlas.node("L5")["kind"]
    'root'
    """
    global _DEFAULT
    if path is None:
        if _DEFAULT is None:
            _DEFAULT = _load(os.path.realpath(bundled_data_dir()))  # the str(Path.resolve()) of it
        return _DEFAULT
    return _load(str(Path(path).resolve()))


_DEFAULT: Atlas | None = None
