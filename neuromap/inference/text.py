"""Read a case from free text: clinic notes and patients' complaints.

:func:`case_from_text` is rule-based over the atlas vocabulary (no model, nothing downloaded).
It splits the text into segments at commas, semicolons, full stops and line breaks, and in
each segment finds, longest first, the names of regions, movements, muscles, reflexes and
signs (:meth:`neuromap.atlas.Atlas.match`), the words around them that say what was found (a
modality, an MRC or reflex grade, 'weak', 'normal', 'no', '+ve') and the side ('R leg:',
'left', 'both feet'). A side named at the head of a segment ('R leg: ...') holds for the
segments after it; a segment of bare regions takes the modality of the segment before
('numb heel, sole and little toe').

Nothing is dropped silently: every run of words it did not read is in
:attr:`TextCase.unread`, and every finding knows the span it came from
(:attr:`TextCase.spans`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from neuromap.atlas import Atlas, load_atlas, normalize_name
from neuromap.errors import AmbiguousNameError, InvalidArgumentError, InvalidTypeError
from neuromap.inference.mentions import NEGATIONS

__all__ = ["TextCase", "case_from_text"]

#: Longest text read, in characters (a clinic note; a whole record is not a case).
MAX_TEXT_LENGTH = 10_000
#: The longest run of words tried as one name.
MAX_NAME_WORDS = 7

_TOKEN = re.compile(r"[0-5]\s*[+-]?\s*/\s*5|[0-4]\+{1,2}|\+{1,4}|[+-]ve\b|[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_SEGMENT = re.compile(r"[^,;.\n:()]+")
#: function words: a name never starts or ends with one
_FUNCTION = frozenset((
    "and", "or", "with", "also", "the", "a", "an", "of", "on", "in", "at", "to", "my", "his", "her", "their",
    "i", "im", "i'm", "ive", "have", "has", "had", "is", "are", "was", "were", "be", "been", "there", "some",
    "it", "its", "this", "that", "for", "since", "about", "into", "from", "but", "over", "around", "very",
))
#: words a note uses around findings that carry nothing to score (not reported as unread)
_GLUE = _FUNCTION | frozenset((
    "feel", "feels", "felt", "feeling", "get", "gets", "got", "quite", "really", "mild", "mildly", "moderate",
    "severe", "marked", "markedly", "sudden", "suddenly", "gradual", "constant", "intermittent", "properly",
    "well", "down", "up", "leg", "legs", "foot", "feet", "side", "o", "e", "exam", "examination", "years",
    "year", "months", "month", "weeks", "week", "days", "day", "ago", "now", "today", "pt", "patient",
    "complains", "c", "reports", "noted", "found", "ve", "deg", "degrees", "power", "strength", "tone",
    "sensation", "sensory", "motor", "reflexes", "reflex", "jerks", "jerk", "test",
))
_SIDE_TOKENS = {"left": "left", "l": "left", "lt": "left", "right": "right", "r": "right", "rt": "right",
                "both": "bilateral", "bilateral": "bilateral", "bilaterally": "bilateral", "bilat": "bilateral"}
_POSITIVE = frozenset(("+ve", "positive", "pos", "present", "+", "yes"))
_NEGATIVE = frozenset(("-ve", "negative", "neg"))
_NORMAL = frozenset(("normal", "intact", "nad", "preserved", "full", "symmetrical", "symmetric"))
_GENERIC_REFLEX = frozenset(("reflexes", "reflex", "jerks", "dtrs", "dtr"))
_WEAK = frozenset(("weak", "weakness", "paresis", "drop", "cannot", "cant", "can't", "unable"))


@dataclass(frozen=True)
class TextCase:
    """A case read from free text.

    Attributes
    ----------
    case : dict
        The case, in the format :func:`neuromap.localize` takes.
    unread : tuple of (int, int, str)
        The spans (start, end, text) of the text that were not read.
    spans : tuple of (str, int, int)
        For each finding, its field in :attr:`case` and the span (start, end) it came from.
    """

    case: dict[str, Any]
    unread: tuple[tuple[int, int, str], ...]
    spans: tuple[tuple[str, int, int], ...] = field(default=())


@dataclass
class _Token:
    text: str
    start: int
    end: int
    word: str  # folded
    used: bool = False


@dataclass
class _Mention:
    kind: str
    name: str
    start: int
    end: int
    first: int  # token index
    side: str | None


def case_from_text(text: str, *, side: str | None = None, atlas: Atlas | None = None) -> TextCase:
    """Read a clinic note or a complaint into a case.

    Parameters
    ----------
    text : str
        The note ('R leg: 4/5 EHL, absent AJ, numb lateral border of foot and sole') or the
        complaint ('burning soles both feet for 2 years').
    side : str, optional
        The side when the text names none ('left', 'right' or 'bilateral').
    atlas : Atlas, optional
        Defaults to the bundled atlas.

    Returns
    -------
    TextCase
        ``.case`` (valid under the case schema), ``.unread`` and ``.spans``.

    Raises
    ------
    InvalidArgumentError
        If the text names no side, *side* is not given and it reports findings of one side
        (skin, strength, reflexes; signs alone are read for both sides), or the text is empty
        or longer than :data:`MAX_TEXT_LENGTH`.

    Examples
    --------
    >>> import neuromap
    >>> read = neuromap.case_from_text("numb heel and sole, weak great toe extension 4/5", side="left")
    >>> read.case["sensory"]
    [{'regions': ['heel', 'sole'], 'modality': 'numbness', 'side': 'left'}]
    >>> read.case["motor"]
    [{'name': 'great toe extension', 'grade': '4/5', 'side': 'left'}]
    >>> read.unread
    ()
    """
    if not isinstance(text, str):
        raise InvalidTypeError("text", f"expected a string, got a {type(text).__name__}")
    if not text.strip():
        raise InvalidArgumentError("text", "the text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidArgumentError("text", f"the text is longer than {MAX_TEXT_LENGTH} characters")
    if side is not None and side not in ("left", "right", "bilateral"):
        raise InvalidArgumentError("side", f"allowed values are 'left', 'right' and 'bilateral', but got {side!r}")
    atlas = atlas if atlas is not None else load_atlas()
    reader = _TextReader(atlas, side)
    for segment in _segments(text):
        reader.segment(segment)
    return reader.finish(text)


def _segments(text: str) -> Iterator[list[_Token]]:
    for m in _SEGMENT.finditer(text):
        tokens = [_Token(t.group(), m.start() + t.start(), m.start() + t.end(), _fold(t.group()))
                  for t in _TOKEN.finditer(m.group())]
        if tokens:
            yield tokens


def _fold(token: str) -> str:
    if token[0].isdigit() or token[0] in "+-":
        return re.sub(r"\s+", "", token.lower())
    return normalize_name(token) or token.lower()


class _TextReader:
    """Reads segment after segment into the sections of a case."""

    def __init__(self, atlas: Atlas, side: str | None) -> None:
        self.atlas = atlas
        self.grammar = atlas.grammar
        self.given_side = side
        self.side: str | None = None
        self.sides_seen: list[str] = []
        self.sensory: list[dict[str, Any]] = []
        self.motor: list[dict[str, Any]] = []
        self.reflexes: dict[str, Any] = {}
        self.other: list[Any] = []
        self.spans: list[tuple[str, int, int]] = []
        self.tokens: list[_Token] = []
        self.last_modality: str | None = None

    # -- one segment -----------------------------------------------------------------------
    def segment(self, tokens: list[_Token]) -> None:
        self.tokens.extend(tokens)
        mentions = self.mentions(tokens)
        if not mentions:
            own = self.side_of(tokens, 0, len(tokens))
            if own is not None:  # a header such as 'R leg'
                self.side = own
                for t in tokens:
                    if t.word in _SIDE_TOKENS or t.word in _GLUE:
                        t.used = True
            return
        seg_side = self.side_of(tokens, 0, len(tokens)) or self.side
        if seg_side is not None and seg_side != self.side and not any(m.side for m in mentions):
            self.side = seg_side
        regions = [m for m in mentions if m.kind in ("region", "group")]
        if regions:
            self.read_sensory(tokens, regions)
        for m in mentions:
            if m.kind in ("movement", "muscle"):
                self.read_motor(tokens, m)
            elif m.kind == "reflex":
                self.read_reflex(tokens, m)
            elif m.kind == "sign":
                self.read_sign(tokens, m)

    def mentions(self, tokens: list[_Token]) -> list[_Mention]:
        """Names in a segment, longest first, side words inside a name taken as its side."""
        found: list[_Mention] = []
        i = 0
        while i < len(tokens):
            hit = None
            for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
                span = tokens[i:i + n]
                if (span[0].word in _FUNCTION or span[-1].word in _FUNCTION or span[0].word in _SIDE_TOKENS
                        or not span[0].text[0].isalpha() or not span[-1].text[0].isalnum()):
                    continue
                inner = [t for t in span if t.word not in _SIDE_TOKENS]
                name = " ".join(t.text for t in inner)
                try:
                    match = self.atlas.match(name, fuzzy=False)
                except AmbiguousNameError:
                    match = None
                if match is None or match.entity.kind in ("root", "plexus", "nerve"):
                    continue
                inside = [_SIDE_TOKENS[t.word] for t in span if t.word in _SIDE_TOKENS]
                hit = _Mention(match.entity.kind, name, span[0].start, span[-1].end, i,
                               inside[0] if inside else match.side)
                for t in span:
                    t.used = True
                i += n
                break
            if hit is None:
                i += 1
            else:
                found.append(hit)
        return found

    def side_of(self, tokens: list[_Token], lo: int, hi: int) -> str | None:
        for t in tokens[lo:hi]:
            if t.word in _SIDE_TOKENS and not (t.word in ("l", "r") and t is not tokens[lo]):
                t.used = True
                return _SIDE_TOKENS[t.word]
        return None

    def current_side(self, mention: _Mention) -> str:
        if mention.side is not None:  # 'left foot and big toe': the side holds for what follows
            self.side = mention.side
        side = mention.side or self.side or self.given_side
        if side is not None:
            self.sides_seen.append(side)
        return side or "?"

    def cue(self, tokens: list[_Token], test: Any) -> Any:
        """The first word or pair of words of a segment that *test* reads, marked used."""
        for i in range(len(tokens)):
            for n in (4, 3, 2, 1):
                if i + n > len(tokens) or any(t.used and t.word not in _WEAK for t in tokens[i:i + n]):
                    continue
                value = test(" ".join(t.text for t in tokens[i:i + n]))
                if value is not None:
                    for t in tokens[i:i + n]:
                        t.used = True
                    return value
        return None

    def negated(self, tokens: list[_Token], first: int) -> bool:
        hit = [t for t in tokens[max(0, first - 3):first] if t.word in NEGATIONS]
        for t in hit:
            t.used = True
        return bool(hit) or self.cue(tokens, lambda w: True if normalize_name(w) in _NEGATIVE else None) is True

    # -- sections --------------------------------------------------------------------------
    def read_sensory(self, tokens: list[_Token], regions: list[_Mention]) -> None:
        modality = self.cue(tokens, self.grammar.modality)
        negated = any(t.word in NEGATIONS for t in tokens)
        normal = any(t.word in _NORMAL for t in tokens)
        for t in tokens:
            if t.word in NEGATIONS or t.word in _NORMAL:
                t.used = True
        bare = all(t.used or t.word in _GLUE or t.word in _SIDE_TOKENS for t in tokens)
        if modality is None and not normal and not negated and bare:  # 'numb heel, sole and little toe'
            modality = self.last_modality
        if modality is None and not normal and not negated:
            for m in regions:  # a place with nothing said about it
                for t in tokens:
                    if m.start <= t.start < m.end:
                        t.used = False
            return
        # a generic 'foot' or 'leg' named with a side beside another place is the side, not a place
        places = [m for m in regions if not (m.side and len(regions) > 1 and normalize_name(m.name) in
                                             ("foot", "feet", "leg", "legs"))]
        by_side: dict[str, list[_Mention]] = {}
        for m in places:
            by_side.setdefault(self.current_side(m), []).append(m)
        for s, ms in by_side.items():
            entry: dict[str, Any] = {"regions": [m.name for m in ms]}
            if negated or (normal and modality is None):
                entry["state"] = "normal"
            else:
                entry["modality"] = modality
                self.last_modality = modality
            if s != "?":
                entry["side"] = s
            fld = f"sensory[{len(self.sensory)}]"
            self.sensory.append(entry)
            self.spans.extend((f"{fld}.regions[{j}]", m.start, m.end) for j, m in enumerate(ms))

    def read_motor(self, tokens: list[_Token], m: _Mention) -> None:
        grade = self.cue(tokens, _mrc)
        weak = [t for t in tokens if t.word in _WEAK]
        for t in weak:
            t.used = True
        if grade is None and weak:
            grade = "weak"
        if grade is None and (self.negated(tokens, m.first) or any(t.word in _NORMAL for t in tokens)):
            grade = "normal"
            for t in tokens:
                if t.word in _NORMAL:
                    t.used = True
        if grade is None:
            for t in tokens:
                if m.start <= t.start < m.end:
                    t.used = False
            return
        entry: dict[str, Any] = {"name": m.name, "grade": grade}
        s = self.current_side(m)
        if s != "?":
            entry["side"] = s
        self.spans.append((f"motor[{len(self.motor)}]", m.start, m.end))
        self.motor.append(entry)

    def read_reflex(self, tokens: list[_Token], m: _Mention) -> None:
        grade = self.cue(tokens, self.grammar.reflex_grade)
        if grade is None and self.negated(tokens, m.first):
            grade = "absent"
        if grade is None:
            for t in tokens:
                if m.start <= t.start < m.end:
                    t.used = False
            return
        s = self.current_side(m)
        if m.name in self.reflexes or s == "?":
            self.reflexes[m.name] = grade
        elif isinstance(self.reflexes.get(m.name), dict):
            self.reflexes[m.name][s] = grade
        else:
            self.reflexes[m.name] = {s: grade} if s in ("left", "right") else grade
        self.spans.append((f"reflexes.{m.name}", m.start, m.end))

    def read_sign(self, tokens: list[_Token], m: _Mention) -> None:
        absent = self.negated(tokens, m.first)
        for t in tokens:
            if t.word in _POSITIVE:
                t.used = True
        entry: Any = {"name": m.name, "state": "normal"} if absent else m.name
        s = self.current_side(m)
        if s in ("left", "right") and (self.given_side == "bilateral" or self.side == "bilateral"):
            entry = {"name": m.name, "side": s, **({"state": "normal"} if absent else {})}
        self.spans.append((f"other[{len(self.other)}]", m.start, m.end))
        self.other.append(entry)

    # -- the case --------------------------------------------------------------------------
    def finish(self, text: str) -> TextCase:
        for t in self.tokens:
            if t.word in _GLUE or t.word in _SIDE_TOKENS or t.word.isdigit():
                t.used = True
        sides = set(self.sides_seen) | ({self.side} if self.side else set())
        case_side = ("bilateral" if len(sides) > 1 or "bilateral" in sides else next(iter(sides))) if sides \
            else self.given_side
        if case_side is None and (self.sensory or self.motor or self.reflexes):
            raise InvalidArgumentError("side", "the text names no side: pass side='left', 'right' or 'bilateral'")
        case_side = case_side or "bilateral"  # signs alone (a saddle or sphincter complaint) have no side
        case: dict[str, Any] = {"side": case_side}
        for key, value in (("sensory", self.sensory), ("motor", self.motor), ("reflexes", self.reflexes),
                           ("other", self.other)):
            if value:
                case[key] = value
        for entry in (*self.sensory, *self.motor):
            if entry.get("side") == "?":
                del entry["side"]
        return TextCase(case, tuple(_runs(self.tokens, text)), tuple(self.spans))


def _runs(tokens: list[_Token], text: str) -> Iterator[tuple[int, int, str]]:
    """Maximal runs of tokens nothing read, as (start, end, text)."""
    run: list[_Token] = []
    for t in [*tokens, None]:
        if t is not None and not t.used:
            if run and text[run[-1].end:t.start].strip(" ") and not text[run[-1].end:t.start].isspace():
                yield run[0].start, run[-1].end, text[run[0].start:run[-1].end]
                run = []
            run.append(t)
            continue
        if run:
            yield run[0].start, run[-1].end, text[run[0].start:run[-1].end]
            run = []


def _mrc(word: str) -> str | None:
    """An MRC grade as a note writes it ('4/5', '4-/5', '5-', '0/5'), or a grade word ('trace')."""
    w = word.replace(" ", "")
    if re.fullmatch(r"[0-5][+-]?/5|[1-4][+-]|5-", w):
        return w
    return None
