"""Standard codes of atlas entities, both ways: entity -> codes and code -> entity.

The codes are data (``data/xrefs.json``): UBERON and FMA ids, SNOMED CT concept ids and ISO/IEEE
11073 (MDC) codes, each with its source. :class:`CodeIndex` reads them once per atlas;
:meth:`neuromap.atlas.Atlas.xrefs` and :meth:`neuromap.atlas.Atlas.resolve` answer from it, and
:mod:`neuromap.fhir` uses it to read a FHIR ``bodySite`` and to write codings.

A code is written in any of the forms clinical systems use:

- a CURIE: ``UBERON:0001385``, ``FMA:22532``, ``SNOMED:181696007`` (also ``SCTID:`` or ``SCT:``),
  ``MDC:458972``;
- a FHIR token, system URI and code joined by ``|``: ``http://snomed.info/sct|181696007``;
- an OBO PURL: ``http://purl.obolibrary.org/obo/UBERON_0001385``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["CodeIndex"]

#: Further prefixes people write SNOMED CT ids with.
_SNOMED_PREFIXES = ("sctid", "sct", "snomedct", "snomed-ct")
_OBO_PURL = "http://purl.obolibrary.org/obo/"


class CodeIndex:
    """The standard codes of an atlas's entities, indexed both ways.

    Parameters
    ----------
    data : Mapping
        The content of ``xrefs.json`` (``systems``, ``xrefs``, ``qualifiers``).

    Attributes
    ----------
    systems : Mapping
        System name (``UBERON``, ``FMA``, ``SNOMED``, ``MDC``) -> ``label``, ``uri`` (the FHIR system
        URI), ``curie`` and ``pattern``.

    Examples
    --------
    >>> import neuromap
    >>> codes = neuromap.load_atlas().codes
    >>> codes.parse("http://snomed.info/sct|181696007")
    ('SNOMED', '181696007')
    >>> codes.find("SNOMED", "181696007")
    ('muscle', 'tibialis_anterior')
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.systems: Mapping[str, Mapping[str, Any]] = MappingProxyType(
            {name: MappingProxyType(dict(info)) for name, info in data["systems"].items()})
        self._by_entity: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
        self._by_code: dict[tuple[str, str], tuple[str, str]] = {}
        self._labels: dict[tuple[str, str], str] = {}
        for entry in data["xrefs"]:
            key = (entry["kind"], entry["id"])
            codes: dict[str, list[str]] = {}
            for code in entry["codes"]:
                codes.setdefault(code["system"], []).append(code["code"])
                self._by_code[(code["system"], code["code"])] = key
                if "label" in code:
                    self._labels[(code["system"], code["code"])] = code["label"]
            self._by_entity[key] = {s: tuple(c) for s, c in codes.items()}
        self._prefixes = {info["curie"].lower(): name for name, info in self.systems.items()}
        if "SNOMED" in self.systems:
            self._prefixes.update(dict.fromkeys(_SNOMED_PREFIXES, "SNOMED"))
        self._uris = {info["uri"].rstrip("/"): name for name, info in self.systems.items()}
        self._sides = {q["side"]: (q["system"], q["code"]) for q in data["qualifiers"]["laterality"]}
        self._side_of = {v: k for k, v in self._sides.items()}

    # -- entity -> codes -------------------------------------------------------------------
    def of(self, kind: str, ident: str) -> dict[str, list[str]]:
        """The codes of one entity: system -> codes (empty when it has none).

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().codes.of("nerve", "sciatic")
        {'UBERON': ['UBERON:0001322'], 'FMA': ['FMA:19034'], 'SNOMED': ['181050003'], 'MDC': ['458964']}
        """
        return {s: list(c) for s, c in self._by_entity.get((kind, ident), {}).items()}

    def label(self, system: str, code: str) -> str | None:
        """The label the source gives a code, where the data has one."""
        return self._labels.get((system, code))

    def entities(self) -> Iterable[tuple[str, str]]:
        """(kind, id) of every entity with at least one code, in data order."""
        return tuple(self._by_entity)

    def uri(self, system: str) -> str:
        """The FHIR system URI of a code system (``SNOMED`` -> ``http://snomed.info/sct``)."""
        return str(self.systems[system]["uri"])

    # -- code -> entity --------------------------------------------------------------------
    def parse(self, text: object, system_uri: str | None = None) -> tuple[str, str] | None:
        """Read a code in any of its written forms: (system, code) or None if *text* is not one.

        Parameters
        ----------
        text : object
            A CURIE (``UBERON:0001385``, ``SNOMED:181696007``), a FHIR token
            (``http://snomed.info/sct|181696007``) or an OBO PURL.
        system_uri : str, optional
            The system of a bare code (a FHIR Coding's ``system``), when *text* is its ``code``.

        Returns
        -------
        tuple of (str, str) or None
            The system name and the code as ``xrefs.json`` writes it; None when *text* is not
            code-shaped or names a system the atlas does not use.

        Examples
        --------
        >>> import neuromap
        >>> codes = neuromap.load_atlas().codes
        >>> codes.parse("sctid:181050003"), codes.parse("181050003", "http://snomed.info/sct")
        (('SNOMED', '181050003'), ('SNOMED', '181050003'))
        >>> codes.parse("http://purl.obolibrary.org/obo/UBERON_0001322")
        ('UBERON', 'UBERON:0001322')
        >>> codes.parse("big toe") is None
        True
        """
        if not isinstance(text, str):
            return None
        value = text.strip()
        if system_uri is not None:
            system = self._uris.get(str(system_uri).strip().rstrip("/"))
            return None if system is None else self._normal(system, value)
        if "|" in value:
            uri, _, code = value.partition("|")
            return self.parse(code, uri)
        if value.startswith(_OBO_PURL):
            value = value[len(_OBO_PURL):].replace("_", ":", 1)
        prefix, sep, code = value.partition(":")
        if not sep or " " in value:
            return None
        system = self._prefixes.get(prefix.lower())
        return None if system is None else self._normal(system, code.strip())

    def _normal(self, system: str, code: str) -> tuple[str, str] | None:
        """The code as xrefs.json writes it (with or without the CURIE prefix, as the system's pattern says)."""
        info = self.systems[system]
        curie = f"{info['curie']}:"
        bare = code[len(curie):] if code.upper().startswith(curie.upper()) else code
        for form in (bare, curie + bare):
            if re.fullmatch(info["pattern"], form):
                return system, form
        return None

    def lookup(self, text: object, kinds: Iterable[str] | None = None) -> tuple[str, str] | None:
        """The (kind, id) of the entity a written code names (:meth:`parse`, then :meth:`find`), or None.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().codes.lookup("SNOMED:181702007")
        ('muscle', 'soleus')
        """
        code = self.parse(text)
        return None if code is None else self.find(*code, kinds)

    def find(self, system: str, code: str, kinds: Iterable[str] | None = None) -> tuple[str, str] | None:
        """The (kind, id) of the entity carrying a code, or None (or when it is of another kind)."""
        hit = self._by_code.get((system, code))
        if hit is None or (kinds is not None and hit[0] not in tuple(kinds)):
            return None
        return hit

    # -- laterality ------------------------------------------------------------------------
    def laterality(self, side: str) -> tuple[str, str]:
        """The (system, code) of the laterality qualifier of a side (left, right, bilateral)."""
        return self._sides[side]

    def side_of(self, system: str, code: str) -> str | None:
        """The side a laterality qualifier code stands for, or None.

        Examples
        --------
        >>> import neuromap
        >>> neuromap.load_atlas().codes.side_of("SNOMED", "7771000")
        'left'
        """
        return self._side_of.get((system, code))

    # -- coverage --------------------------------------------------------------------------
    def coverage(self, ids: Mapping[str, Iterable[str]]) -> dict[str, dict[str, int]]:
        """How many entities of each kind have each code system: kind -> {``entities``, system: count}.

        Parameters
        ----------
        ids : Mapping
            Kind -> the ids of every entity of that kind.

        Examples
        --------
        >>> import neuromap
        >>> atlas = neuromap.load_atlas()
        >>> cov = atlas.codes.coverage({k: atlas.ids(k) for k in ("muscle",)})
        >>> cov["muscle"]["entities"] == len(atlas.ids("muscle")), cov["muscle"]["UBERON"] > 20
        (True, True)
        """
        out: dict[str, dict[str, int]] = {}
        for kind, idents in ids.items():
            idents = tuple(idents)
            row = {"entities": len(idents)}
            for system in self.systems:
                row[system] = sum(1 for i in idents if system in self._by_entity.get((kind, i), {}))
            row["any"] = sum(1 for i in idents if (kind, i) in self._by_entity)
            out[kind] = row
        return out
