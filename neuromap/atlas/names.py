"""Names of atlas entities: folding a name for lookup, and the index from folded names to ids.

Every id, label and alias of a root, plexus, nerve, muscle, movement, reflex, region, group or
sign is folded with :func:`normalize_name` (and again without a trailing kind word: 'deep
fibular nerve' also answers to 'deep fibular'); :class:`NameIndex` maps each folded name to the
entity it names, one per kind.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator

from neuromap.errors import AtlasDataError, UnknownNameError, suggest

__all__ = ["ENTITY_KINDS", "NameIndex", "check_kinds", "normalize_name"]

#: Kinds an entity can have, in the order :meth:`neuromap.atlas.Atlas.resolve` prefers when a
#: name is ambiguous and no kind is asked for.
ENTITY_KINDS = ("root", "plexus", "nerve", "region", "group", "movement", "muscle", "reflex", "sign")

_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
_WORD_FOLDS = {"peroneal": "fibular", "peroneus": "fibularis", "peronei": "fibulares"}
_FOLDED_WORDS = frozenset(_ORDINALS) | frozenset(_WORD_FOLDS)
_KIND_WORDS = frozenset(("nerve", "nerves", "muscle", "reflex", "root", "region"))
_WORD = re.compile("[a-z0-9]+")


@functools.lru_cache(maxsize=16384)
def normalize_name(text: str) -> str:
    """Fold a name to the form used for lookup.

    Case, accents, punctuation, hyphens and underscores are ignored; British spellings with
    'ae' fold to the American 'e'; ordinals are spelled out; 'peroneal' folds to 'fibular';
    a leading 'the' is dropped.

    Parameters
    ----------
    text : str
        A name as someone wrote it.

    Returns
    -------
    str
        The folded name: lower-case ASCII words separated by single spaces.

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
    # the apostrophe goes, '&' is 'and', anything but [a-z0-9] splits words
    words = _WORD.findall(text.lower().replace("'", "").replace("&", " and "))
    if not _FOLDED_WORDS.isdisjoint(words):
        words = [_WORD_FOLDS.get(_ORDINALS.get(w, w), _ORDINALS.get(w, w)) for w in words]
    # 'ae' -> 'e' inside words, after the word folds (a replacement cannot reach across the spaces)
    folded = " ".join(words).replace("ae", "e")
    if folded == "the":
        return ""
    return folded[4:] if folded.startswith("the ") else folded


def check_kinds(kind: str | Iterable[str] | None) -> tuple[str, ...]:
    """The entity kinds asked for (every kind for None), each checked.

    Parameters
    ----------
    kind : str, iterable of str or None
        One kind, several, or None for all of :data:`ENTITY_KINDS`.

    Returns
    -------
    tuple of str
        The kinds.

    Raises
    ------
    UnknownNameError
        If a kind is not one of :data:`ENTITY_KINDS`.

    Examples
    --------
    >>> check_kinds("region")
    ('region',)
    """
    if kind is None:
        return ENTITY_KINDS
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    for k in kinds:
        if k not in ENTITY_KINDS:
            raise UnknownNameError(k, "kind", suggest(k, ENTITY_KINDS) or list(ENTITY_KINDS), field="kind")
    return kinds


class NameIndex:
    """Folded name -> the entity it names, one per kind.

    Parameters
    ----------
    entries : iterable of (kind, id, file, names)
        Every entity: its kind, id, the data file it comes from (for the error) and its names
        (id, label and aliases as written in the data).

    Raises
    ------
    AtlasDataError
        If one name names two entities of one kind.

    Examples
    --------
    >>> index = NameIndex([("nerve", "deep_fibular", "nerves.json", ["deep_fibular", "Deep peroneal nerve"])])
    >>> index.lookup("deep peroneal", ("nerve",))
    ('nerve', 'deep_fibular')
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, Iterable[str]]]) -> None:
        self._slots: dict[str, dict[str, str]] = {}
        for kind, ident, file, names in entries:
            for name in names:
                for variant in _variants(normalize_name(name)):
                    slot = self._slots.setdefault(variant, {})
                    got = slot.setdefault(kind, ident)
                    if got != ident:
                        raise AtlasDataError(file, ident, f"name {name!r} also names the {kind} {got!r}")

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalize_name(text) in self._slots

    def __iter__(self) -> Iterator[str]:
        """The folded names."""
        return iter(self._slots)

    def lookup(self, text: str, kinds: Iterable[str] = ENTITY_KINDS) -> tuple[str, str] | None:
        """The (kind, id) *text* names, the first of :data:`ENTITY_KINDS` among *kinds*; None if none."""
        slot = self._slots.get(normalize_name(text), {})
        for k in ENTITY_KINDS:
            if k in kinds and k in slot:
                return k, slot[k]
        return None

    def suggestions(self, text: str, kinds: Iterable[str] = ENTITY_KINDS, n: int = 3) -> list[str]:
        """The folded names closest to *text* among entities of *kinds*, one per entity, best first."""
        kinds = tuple(kinds)
        named: dict[str, tuple[str, str]] = {}
        for name, slot in self._slots.items():
            for k, ident in slot.items():
                if k in kinds:
                    named.setdefault(name, (k, ident))
        out: list[str] = []
        seen: set[tuple[str, str]] = set()
        for name in suggest(normalize_name(text), named, n=4 * n, cutoff=0.6):
            if named[name] not in seen:
                seen.add(named[name])
                out.append(name)
            if len(out) == n:
                break
        return out


def _variants(folded: str) -> tuple[str, ...]:
    """A folded name, and without a trailing kind word ('deep fibular nerve' -> 'deep fibular')."""
    if not folded:
        return ()
    head, _, last = folded.rpartition(" ")
    return (folded, head) if head and last in _KIND_WORDS else (folded,)
