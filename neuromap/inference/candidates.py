"""Lesion sites that localization considers, each with its territory.

A candidate is one place a single lesion could sit: a root, two or three contiguous roots, a
nerve at one site along it, a plexus (or the lumbosacral trunk), the cauda equina, or a
length-dependent polyneuropathy. Its :class:`~neuromap.atlas.Territory` says how strongly that
lesion is expected to involve each region, muscle, movement and reflex. Candidates are built
once per atlas and dermatome map and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from neuromap.atlas import Atlas, Territory
from neuromap.atlas.territory import composite_weights
from neuromap.datasets import ROOT_IDS
from neuromap.weights import PARSIMONY

__all__ = ["Candidate", "candidates"]


@dataclass(frozen=True, eq=False)
class Candidate:
    """One lesion site and what it would affect.

    Candidates are built once per atlas and dermatome layer (:func:`candidates`); each is
    its own identity (equal and hashed as itself), so caches can key on it.

    Attributes
    ----------
    kind : str
        root, roots, nerve, plexus, cauda_equina or polyneuropathy.
    id : str
        The hypothesis id: a root ("L5"), a range ("L5-S1"), a nerve or plexus id, or the kind.
    label : str
        A readable name.
    levels : tuple of str
        The roots involved (for root kinds and the cauda equina).
    nerve : str or None
        The nerve for nerve kinds.
    site : str or None
        The site along the nerve.
    territory : Territory
        Expected involvement of each target.
    bilateral : bool
        Whether the lesion affects both sides by nature (cauda equina, polyneuropathy).
    cost : float
        Parsimony cost, subtracted from the evidence score.
    size : float
        Total weight of the territory (used to prefer the smaller of two equal explanations).
    equivalents : tuple of str
        Other nerves whose lesion would affect exactly the same targets (e.g. the medial sural
        cutaneous nerve, which forms the sural nerve); they are folded into this candidate.
    points_to : frozenset of str
        Keys a sign's ``points_to`` can match: ``root:L5``, ``nerve:tibial``,
        ``nerve:tibial@tarsal_tunnel``, ``kind:cauda_equina``.
    sources : tuple of str
        Source keys behind the candidate's territory.
    trunk : str or None
        For a purely cutaneous nerve that branches from another purely cutaneous nerve (the
        sural nerve from the medial sural cutaneous, the lateral dorsal cutaneous from the
        sural), the highest such nerve of its chain: the branches of one cutaneous trunk form
        one hypothesis, led by the branch the findings fit best. None otherwise.
    """

    kind: str
    id: str
    label: str
    levels: tuple[str, ...]
    nerve: str | None
    site: str | None
    territory: Territory
    bilateral: bool
    cost: float
    size: float
    points_to: frozenset[str]
    sources: tuple[str, ...]
    equivalents: tuple[str, ...] = ()
    trunk: str | None = None

    @property
    def group(self) -> tuple[str, str]:
        """The hypothesis this candidate belongs to: its kind and id, or its cutaneous trunk."""
        return (self.kind, self.trunk or self.id)


def _union(territories: Iterable[Territory]) -> Territory:
    acc: dict[str, dict[str, float]] = {"regions": {}, "muscles": {}, "movements": {}, "reflexes": {},
                                        "composites": {}}
    for t in territories:
        for key in acc:
            for target, w in getattr(t, key).items():
                acc[key][target] = max(acc[key].get(target, 0.0), w)
    return Territory(**{k: MappingProxyType(v) for k, v in acc.items()})


def _with_composites(t: Territory, atlas: Atlas) -> Territory:
    """*t* with its composite muscles recomputed from their parts (the mean; see :func:`composite_weights`)."""
    return Territory(t.regions, t.muscles, t.movements, t.reflexes,
                     MappingProxyType(composite_weights(atlas.composites, t.muscles)))


def _pattern_territory(pattern: Mapping[str, Any], atlas: Atlas) -> Territory:
    """The territory of a pattern of ``patterns.json``: its regions, movements (with their muscles) and reflexes."""
    movements = dict(pattern.get("movements", {}))
    muscles: dict[str, float] = {}
    for mv, w in movements.items():
        for mu in atlas.predecessors(mv):
            muscles[mu] = max(muscles.get(mu, 0.0), w)
    return _with_composites(Territory(MappingProxyType(dict(pattern.get("regions", {}))), MappingProxyType(muscles),
                                      MappingProxyType(movements), MappingProxyType(dict(pattern.get("reflexes", {})))),
                            atlas)


def _size(t: Territory) -> float:
    return sum(t.regions.values()) + sum(t.muscles.values()) + sum(t.reflexes.values())


def _key(t: Territory) -> tuple:
    return tuple(tuple(sorted(getattr(t, k).items())) for k in ("regions", "muscles", "reflexes"))


def _fold_equivalent_nerves(cands: list[Candidate], atlas: Atlas) -> list[Candidate]:
    """Fold nerves with identical territories into the most distal one (the named clinical nerve)."""
    groups: dict[tuple, list[Candidate]] = {}
    for c in cands:
        if c.kind == "nerve":
            groups.setdefault(_key(c.territory), []).append(c)
    keep: dict[int, Candidate] = {}
    drop: set[int] = set()
    for group in groups.values():
        nerves = {c.nerve for c in group}
        if len(nerves) < 2:
            continue
        depth = {n: len(atlas.chain(n or "")) for n in nerves}
        best = max(group, key=lambda c: (depth[c.nerve], -len(atlas.sites(c.nerve or "")), c.nerve or ""))
        others = tuple(sorted(n for n in nerves if n != best.nerve and n is not None))
        keep[id(best)] = Candidate(**{**best.__dict__, "equivalents": others,
                                      "points_to": best.points_to | {f"nerve:{n}" for n in others}})
        drop.update(id(c) for c in group if c is not best)
    return [keep.get(id(c), c) for c in cands if id(c) not in drop]


def _with_trunks(cands: list[Candidate], atlas: Atlas) -> list[Candidate]:
    """Each purely cutaneous nerve with the highest purely cutaneous nerve of its chain (its trunk)."""
    cutaneous = {n for n in atlas.ids("nerve") if not atlas.nerve_territory(n).muscles}
    out = []
    for c in cands:
        if c.kind == "nerve" and c.nerve in cutaneous:
            chain = atlas.chain(c.nerve)
            top = len(chain) - 1
            while top > 0 and chain[top - 1] in cutaneous:
                top -= 1
            if chain[top] != c.nerve or any(n in cutaneous for n in atlas.successors(c.nerve)):
                c = Candidate(**{**c.__dict__, "trunk": chain[top]})
        out.append(c)
    return out


@functools.lru_cache(maxsize=32)
def candidates(atlas: Atlas, dermatome_map: str) -> tuple[Candidate, ...]:
    """Every candidate lesion site of *atlas* under one dermatome layer (cached).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.candidates import candidates
    >>> atlas = neuromap.load_atlas()
    >>> kinds = {c.kind for c in candidates(atlas, atlas.default_dermatome_map)}
    >>> sorted(kinds)
    ['cauda_equina', 'nerve', 'plexus', 'polyneuropathy', 'root', 'roots']
    """
    out: list[Candidate] = []
    map_sources = tuple(atlas.dermatome_map_info(dermatome_map)["sources"])

    def add(kind: str, ident: str, label: str, territory: Territory, *, levels: tuple[str, ...] = (),
            nerve: str | None = None, site: str | None = None, bilateral: bool = False, cost_key: str | None = None,
            points_to: Iterable[str] = (), sources: Iterable[str] = ()) -> None:
        out.append(Candidate(kind, ident, label, levels, nerve, site, territory, bilateral,
                             PARSIMONY[cost_key or kind], _size(territory), frozenset(points_to),
                             tuple(dict.fromkeys(sources))))

    root_t = {r: atlas.root_territory(r, dermatome_map) for r in ROOT_IDS}
    for r in ROOT_IDS:
        add("root", r, f"{r} radiculopathy", root_t[r], levels=(r,), points_to=[f"root:{r}"],
            sources=(*atlas.node(r)["sources"], *map_sources))
    for width in (2, 3):
        for i in range(len(ROOT_IDS) - width + 1):
            levels = ROOT_IDS[i:i + width]
            if levels[-1] in ("S3", "S4", "S5"):
                continue  # lesions of the lowest sacral roots are the cauda equina's
            ident = f"{levels[0]}-{levels[-1]}"
            add("roots", ident, f"{ident} radiculopathy", _union(root_t[r] for r in levels), levels=levels,
                cost_key=f"roots{width}", points_to=[f"root:{r}" for r in levels], sources=map_sources)

    for nerve in atlas.ids("nerve"):
        attrs = atlas.node(nerve)
        for site in atlas.sites(nerve):
            t = atlas.nerve_territory(nerve, site)
            if not (t.regions or t.muscles or t.reflexes):
                continue  # nothing neuromap can examine (e.g. skin outside the foot)
            site_label = next(s["label"] for s in attrs["sites"] if s["id"] == site)
            add("nerve", nerve, f"{attrs['label']} {site_label}" if len(attrs["sites"]) > 1 else attrs["label"], t,
                nerve=nerve, site=site, points_to=[f"nerve:{nerve}", f"nerve:{nerve}@{site}"], sources=attrs["sources"])

    out = _with_trunks(_fold_equivalent_nerves(out, atlas), atlas)

    for plexus in atlas.ids("plexus"):
        attrs = atlas.node(plexus)
        if plexus == "lumbosacral_trunk":
            continue
        parts = [atlas.nerve_territory(v) for v in atlas.successors(plexus) if atlas.node(v)["kind"] == "nerve"]
        direct = {v: 1.0 for v in atlas.successors(plexus) if atlas.node(v)["kind"] == "muscle"}
        if direct:
            movements = {mv: 1.0 for m in direct for mv in atlas.successors(m) if atlas.node(mv)["kind"] == "movement"}
            parts.append(Territory(MappingProxyType({}), MappingProxyType(direct), MappingProxyType(movements),
                                   MappingProxyType({})))
        t = _with_composites(_union(parts), atlas)
        if not (t.regions or t.muscles or t.reflexes):
            continue
        add("plexus", plexus, f"{attrs['label']} lesion", t, points_to=[f"plexus:{plexus}"], sources=attrs["sources"])
        if plexus == "sacral_plexus":
            # the lumbosacral trunk carries L4 and L5 into the sacral plexus: its lesion is the
            # sacral plexus territory, weighted by how much of each target L4 and L5 supply
            lt: dict[str, dict[str, float]] = {k: {} for k in ("regions", "muscles", "movements", "reflexes",
                                                               "composites")}
            for key in lt:
                for target, w in getattr(t, key).items():
                    share = max(getattr(root_t[r], key).get(target, 0.0) for r in ("L4", "L5"))
                    if share > 0:
                        lt[key][target] = round(w * share, 6)
            trunk = atlas.node("lumbosacral_trunk")
            add("plexus", "lumbosacral_trunk", f"{trunk['label']} lesion",
                Territory(**{k: MappingProxyType(v) for k, v in lt.items()}),
                points_to=["plexus:lumbosacral_trunk"], sources=trunk["sources"])

    ce = atlas.data.patterns["cauda_equina"]
    ce_levels = tuple(ce["roots"])
    ce_t = _union(root_t[r] for r in ce_levels)
    ce_points = ["kind:cauda_equina", *(f"root:{r}" for r in ce_levels)]
    add("cauda_equina", "cauda_equina", ce["label"], ce_t, levels=ce_levels, bilateral=True, points_to=ce_points,
        sources=ce["sources"])
    if "one_sided" in ce:
        # the incomplete, one-sided form: the same roots on one side, scored like a one-sided lesion
        one = ce["one_sided"]
        add("cauda_equina", "cauda_equina", one["label"], ce_t, levels=ce_levels, site="one_sided",
            points_to=ce_points, sources=(*one["sources"], *ce["sources"]))

    pn = atlas.data.patterns["polyneuropathy"]
    for form in ({**pn, "id": None}, *pn.get("forms", ())):
        add("polyneuropathy", "polyneuropathy", form["label"], _pattern_territory(form, atlas), site=form["id"],
            bilateral=True, points_to=["kind:polyneuropathy"], sources=form["sources"])
    return tuple(out)
