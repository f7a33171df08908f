"""How a name is read before it is looked up: the grammar of ``data/vocabulary.json``.

A name is first folded (:func:`~neuromap.atlas.names.normalize_name`: case, accents,
punctuation, British spellings, 'peroneal'). The grammar then gives it two looser forms, tried
in turn when the folded name is not known:

- the *plain* form drops fillers ('the', 'my', 'of', 'area', 'sign', ...) and makes plurals
  singular ('numb toes of my feet' -> 'numb toe foot'), keeping the word order;
- the *bag* form also replaces word synonyms ('big' -> 'great', 'underside' -> 'plantar') and
  sorts the words, so either word order reads the same ('plantar great toe' = 'great toe,
  plantar' = 'underside of the big toe').

A side word at either end ('left big toe', 'L heel', 'heel (R)', 'both feet') is split off
first: it names the finding's side, not the place.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FOLDED_SPELLINGS", "Grammar", "fold_grade", "normalize_name"]

_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
_WORD_FOLDS = {"peroneal": "fibular", "peroneus": "fibularis", "peronei": "fibulares"}
_FOLDED_WORDS = frozenset(_ORDINALS) | frozenset(_WORD_FOLDS)
#: spellings the fold replaces ('peroneal'): known words for spelling correction
FOLDED_SPELLINGS = tuple(_WORD_FOLDS)
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
    folded = " ".join(words)
    while "ae" in folded:  # to a fixed point: 'aae' -> 'e', so folding twice changes nothing
        folded = folded.replace("ae", "e")
    if folded == "the":
        return ""
    return folded[4:] if folded.startswith("the ") else folded


_SINGULAR_ES = re.compile(r"(?:ss|x|z|ch|sh)es$")


def fold_grade(text: str) -> str:
    """A grade as written, folded for lookup: lower case, single spaces ('2+', 'Absent  with reinforcement')."""
    return " ".join(text.lower().replace("’", "'").split())


@dataclass(frozen=True)
class Grammar:
    """The folding rules of names (the ``grammar`` of ``data/vocabulary.json``).

    Parameters
    ----------
    fillers : frozenset of str
        Words dropped from the plain and bag forms.
    words : mapping of str to str
        Word synonyms used in the bag form ('big' -> 'great'); a value may be several words.
    joins : frozenset of str
        Prefixes written apart that join the next word ('antero lateral' -> 'anterolateral').
    plurals : mapping of str to str
        Irregular plurals ('feet' -> 'foot'); regular ones lose their '-s' or '-es'.
    keep : frozenset of str
        Words ending in 's' that are not plurals ('biceps').
    sides : mapping of tuple of str to str
        Side words (as word tuples) and the side each names.
    parts : frozenset of str
        Words that name a body part: a suggestion for a name with one must share one.
    modalities, reflex_grades, motor_grades : mapping of str to str
        The words for sensory modalities (folded with :func:`normalize_name`), reflex grades
        and MRC grades (folded with :func:`fold_grade`), each to its canonical value.
    kinds : mapping of str to tuple of str
        Words that say which kind of entity a name is ('muscle' -> muscle, 'skin' -> region
        and group): a name with one is read as that kind first.
    compounds : mapping of tuple of str to str
        Runs of words that are one word of another name ('upper leg' -> 'thigh'), read in the
        plain form.

    Examples
    --------
    >>> import neuromap
    >>> g = neuromap.load_atlas().grammar
    >>> g.plain("the numb toes of my feet")
    'numb toe foot'
    >>> g.bag("underside of the big toe") == g.bag("plantar great toe")
    True
    >>> g.split_side("l heel")
    ('left', 'heel')
    >>> g.modality("pins and needles"), g.reflex_grade("1+"), g.motor_grade("trace")
    ('tingling', 'reduced', '1')
    """

    fillers: frozenset[str]
    words: Mapping[str, str]
    joins: frozenset[str]
    plurals: Mapping[str, str]
    keep: frozenset[str]
    sides: Mapping[tuple[str, ...], str]
    parts: frozenset[str]
    modalities: Mapping[str, str]
    reflex_grades: Mapping[str, str]
    motor_grades: Mapping[str, str]
    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    compounds: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, grammar: Mapping[str, Any]) -> Grammar:
        """The grammar of a vocabulary file's ``grammar`` object."""
        sides = {tuple(w.split()): side for side, words in grammar["sides"].items() for w in words}
        def words(table: Mapping[str, Iterable[str]], fold: Any) -> dict[str, str]:
            return {fold(w): value for value, ws in table.items() for w in (value, *ws)}

        return cls(frozenset(grammar["fillers"]), dict(grammar["words"]), frozenset(grammar["joins"]),
                   dict(grammar["plurals"]), frozenset(grammar["keep"]), sides, frozenset(grammar["parts"]),
                   words(grammar["modalities"], normalize_name), words(grammar["reflex_grades"], fold_grade),
                   words(grammar["motor_grades"], fold_grade),
                   {w: tuple(ks) for w, ks in grammar.get("kind_words", {}).items()},
                   {tuple(k.split()): v for k, v in grammar.get("compounds", {}).items()})

    def __hash__(self) -> int:
        return id(self)

    def singular(self, word: str) -> str:
        """A word made singular ('toes' -> 'toe', 'reflexes' -> 'reflex', 'feet' -> 'foot')."""
        if word in self.plurals:
            word = self.plurals[word]
        elif len(word) > 3 and word.endswith("s") and word not in self.keep and not word.endswith(("ss", "us", "is")):
            word = word[:-2] if _SINGULAR_ES.search(word) else word[:-1]
        return _WORD_FOLDS.get(word, word)  # folded again once singular: 'peroneals' -> 'fibular'

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the grammar lives as long as its atlas
    def plain(self, folded: str) -> str:
        """The plain form of a folded name: fillers dropped, plurals singular, order kept."""
        words = [w for w in map(self.singular, self._joined(folded.split())) if w not in self.fillers]
        for run, word in self.compounds.items():
            n = len(run)
            for i in range(len(words) - n, -1, -1):
                if tuple(words[i:i + n]) == run:
                    words[i:i + n] = [word]
        return " ".join(words)

    @functools.lru_cache(maxsize=8192)  # noqa: B019
    def bag(self, folded: str) -> str:
        """The bag form of a folded name: the plain form with word synonyms, its words sorted."""
        words: list[str] = []
        for w in self.plain(folded).split():
            words.extend(self.words.get(w, w).split())
        return " ".join(sorted(words))

    def split_side(self, folded: str) -> tuple[str | None, str]:
        """A side word at either end of a folded name, and the rest ('left big toe' -> left, 'big toe')."""
        words = folded.split()
        for n in (2, 1):
            if len(words) > n:
                if tuple(words[:n]) in self.sides:
                    return self.sides[tuple(words[:n])], " ".join(words[n:])
                if tuple(words[-n:]) in self.sides:
                    return self.sides[tuple(words[-n:])], " ".join(words[:-n])
        # 'sole of the left foot': one side word (of two letters or more) inside the name
        inside = [i for i, w in enumerate(words) if len(w) > 1 and (w,) in self.sides]
        if len(inside) == 1 and len(words) > 2:
            i = inside[0]
            return self.sides[(words[i],)], " ".join(words[:i] + words[i + 1:])
        return None, folded

    def modality(self, text: str) -> str | None:
        """The sensory modality a word names ('pins and needles' -> 'tingling'), or None."""
        return self.modalities.get(normalize_name(text))

    def reflex_grade(self, text: str) -> str | None:
        """The reflex grade a word names ('1+' -> 'reduced', 'hyperactive' -> 'brisk'), or None."""
        return self.reflex_grades.get(fold_grade(text))

    def motor_grade(self, text: str) -> str | None:
        """The MRC grade ('0'-'4'), 'weak' or 'normal' a word names ('trace' -> '1'), or None."""
        return self.motor_grades.get(fold_grade(text))

    def kind_hints(self, folded: str) -> frozenset[str]:
        """The entity kinds a name's own words point to ('peroneal muscles' -> muscle)."""
        words = {self.singular(w) for w in folded.split()}
        return frozenset(k for w in words for k in self.kinds.get(w, ()))

    def part_words(self, words: Iterable[str]) -> frozenset[str]:
        """The body-part words among *words* (singular)."""
        return frozenset(w for w in words if w in self.parts)

    def _joined(self, words: list[str]) -> list[str]:
        if self.joins.isdisjoint(words[:-1]):
            return words
        out: list[str] = []
        for w in words:
            if out and out[-1] in self.joins:
                out[-1] += w
            else:
                out.append(w)
        return out
