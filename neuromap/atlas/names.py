"""Names of atlas entities: folding a name for lookup, and the index from names to ids.

Every id, label, alias and vocabulary term of a root, plexus, nerve, muscle, movement, reflex,
region, group or sign is folded with :func:`normalize_name` (and again without a trailing kind
word: 'deep fibular nerve' also answers to 'deep fibular'). :class:`NameIndex` reads a name in
four steps, the first that answers wins:

1. the folded name, exactly;
2. its plain form (fillers dropped, plurals singular; :class:`~neuromap.atlas.grammar.Grammar`);
3. its bag form (word synonyms, any word order);
4. with ``fuzzy``, each unknown word corrected to the one known word of the asked kinds within a
   small edit distance ('gastrocnemeus' -> 'gastrocnemius'), then steps 1-3 again.

A form shared by entities of different meaning is ambiguous: it raises
:class:`~neuromap.errors.AmbiguousNameError` listing them, never a silent pick. A name that
fails every step gets suggestions ranked by meaning (the same kind, shared words, the same body
part) before spelling, or is said to lie outside the lower limb.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from neuromap.atlas.grammar import FOLDED_SPELLINGS, Grammar, normalize_name
from neuromap.errors import AmbiguousNameError, AtlasDataError, UnknownNameError, suggest

__all__ = ["ENTITY_KINDS", "Hit", "NameIndex", "check_kinds", "kind_word", "normalize_name"]

#: Kinds an entity can have, in the order :meth:`neuromap.atlas.Atlas.resolve` prefers when a
#: name is ambiguous and no kind is asked for.
ENTITY_KINDS = ("root", "plexus", "nerve", "region", "group", "movement", "muscle", "reflex", "sign")

_KIND_WORDS = frozenset(("nerve", "nerves", "muscle", "reflex", "root", "region"))


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


@dataclass(frozen=True)
class Hit:
    """What a name was read as: the entity (kind, id), a side named in it, and how it was read.

    ``how`` is ``"exact"``, ``"normalised"`` (fillers, plurals, synonyms or word order) or
    ``"corrected"`` (a spelling correction; ``corrected`` is the name as corrected).
    """

    kind: str
    id: str
    side: str | None
    how: str
    corrected: str | None = None


#: the largest edit distance a word may be corrected over, by its length (shorter words: none)
_MAX_EDITS = ((4, 0), (7, 1))
_DEFAULT_EDITS = 2


def _max_edits(word: str) -> int:
    for below, edits in _MAX_EDITS:
        if len(word) < below:
            return edits
    return _DEFAULT_EDITS


class NameIndex:
    """Names -> the entity each names, per kind, read with a grammar.

    Parameters
    ----------
    entries : iterable of (kind, id, file, names)
        Every entity: its kind, id, the data file it comes from (for the error) and its names
        (id, label, aliases and vocabulary terms as written in the data).
    grammar : Grammar
        The folding rules of the plain and bag forms.
    meaning : callable, optional
        ``meaning(kind, id)``: entities with equal meanings are one answer when a loose form
        reaches both (a region and a group of that one region). Defaults to ``(kind, id)``.
    outside : mapping of str to str, optional
        Names of body parts outside the lower limb -> where they are ('thumb' -> 'hand').
    labels : mapping of (kind, id) to str, optional
        Display names for ambiguity errors (default: the id).

    Raises
    ------
    AtlasDataError
        If one folded name names two entities of one kind.

    Examples
    --------
    >>> import neuromap
    >>> grammar = neuromap.load_atlas().grammar
    >>> index = NameIndex([("region", "hallux_plantar", "regions.json", ["great toe plantar"])], grammar)
    >>> index.match("underside of my big toes", ("region",))
    Hit(kind='region', id='hallux_plantar', side=None, how='normalised', corrected=None)
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, Iterable[str]]], grammar: Grammar, *,
                 meaning: Callable[[str, str], Hashable] | None = None, outside: Mapping[str, str] | None = None,
                 labels: Mapping[tuple[str, str], str] | None = None) -> None:
        self.grammar = grammar
        self._meaning = meaning or (lambda kind, ident: (kind, ident))
        self._labels = dict(labels or {})
        self._slots: dict[str, dict[str, str]] = {}
        self._plain: dict[str, dict[str, set[str]]] = {}
        self._bag: dict[str, dict[str, set[str]]] = {}
        self._words: dict[str, set[str]] = {}
        for kind, ident, file, names in entries:
            for name in names:
                for variant in _variants(normalize_name(name)):
                    slot = self._slots.setdefault(variant, {})
                    got = slot.setdefault(kind, ident)
                    if got != ident:
                        raise AtlasDataError(file, ident, f"name {name!r} also names the {kind} {got!r}")
                    self._plain.setdefault(grammar.plain(variant), {}).setdefault(kind, set()).add(ident)
                    self._bag.setdefault(grammar.bag(variant), {}).setdefault(kind, set()).add(ident)
                    for w in variant.split():
                        self._words.setdefault(kind, set()).add(w)
        self._outside = {form: where for text, where in (outside or {}).items() for form in self._forms(text)}

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalize_name(text) in self._slots

    def __iter__(self) -> Iterator[str]:
        """The folded names."""
        return iter(self._slots)

    def lookup(self, text: str, kinds: Iterable[str] = ENTITY_KINDS) -> tuple[str, str] | None:
        """The (kind, id) *text* names exactly (folded), the first of :data:`ENTITY_KINDS` among *kinds*."""
        slot = self._slots.get(normalize_name(text), {})
        for k in ENTITY_KINDS:
            if k in kinds and k in slot:
                return k, slot[k]
        return None

    def match(self, text: str, kinds: Iterable[str] = ENTITY_KINDS, *, fuzzy: bool = False) -> Hit | None:
        """Read a name: the entity it names among *kinds*, or None.

        A side word at either end ('left heel', 'heel R') is split off and returned as the
        hit's side when the rest is a name. With *fuzzy*, misspelt words are corrected when
        exactly one known word of *kinds* is closest within a small edit distance.

        Raises
        ------
        AmbiguousNameError
            If a loose form of the name reaches entities of different meaning.
        """
        kinds = tuple(kinds)
        folded = normalize_name(text)
        hinted = tuple(k for k in kinds if k in self.grammar.kind_hints(folded))
        if hinted and hinted != kinds:  # 'peroneal muscles' names muscles, not the peroneal nerve
            hit = self.match(text, hinted, fuzzy=fuzzy)
            if hit is not None:
                return hit
        side, rest = self.grammar.split_side(folded)
        for candidate, named_side in ((folded, None), (rest, side)) if side else ((folded, None),):
            hit = self._read(candidate, kinds, text)
            if hit is not None:
                return Hit(hit.kind, hit.id, named_side, hit.how)
        if not fuzzy:
            return None
        target = rest if side else folded
        corrected = self._corrected(target, kinds)
        if corrected is None:
            return None
        hit = self._read(corrected, kinds, text)
        return None if hit is None else Hit(hit.kind, hit.id, side, "corrected", corrected)

    def outside(self, text: str) -> str | None:
        """Where a name outside the lower limb lies ('thumb' -> 'hand'), or None."""
        folded = normalize_name(text)
        rest = self.grammar.split_side(folded)[1]
        for form in (*self._forms(folded), *self._forms(rest)):
            if form in self._outside:
                return self._outside[form]
        return None

    def suggestions(self, text: str, kinds: Iterable[str] = ENTITY_KINDS, n: int = 3) -> list[str]:
        """The names closest in meaning to *text* among entities of *kinds*, one per entity, best first.

        A name shares words with its suggestions (an abbreviation's words may be prefixes:
        'tib ant' -> 'tibialis anterior'), and one naming a body part ('around my ankle') is
        offered only names of that part; failing that, names spelled alike.
        """
        kinds = tuple(kinds)
        g = self.grammar
        query = g.bag(g.split_side(normalize_name(text))[1]).split()
        if not query:
            return []
        parts = g.part_words(query)
        scored: list[tuple[float, float, str, tuple[str, str]]] = []
        for name, slot in self._slots.items():
            for k, ident in slot.items():
                if k not in kinds:
                    continue
                words = g.bag(name).split()
                if parts and not parts & g.part_words(words):
                    continue
                shared = sum(1 for q in query if any(_same_word(q, w) for w in words))
                if shared:
                    spelling = difflib.SequenceMatcher(None, name, normalize_name(text)).ratio()
                    scored.append((2 * shared / (len(query) + len(words)), spelling, name, (k, ident)))
        if not scored:
            return self._spelled_alike(text, kinds, n)
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        return _one_per_entity(((name, entity) for *_, name, entity in scored), n)

    # -- machinery ------------------------------------------------------------------------
    def _forms(self, folded: str) -> tuple[str, ...]:
        return (folded, self.grammar.plain(folded), self.grammar.bag(folded))

    def _read(self, folded: str, kinds: tuple[str, ...], text: str) -> Hit | None:
        """Steps 1-3 of the module docstring for one folded name."""
        if not folded:
            return None
        found = self.lookup(folded, kinds)
        if found is not None:
            return Hit(*found, None, "exact")
        head, _, last = folded.rpartition(" ")
        said = self.grammar.kind_hints(last)
        if head and said:  # 'ankle jerk reflex': a name and the kind it is
            found = self.lookup(head, tuple(k for k in kinds if k in said))
            if found is not None:
                return Hit(*found, None, "normalised")
        for table, form in ((self._plain, self.grammar.plain(folded)), (self._bag, self.grammar.bag(folded))):
            slot = table.get(form)
            if slot is None:
                continue
            named = [(k, i) for k in ENTITY_KINDS if k in kinds and k in slot for i in sorted(slot[k])]
            if not named:
                continue
            if table is self._plain:  # the plain form is itself a name ('soles' -> 'sole'): that one
                own = self._slots.get(form, {})
                exact = [(k, i) for k, i in named if own.get(k) == i]
                named = exact if len(exact) == 1 else named
            meanings = dict.fromkeys(self._meaning(k, i) for k, i in named)
            if len(meanings) > 1 and not self._one_kind_answers(named):
                labels = [self._labels.get(e, e[1].replace("_", " ")) for e in named]
                raise AmbiguousNameError(text, list(dict.fromkeys(labels)))
            return Hit(*named[0], None, "normalised")
        return None

    def _one_kind_answers(self, named: list[tuple[str, str]]) -> bool:
        """Entities of different kinds outside region/group: the first kind answers, as for exact names."""
        first = named[0][0]
        own = [e for e in named if e[0] == first]
        return first not in ("region", "group") and len(own) == 1

    def _corrected(self, folded: str, kinds: tuple[str, ...]) -> str | None:
        """*folded* with each unknown word replaced by the one closest known word of *kinds*; None if none."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        known: set[str] = set(self.grammar.fillers) | set(FOLDED_SPELLINGS)
        for k in kinds:
            known |= self._words.get(k, set())
        out, changed = [], False
        for word in folded.split():
            if word in known or self.grammar.singular(word) in known:
                out.append(word)
                continue
            edits = _max_edits(word)
            if edits == 0:
                return None
            close = process.extract(word, known, scorer=OSA.distance, score_cutoff=edits, limit=3)
            best = [c for c in close if c[1] == close[0][1]] if close else []
            if len(best) != 1:
                return None
            out.append(best[0][0])
            changed = True
        return " ".join(out) if changed else None

    def _spelled_alike(self, text: str, kinds: tuple[str, ...], n: int) -> list[str]:
        named = {name: (k, i) for name, slot in self._slots.items() for k, i in slot.items() if k in kinds}
        close = suggest(normalize_name(text), named, n=4 * n, cutoff=0.75)
        return _one_per_entity(((name, named[name]) for name in close), n)


def _same_word(query: str, word: str) -> bool:
    """Whether a query word matches a name's word: equal, its abbreviation, or one slip from either.

    'tib' abbreviates 'tibialis'; 'antt' is one slip from 'ante', the start of 'anterior'.
    """
    if query == word or (len(query) >= 2 and word.startswith(query) and not query.isdigit()):
        return True
    from rapidfuzz.distance import OSA

    return len(query) >= 4 and OSA.distance(query, word[:len(query)]) <= 1


def _one_per_entity(ranked: Iterable[tuple[str, tuple[str, str]]], n: int) -> list[str]:
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for name, entity in ranked:
        if entity not in seen:
            seen.add(entity)
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


def kind_word(kind: str | Iterable[str] | None) -> str | None:
    """The kinds asked for as one phrase for a message ('muscle or movement'), None for any kind."""
    if kind is None:
        return None
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    return " or ".join(kinds)
