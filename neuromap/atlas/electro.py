"""Electrodiagnosis in the atlas: the studies a laboratory records and the anatomy that makes them localize.

``data/electrodiagnosis.json`` lists the sensory nerve action potentials (SNAPs), the motor
conduction studies, the needle EMG muscles the bedside names only as a group, the paraspinal
levels, the H reflex and the F waves. :class:`Electrodiagnosis` reads them against the atlas:

* every study as a :class:`Study` target (``("snap", "sural")``, ``("emg", "tibialis_posterior")``,
  ``("paraspinal", "L5")``, ...), the columns the engine scores;
* names as people write them ('sural SNAP', 'superficial peroneal sensory', 'L5 paraspinal',
  'VM'), through the atlas grammar and, for nerves and muscles, the atlas's own names;
* the anatomy of the rules (``rules`` in the data): how much of a SNAP's fibres a lesion of a nerve
  at a site, or of a plexus, cuts between the dorsal root ganglion and the recording site
  (:meth:`Electrodiagnosis.snap_reach`; a root lesion lies proximal to the ganglion and spares it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from neuromap.atlas.core import Atlas
from neuromap.atlas.grammar import normalize_name
from neuromap.atlas.names import NameIndex
from neuromap.errors import UnknownNameError

__all__ = ["STUDY_KINDS", "Electrodiagnosis", "Study", "electrodiagnosis"]

#: The target kinds of electrodiagnostic findings (the engine's column kinds), in column order.
STUDY_KINDS = ("snap", "cmap", "emg", "paraspinal", "h_reflex", "f_wave", "block")


@dataclass(frozen=True)
class Study:
    """One electrodiagnostic target: what a study records, and what the engine reads it as.

    Attributes
    ----------
    kind : str
        One of :data:`STUDY_KINDS`.
    id : str
        The target: a SNAP id, a muscle id (CMAP recording, EMG muscle, F wave recording), a
        root level (paraspinal), ``"soleus"`` (H reflex) or ``"nerve@site"`` (conduction block).
    label : str
        A readable name ('Sural SNAP', 'L5 paraspinal').
    nerve : str or None
        The nerve studied (SNAP, CMAP, F wave, conduction block).
    muscle : str or None
        The muscle of ``muscles.json`` whose involvement the study reads (an EMG muscle named
        only as a group at the bedside reads its group: vastus medialis -> quadriceps).
    roots : tuple of str
        The roots a SNAP tests (its dorsal root ganglia) or a paraspinal level.
    sources : tuple of str
    """

    kind: str
    id: str
    label: str
    nerve: str | None = None
    muscle: str | None = None
    roots: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


class Electrodiagnosis:
    """The electrodiagnostic studies of an atlas (see the module docstring).

    Parameters
    ----------
    atlas : Atlas

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.atlas.electro import electrodiagnosis
    >>> edx = electrodiagnosis(neuromap.load_atlas())
    >>> edx.snap("superficial peroneal SNAP").id
    'superficial_fibular'
    >>> edx.emg_muscle("L5 paraspinal").kind, edx.emg_muscle("L5 paraspinal").id
    ('paraspinal', 'L5')
    >>> edx.snap_reach(("nerve", "common_fibular", "fibular_head"), "superficial_fibular")
    1.0
    """

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.data: Mapping[str, Any] = atlas.data.electrodiagnosis or {}
        self._nerves = {n["id"]: n for n in atlas.data.nerves}
        self._studies: dict[tuple[str, str], Study] = {}
        self._study_words: dict[str, str] = {}
        for s in self.data.get("studies", ()):
            for text in (s["id"], s["label"], *s["aliases"]):
                self._study_words[normalize_name(text)] = s["id"]
        entries: list[tuple[str, str, str, list[str]]] = []
        for s in self.data.get("snaps", ()):
            roots = tuple(s.get("roots") or self._nerve_roots(s["nerve"]))
            self._add(Study("snap", s["id"], s["label"], s["nerve"], None, roots, tuple(s["sources"])))
            entries.append(("nerve", f"snap:{s['id']}", "electrodiagnosis.json", [s["id"], s["label"], *s["aliases"]]))
        for m in atlas.ids("muscle"):
            label = atlas.node(m)["label"]
            for kind in ("cmap", "emg"):
                self._add(Study(kind, m, label, None, m, (), tuple(atlas.node(m).get("sources", ()))))
        for m in self.data.get("emg_muscles", ()):
            self._add(Study("emg", m["id"], m["label"], None, m["part_of"], (), tuple(m["sources"])))
            entries.append(("muscle", f"emg:{m['id']}", "electrodiagnosis.json", [m["id"], m["label"], *m["aliases"]]))
        para = self.data.get("paraspinals", {})
        for level in para.get("levels", ()):
            label = para["label"].format(level=level)
            self._add(Study("paraspinal", level, label, None, None, (level,), tuple(para["sources"])))
            entries.append(("muscle", f"paraspinal:{level}", "electrodiagnosis.json",
                            [form.format(level=level) for form in para["forms"]]))
        h = self.data.get("h_reflex")
        if h:
            self._add(Study("h_reflex", h["recording"], "H reflex (soleus)", h["nerve"], None, (), tuple(h["sources"])))
        for f in self.data.get("f_waves", ()):
            label = f"{atlas.node(f['nerve'])['label'].replace(' nerve', '')} F wave"
            self._add(Study("f_wave", f["nerve"], label, f["nerve"], f["recording"], (), tuple(f["sources"])))
        for n in atlas.ids("nerve"):
            for site in self._nerves[n]["sites"]:
                label = f"Conduction block of the {atlas.node(n)['label'].lower()} {site['label']}"
                self._add(Study("block", f"{n}@{site['id']}", label, n, None, (), tuple(atlas.node(n)["sources"])))
        self._index = NameIndex(entries, atlas.grammar)

    def _add(self, study: Study) -> None:
        self._studies[(study.kind, study.id)] = study

    def _nerve_roots(self, nerve: str) -> tuple[str, ...]:
        """Every root any source gives the nerve (disputed values are all kept), in root order."""
        roots = {r for rv in self._nerves[nerve]["root_values"] for r in rv["roots"]}
        return tuple(r for r in (x["id"] for x in self.atlas.data.roots) if r in roots)

    # -- the targets ------------------------------------------------------------------------
    def studies(self, kind: str | None = None) -> Iterator[Study]:
        """Every study target (of one kind), in column order."""
        for k in STUDY_KINDS if kind is None else (kind,):
            yield from (s for (sk, _), s in self._studies.items() if sk == k)

    def study(self, kind: str, ident: str) -> Study:
        """The study target of this kind and id (a KeyError if there is none)."""
        return self._studies[(kind, ident)]

    def results(self, study: str) -> tuple[str, ...]:
        """The result words a study takes ('normal', 'reduced', 'absent' for a SNAP)."""
        return tuple(self.data["results"][study])

    # -- names ----------------------------------------------------------------------------
    def study_kind(self, text: str) -> str | None:
        """The study a word names ('SNAP', 'needle EMG', 'H-reflex'), or None."""
        return self._study_words.get(normalize_name(text))

    def study_words(self) -> tuple[str, ...]:
        """The ids of the studies, for messages."""
        return tuple(s["id"] for s in self.data.get("studies", ()))

    def snap(self, text: str, *, field: str | None = None) -> Study:
        """The SNAP a name names: 'sural', 'sural SNAP', 'superficial peroneal sensory', 'short saphenous nerve'.

        Raises
        ------
        UnknownNameError
            With the closest SNAP names.
        """
        hit = self._index.match(text, ("nerve",))
        if hit is not None:
            return self._studies[("snap", hit.id.split(":", 1)[1])]
        match = self.atlas.match(text, "nerve", fuzzy=False)
        if match is not None:
            for s in self.studies("snap"):
                if s.nerve == match.entity.id:
                    return s
        raise UnknownNameError(text, "nerve", self._index.suggestions(text, ("nerve",)), field=field,
                               reason="is not a sensory nerve neuromap has a SNAP for "
                                      f"({', '.join(s.id.replace('_', ' ') for s in self.studies('snap'))})")

    def emg_muscle(self, text: str, *, field: str | None = None, fuzzy: bool = True) -> Study:
        """The needle EMG target a muscle name names: a muscle of the atlas, an EMG muscle or a paraspinal level.

        Raises
        ------
        UnknownNameError
            With the closest muscle names.
        """
        hit = self._index.match(text, ("muscle",))
        if hit is not None:
            kind, ident = hit.id.split(":", 1)
            return self._studies[(kind, ident)]
        match = self.atlas.match(text, "muscle", fuzzy=fuzzy)
        if match is not None:
            return self._studies[("emg", match.entity.id)]
        suggestions = [*self._index.suggestions(text, ("muscle",), 2), *self.atlas.suggestions(text, "muscle", 2)]
        raise UnknownNameError(text, "muscle", suggestions, field=field)

    def block_site(self, nerves: tuple[str, ...], text: str, *, field: str | None = None) -> Study:
        """The conduction-block target of a site name ('fibular head') on one of *nerves*, most proximal nerve first.

        Raises
        ------
        UnknownNameError
            When no site of those nerves has the name; the sites are suggested.
        """
        plain = self.atlas.grammar.plain(normalize_name(text))
        names = []
        for n in nerves:
            for site in self._nerves[n]["sites"]:
                forms = {self.atlas.grammar.plain(normalize_name(x))
                         for x in (site["id"].replace("_", " "), site["label"])}
                names.append(site["id"].replace("_", " "))
                if plain in forms:
                    return self._studies[("block", f"{n}@{site['id']}")]
        raise UnknownNameError(text, None, list(dict.fromkeys(names))[:4], field=field,
                               reason=f"is not a lesion site of the {', '.join(n.replace('_', ' ') for n in nerves)} "
                                      "nerve")

    # -- the anatomy of the rules ---------------------------------------------------------------
    def snap_reach(self, lesion: tuple[str, str, str | None], snap: str) -> float:
        """The share of a SNAP's fibres a lesion cuts between the dorsal root ganglion and the recording site.

        Parameters
        ----------
        lesion : tuple
            ``("nerve", nerve, site)`` or ``("plexus", plexus, None)``. A root lesion lies
            proximal to the ganglion and reaches no SNAP (``rules``: ``snap_postganglionic``).
        snap : str
            A SNAP id.

        Returns
        -------
        float
            1 when every fibre of the SNAP passes through the lesion, a share for a nerve with two
            sources (the sural nerve and the communicating branch of the common fibular nerve),
            0 when the lesion lies elsewhere or distal to the recording site. The lumbosacral
            trunk reaches a sacral-plexus SNAP by the share of its roots that are L4 or L5.
        """
        study = self._studies[("snap", snap)]
        kind, ident, site = lesion
        if kind == "plexus":
            return self._plexus_reach(ident, str(study.nerve), study.roots)
        return self._nerve_reach(ident, site, str(study.nerve))

    def _plexus_reach(self, plexus: str, nerve: str, roots: tuple[str, ...]) -> float:
        if plexus == "lumbosacral_trunk":
            trunk_roots = self.atlas.node(plexus).get("roots", ())
            if self._plexus_reach("sacral_plexus", nerve, roots) == 0.0 or not roots:
                return 0.0
            return sum(r in trunk_roots for r in roots) / len(roots)
        chain = self.atlas.chain(nerve)
        reach = 1.0 if chain and chain[0] == plexus else 0.0
        return self._with_contributions(nerve, reach, lambda other: self._plexus_reach(plexus, other, roots))

    def _nerve_reach(self, lesioned: str, site: str | None, nerve: str) -> float:
        chain = self.atlas.chain(nerve)
        if lesioned == nerve:
            reach = 1.0
        elif lesioned in chain[:-1]:
            child = chain[chain.index(lesioned) + 1]
            sites = [s["id"] for s in self._nerves[lesioned]["sites"]]
            origin = self._nerves[child].get("origin")
            at = sites.index(site) if site in sites else 0
            # the branch leaves at or below the lesion: its fibres pass through it
            reach = 1.0 if origin not in sites or at <= sites.index(origin) else 0.0
        else:
            reach = 0.0
        return self._with_contributions(nerve, reach, lambda other: self._nerve_reach(lesioned, site, other))

    def _with_contributions(self, nerve: str, reach: float, other: Any) -> float:
        contributions = self._nerves[nerve].get("contributions", ())
        share = sum(c["share"] for c in contributions)
        return (1.0 - share) * reach + sum(c["share"] * other(c["from"]) for c in contributions)


@functools.lru_cache(maxsize=8)
def electrodiagnosis(atlas: Atlas) -> Electrodiagnosis:
    """The :class:`Electrodiagnosis` of an atlas (cached; the atlas is immutable)."""
    return Electrodiagnosis(atlas)
