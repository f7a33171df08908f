"""The :class:`Atlas`: the innervation graph and the foot surface, bound by region id.

:func:`load_atlas` reads the data files (:mod:`neuromap.datasets`), builds the checked graph
(:mod:`neuromap.graph`) and the foot template (:mod:`neuromap.geometry`), checks that both name
the same regions, and precomputes what queries need: the primary chain down to every node, the
nodes below every nerve and the territory of every nerve at each of its lesion sites
(:mod:`neuromap.atlas.territory`). Queries answer from these tables; the networkx graph is built
when :attr:`Atlas.graph` is first asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from neuromap.atlas._binding import check_binding
from neuromap.atlas._paths import atlas_path
from neuromap.atlas.entity import Entity, NameMatch
from neuromap.atlas.grammar import Grammar
from neuromap.atlas.graphview import GraphView
from neuromap.atlas.names import NameIndex, check_kinds, kind_word, normalize_name
from neuromap.atlas.territory import Territory, descendants, nerve_territories, primary_chains, root_territory
from neuromap.atlas.xrefs import CodeIndex
from neuromap.datasets import ROOT_IDS, AtlasData
from neuromap.errors import AmbiguousNameError, UnknownNameError, suggest
from neuromap.geometry import FootTemplate
from neuromap.graph import NODE_KINDS, build_tables

__all__ = ["Atlas"]

_PLURALS = {"root": "roots", "plexus": "plexuses", "nerve": "nerves", "muscle": "muscles", "movement": "movements",
            "reflex": "reflexes", "region": "regions"}
_FILES = {"root": "roots.json", "plexus": "roots.json", "nerve": "nerves.json", "muscle": "muscles.json",
          "movement": "muscles.json", "reflex": "reflexes.json", "region": "regions.json"}


class Atlas(GraphView):
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
    status : str
        Where the atlas comes from: ``bundled`` (every file is the bundled one), ``custom``
        (a user atlas, every file as its own manifest lists it) or ``modified`` (a file changed
        since its manifest was written); see :data:`neuromap.datasets.ATLAS_STATUSES`.
    default_dermatome_map : str
        The dermatome layer used when none is asked for.
    composites : Mapping
        Composite muscle id -> the ids of its parts (``iliopsoas`` -> psoas major and
        iliacus); a composite resolves to the union of its parts' nerves, roots and movements.
    data : AtlasData
        The validated data files.

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
        super().__init__(tables)
        # the bundled template is proved to tile at build time (tools/foot) and its hash checked
        # at load; any other template gets the GEOS coverage checks
        self.template = FootTemplate.from_geojson(data.foot, file="foot.geojson", check=not data.verified)
        self.version = data.version
        self.status = data.status
        self.default_dermatome_map: str = data.dermatomes["default"]
        self._maps = {m["id"]: m for m in data.dermatomes["maps"]}
        self._area_maps = tuple(m for m, info in self._maps.items() if info["kind"] == "areas")
        self._groups = {g["id"]: g for g in data.groups}
        self._signs = {s["id"]: MappingProxyType(s) for s in data.signs}
        check_binding(self._node, self.template)
        self._ids = {kind: tuple(n for n, a in self._node.items() if a["kind"] == kind) for kind in NODE_KINDS}
        self.composites = MappingProxyType({n: a["parts"] for n, a in self._node.items() if a.get("parts")})
        self._off_foot = frozenset(normalize_name(t) for t in data.not_on_foot)
        #: How names are folded before lookup (``data/vocabulary.json``).
        self.grammar = Grammar.from_data(data.vocabulary["grammar"])
        self._index = NameIndex(self._name_entries(), self.grammar, meaning=self._meaning,
                                outside={t["text"]: t["where"] for t in data.vocabulary["outside"]},
                                labels={(k, i): self._attrs(i, k)["label"] for k, i, *_ in self._name_entries()})
        self._resolved: dict[tuple[str, Any], Entity] = {}
        #: The entities' standard codes (``data/xrefs.json``), indexed both ways.
        self.codes = CodeIndex(data.xrefs)
        self._chains = primary_chains(tables)
        self._below = descendants(tables)
        self._nerve_territories = nerve_territories(tables, self._below)
        self._root_territories: dict[str, dict[str, Territory]] = {}

    # -- construction ---------------------------------------------------------------------
    def _name_entries(self) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """(kind, id, file, names) of every entity, for the name index."""
        for node, attrs in self._node.items():
            yield attrs["kind"], node, _FILES[attrs["kind"]], (node, attrs["label"], *attrs["aliases"])
        for kind, file, table in (("group", "groups.json", self._groups), ("sign", "signs.json", self._signs)):
            for ident, e in table.items():
                yield kind, ident, file, (ident, e["label"], *e.get("aliases", []))
        for term in self.data.vocabulary["terms"]:
            yield term["kind"], term["id"], "vocabulary.json", (term["text"],)

    def _meaning(self, kind: str, ident: str) -> Any:
        """What a name means, for telling a true ambiguity from two names of one place."""
        if kind == "region":
            return frozenset((ident,))
        if kind == "group":
            return frozenset(self._groups[ident]["regions"])
        return kind, ident

    # -- names ---------------------------------------------------------------------------
    def _attrs(self, ident: str, kind: str) -> Mapping[str, Any]:
        if kind == "group":
            return MappingProxyType(self._groups[ident])
        if kind == "sign":
            return self._signs[ident]
        return self.node(ident)

    def names(self, kind: str | Iterable[str] | None = None) -> list[str]:
        """Every id, label and alias (as written in the data) of entities of *kind*, sorted.

        Examples
        --------
        >>> import neuromap
        >>> "big toe" in neuromap.load_atlas().names("group")
        True
        """
        kinds = check_kinds(kind)
        out: set[str] = set()
        for k, _, _, names in self._name_entries():
            if k in kinds:
                out.update(names)
        return sorted(out, key=str.lower)

    def ids(self, kind: str) -> tuple[str, ...]:
        """Ids of every entity of one kind, in data order."""
        if kind == "group":
            return tuple(self._groups)
        if kind == "sign":
            return tuple(self._signs)
        return self._ids.get(kind, ())

    def sign(self, sign_id: str) -> Mapping[str, Any]:
        """The entry of one sign in ``signs.json`` (read-only).

        Parameters
        ----------
        sign_id : str
            A sign id (names and aliases go through :meth:`resolve` with ``kind="sign"``).

        Returns
        -------
        Mapping
            ``label``, ``points_to`` (the roots, nerves or lesion kinds the sign points to),
            ``sources`` and, where the sign has them, ``aliases``, ``red_flag`` and ``warning``.

        Raises
        ------
        UnknownNameError
            If *sign_id* is not a sign id; the message lists the closest ids.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().sign("saddle_anaesthesia")["red_flag"]
        'cauda_equina'
        """
        try:
            return self._signs[sign_id]
        except (KeyError, TypeError):
            raise UnknownNameError(str(sign_id), "sign", suggest(str(sign_id), self._signs)) from None

    def resolve(self, text: str, kind: str | Iterable[str] | None = None, *, field: str | None = None) -> Entity:
        """Find the entity a name refers to.

        Parameters
        ----------
        text : str
            An id, label, alias or vocabulary term, in any case, with any spacing, hyphens or
            underscores, in British or American spelling ('peroneal' is accepted for
            'fibular'), with or without articles, possessives and fillers ('the back of my
            heel'), plural or singular, in either word order ('plantar great toe' = 'great
            toe, plantar'). A side word ('left heel') is allowed and ignored: :meth:`match`
            returns it. Misspellings are not corrected here (see :meth:`match`). A standard
            code resolves to the entity carrying it (:meth:`xrefs`): ``"UBERON:0001385"``,
            ``"SNOMED:181696007"``, ``"http://snomed.info/sct|181696007"``.
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
            If nothing of the asked kinds has that name; the message lists the closest names
            of those kinds, or says the name lies outside the lower limb.
        AmbiguousNameError
            If the name, once normalised, reads as two different entities (both are listed).

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.resolve("Common Peroneal Nerve").id
        'common_fibular'
        >>> atlas.resolve("knee jerk", "reflex").id
        'patellar'
        >>> atlas.resolve("the underside of my big toe").id
        'hallux_plantar'
        """
        key = (text, kind if kind is None or isinstance(kind, str) else tuple(kind))
        hit = self._resolved.get(key) if isinstance(text, str) else None
        if hit is not None:
            return hit
        found = self.match(text, kind, fuzzy=False, field=field)
        if found is None:
            raise self.unknown(text, kind, field=field)
        if len(self._resolved) < 65536:  # the atlas is immutable: a name always resolves the same way
            self._resolved[key] = found.entity
        return found.entity

    def match(self, text: str, kind: str | Iterable[str] | None = None, *, fuzzy: bool = True,
              field: str | None = None) -> NameMatch | None:
        """Read a name as people write it: the entity, a side named in it, and how it was read.

        Like :meth:`resolve`, and a side word at either end is returned as the match's side
        ('L heel', 'right big toe'); with *fuzzy* (the default), a misspelt word is corrected
        when exactly one known word of the asked kinds lies within a small edit distance
        ('gastrocnemeus', 'achilis'), and the match says so.

        Parameters
        ----------
        text : str
            The name.
        kind : str or iterable of str, optional
            The kinds it may name (all by default).
        fuzzy : bool, default True
            Whether to correct misspellings.
        field : str, optional
            Where the name came from, for error messages.

        Returns
        -------
        NameMatch or None
            None if the name names nothing of the asked kinds.

        Raises
        ------
        AmbiguousNameError
            If the name, once normalised, reads as two different entities.
        UnknownNameError
            If *text* is not a string or *kind* is not a kind.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> m = atlas.match("L heel", "group")
        >>> m.entity.id, m.side
        ('heel', 'left')
        >>> atlas.match("thumb") is None
        True
        """
        if not isinstance(text, str):
            raise UnknownNameError(repr(text), kind_word(kind), (), field=field,
                                   reason="is not a name (expected a string)")
        kinds = check_kinds(kind)
        code = self.codes.parse(text)  # a standard code: 'UBERON:0001385', 'http://snomed.info/sct|181696007'
        if code is not None:
            k, i = self.codes.find(*code, kinds) or ("", "")
            return NameMatch(Entity(self, i, k, self._attrs(i, k)), text, None, "code") if i else None
        try:
            hit = self._index.match(text, kinds, fuzzy=fuzzy)
        except AmbiguousNameError as exc:
            raise AmbiguousNameError(text, exc.candidates, field=field) from None
        if hit is None:
            return None
        ident, side = hit.id, hit.side
        if hit.kind == "sign" and side == "bilateral" and "bilateral" in self._signs[ident]:
            ident, side = self._signs[ident]["bilateral"], None  # sciatica on both sides: bilateral sciatica
        return NameMatch(Entity(self, ident, hit.kind, self._attrs(ident, hit.kind)), text, side, hit.how,
                         hit.corrected)

    def unknown(self, text: str, kind: str | Iterable[str] | None = None, *,
                field: str | None = None) -> UnknownNameError:
        """The error for a name that names nothing of *kind*: suggestions by meaning, or 'outside the lower limb'.

        Examples
        --------
        >>> import neuromap
        >>> print(neuromap.load_atlas().unknown("tib antt", "muscle"))  # doctest: +ELLIPSIS
        'tib antt' is not a muscle of the atlas. Did you mean 'tibialis anterior'...
        """
        code = self.codes.parse(text)
        if code is not None:
            what = kind_word(kind) or "entity"
            return UnknownNameError(text, what, (), field=field, reason=f"is a {code[0]} code no {what} carries")
        where = self._index.outside(text)
        if where is not None:
            return UnknownNameError(text, kind_word(kind), (), field=field,
                                    reason=f"is outside the lower limb ({where}): neuromap maps the lower limb, "
                                           "the buttock and the saddle")
        return UnknownNameError(text, kind_word(kind), self._index.suggestions(text, check_kinds(kind)),
                                field=field)

    def xrefs(self, text: str, kind: str | Iterable[str] | None = None) -> dict[str, list[str]]:
        """The standard codes of an entity (resolved as by :meth:`resolve`): system -> codes; empty if none.

        Codes and their sources are in ``data/xrefs.json`` (:attr:`codes`; coverage in ``docs/data.md``).

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.xrefs("tibialis anterior")
        {'UBERON': ['UBERON:0001385'], 'FMA': ['FMA:22532'], 'SNOMED': ['181696007'], 'MDC': ['459644']}
        >>> atlas.resolve("UBERON:0001385").id, atlas.resolve("http://snomed.info/sct|181050003").id
        ('tibialis_anterior', 'sciatic')
        """
        entity = self.resolve(text, kind)
        return self.codes.of(entity.kind, entity.id)

    def suggestions(self, text: str, kind: str | Iterable[str] | None = None, n: int = 3) -> list[str]:
        """The closest names to *text* among entities of *kind*, one per entity, best first.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().suggestions("frist web spase", "region")
        ['first web space']
        """
        return self._index.suggestions(text, check_kinds(kind), n)

    def __getitem__(self, text: str) -> Entity:
        return self.resolve(text)

    def __contains__(self, text: object) -> bool:
        return text in self._index or self.codes.lookup(text) is not None

    def regions_of(self, text: str, *, field: str | None = None) -> tuple[str, ...]:
        """Region ids a region or group name stands for.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().regions_of("big toe")
        ('hallux_dorsal', 'hallux_plantar_medial', 'hallux_plantar_lateral')
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
        e = self._succ.get(root, {}).get(region)
        if e is None:
            return 0.0
        w = e.get("weights", {})
        return sum(w.get(m, 0.0) for m in self._area_maps) / len(self._area_maps)

    # -- territories ---------------------------------------------------------------------
    def sites(self, nerve: str) -> tuple[str, ...]:
        """Lesion sites along a nerve, proximal to distal."""
        return tuple(s["id"] for s in self.node(nerve)["sites"])

    def nerve_territory(self, nerve: str, site: str | None = None) -> Territory:
        """What a lesion of *nerve* at *site* (default: its most proximal site) would affect.

        Parameters
        ----------
        nerve : str
            A nerve id.
        site : str, optional
            One of :meth:`sites`; the most proximal if None.

        Returns
        -------
        Territory
            Regions, muscles, movements and reflexes, each with how strongly the lesion involves it.

        Raises
        ------
        UnknownNameError
            If *nerve* is not a node id.
        KeyError
            If *site* is not a lesion site of the nerve.

        Examples
        --------
        >>> import neuromap
        >>> sorted(neuromap.load_atlas().nerve_territory("deep_fibular", "ankle").muscles)
        ['extensor_digitorum_brevis']
        """
        site = site or self.sites(nerve)[0]
        return self._nerve_territories[(nerve, site)]

    def root_territory(self, root: str, dermatome_map: str | None = None) -> Territory:
        """What a lesion of *root* would affect under one dermatome layer.

        Region weights blend the chosen layer (three quarters) with the agreement of all area
        layers (one quarter), so a region that every map gives the root outranks one that only
        the chosen map gives it. Muscle and reflex weights come from the root values of every
        source (see :func:`neuromap.graph.root_weights`); a movement takes its strongest muscle.

        Parameters
        ----------
        root : str
            A root id (``"L5"``).
        dermatome_map : str, optional
            The layer (id or label); the default layer if None.

        Returns
        -------
        Territory

        Raises
        ------
        UnknownNameError
            If *root* is not a node id or the layer is unknown.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().root_territory("L5", "lee_2008").regions["first_web_space"]
        1.0
        """
        m = self.check_map(dermatome_map)
        cache = self._root_territories.setdefault(m, {})
        t = cache.get(root)
        if t is None:
            if self.node(root)["kind"] != "root":
                raise UnknownNameError(root, "root", suggest(root, ROOT_IDS))
            t = cache[root] = root_territory(self._tables, root, m, self._area_maps)
        return t

    # -- queries -------------------------------------------------------------------------
    def _id(self, text: str) -> tuple[str, str]:
        attrs = self._node.get(text) if isinstance(text, str) else None
        if attrs is not None:
            return text, attrs["kind"]
        e = self.resolve(text)
        return e.id, e.kind

    def regions_for(self, text: str, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Regions reached by a root (its dermatome in one layer) or a nerve (its territory).

        Parameters
        ----------
        text : str
            A root, nerve, group or region, by id or name (see :meth:`resolve`).
        dermatome_map : str, optional
            The dermatome layer for a root; the default layer if None.

        Returns
        -------
        dict of str to float
            Region id -> weight in (0, 1]; empty for other kinds.

        Raises
        ------
        UnknownNameError
            If *text* names nothing in the atlas.

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
        """Muscles a root or nerve supplies, with weights; a movement's muscles; a composite muscle's parts."""
        ident, kind = self._id(text)
        if kind == "root":
            return dict(self.root_territory(ident).muscles)
        if kind == "nerve":
            return dict(self.nerve_territory(ident).muscles)
        if kind == "movement":
            return dict.fromkeys((u for u, e in self._pred[ident].items() if e["relation"] == "performs"), 1.0)
        if kind == "muscle" and ident in self.composites:
            return dict.fromkeys(self.composites[ident], 1.0)
        return {}

    def movements_for(self, text: str) -> dict[str, float]:
        """Movements a root or nerve takes part in (weights as in :class:`Territory`), or a muscle performs."""
        ident, kind = self._id(text)
        if kind == "root":
            return dict(self.root_territory(ident).movements)
        if kind == "nerve":
            return dict(self.nerve_territory(ident).movements)
        if kind == "muscle":
            return dict.fromkeys((mv for mu in self.composites.get(ident, (ident,)) for mv, e in self._succ[mu].items()
                                  if e["relation"] == "performs"), 1.0)
        return {}

    def roots_for(self, text: str, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Roots behind a region (per dermatome layer), group, muscle, movement, reflex or nerve.

        Parameters
        ----------
        text : str
            An entity, by id or name (see :meth:`resolve`).
        dermatome_map : str, optional
            The dermatome layer for a region or group; the default layer if None.

        Returns
        -------
        dict of str to float
            Root -> weight, cranial first: a region's roots in the layer; a group's strongest
            weight per root over its regions; a muscle's, reflex's or nerve's root weights (see
            :func:`neuromap.graph.root_weights`); a movement's strongest weight per root over the
            muscles that perform it. Empty for roots, plexuses and signs.

        Raises
        ------
        UnknownNameError
            If *text* names nothing in the atlas, or the layer is unknown.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.roots_for("first web space", dermatome_map="lee_2008")
        {'L5': 1.0}
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
            weights = [nodes[mu]["root_weights"] for mu in self.muscles_for(ident)]
        elif kind == "group":
            weights = [self.dermatome(reg, dermatome_map) for reg in self._groups[ident]["regions"]]
        else:
            return {}
        out: dict[str, float] = {}
        for w in weights:
            for r, x in w.items():
                out[r] = max(out.get(r, 0.0), x)
        return dict(sorted(out.items(), key=lambda kv: ROOT_IDS.index(kv[0])))

    def nerves_for(self, text: str) -> tuple[str, ...]:
        """Nerves that carry a root, lie below a nerve, or supply a region, muscle or reflex.

        Parameters
        ----------
        text : str
            An entity, by id or name (see :meth:`resolve`).

        Returns
        -------
        tuple of str
            For a root, the nerves carrying it (graph order); for a nerve, the nerves below it
            (topological order); for a region, muscle or reflex, the nerves supplying it and
            those above them, nearest first; for a movement or a composite muscle, those of its
            muscles.

        Raises
        ------
        UnknownNameError
            If *text* names nothing in the atlas.

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
            below = self._below[ident]
            return tuple(v for v in self._tables.order if v in below and nodes[v]["kind"] == "nerve")
        if kind == "movement" or ident in self.composites:
            return tuple(dict.fromkeys(n for mu in self.muscles_for(ident) for n in self.nerves_for(mu)))
        if kind in ("region", "muscle", "reflex"):
            out: dict[str, None] = {}
            for d in self._pred[ident]:
                if nodes[d]["kind"] == "nerve":
                    out.update((n, None) for n in reversed(self._chains.get(d, (d,))) if nodes[n]["kind"] == "nerve")
            return tuple(out)
        return ()

    def path(self, source: str, target: str, *, dermatome_map: str | None = None) -> list[str] | None:
        """The graph path from a root, plexus or nerve down to a region, muscle, movement or reflex.

        From a root the path runs through the plexus and the primary chain of nerves to the
        target, provided every nerve on it carries that root; where no nerve does but the
        dermatome layer assigns the root to the region, the path is the dermatome edge
        ``[root, region]``. From a nerve it is the nerve's part of the target's primary chain,
        or else the shortest path (:func:`networkx.shortest_path`), through a variant supply or
        a communicating branch. A movement is reached through the first muscle that performs
        it and is reached, a composite muscle through its first part that is reached.

        Parameters
        ----------
        source : str
            A root, plexus or nerve, by id or name (see :meth:`resolve`).
        target : str
            A region, muscle, movement or reflex, by id or name.
        dermatome_map : str, optional
            The layer a dermatome edge must belong to; any layer if None.

        Returns
        -------
        list of str or None
            The node ids along the path, *source* first; None when the source does not reach
            the target.

        Raises
        ------
        UnknownNameError
            If *source* or *target* names nothing in the atlas, or the layer is unknown.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> atlas.path("tibial", "abductor_hallucis")
        ['tibial', 'medial_plantar', 'abductor_hallucis']
        >>> atlas.path("L4", "medial malleolus")
        ['L4', 'lumbar_plexus', 'femoral', 'saphenous', 'medial_malleolus']
        >>> atlas.path("L2", "first_web_space") is None
        True
        """
        src, skind = self._id(source)
        tgt, tkind = self._id(target)
        if dermatome_map is not None:
            dermatome_map = self.check_map(dermatome_map)
        if tkind == "movement" or tgt in self.composites:
            for mu in self.muscles_for(tgt):
                p = self.path(src, mu, dermatome_map=dermatome_map)
                if p is not None:
                    return [*p, tgt]
            return None
        return atlas_path(self._node, self._succ, self._pred, self._chains, src, tgt, dermatome_map)

    # -- summary -------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Counts of the atlas's contents (roots, nerves, muscles, regions, maps, sources)."""
        return {
            "version": self.version,
            **{_PLURALS[k]: len(ids) for k, ids in self._ids.items() if ids},
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
        status = "" if self.status == "bundled" else f" ({self.status})"
        return (f"<Atlas {self.version}{status} | {s.get('roots', 0)} roots, {s.get('nerves', 0)} nerves, "
                f"{s.get('muscles', 0)} muscles, {s.get('regions', 0)} regions, {s['dermatome_maps']} dermatome maps>")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>"
                       for k, v in self.summary().items() if not isinstance(v, dict))
        return f"<table><caption>neuromap atlas</caption>{rows}</table>"

