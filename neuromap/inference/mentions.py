"""Names found inside free text: the red-flag signs a sentence mentions.

A finding that could not be read as a whole ('sudden numb bum and can't pee properly') may
still name a red flag. :func:`red_flag_mentions` looks for the name of a red-flag sign in any
run of its words, so the cauda equina screen sees it, and skips a mention negated just before
it ('no saddle numbness').
"""

from __future__ import annotations

import functools

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import AmbiguousNameError

__all__ = ["NEGATIONS", "red_flag_mentions", "sign_mentions"]

#: Words that negate the mention after them (within :data:`NEGATION_REACH` words).
NEGATIONS = frozenset(("no", "not", "denies", "denied", "without", "nil", "never", "negative", "absent", "none"))
NEGATION_REACH = 3
#: The longest run of words tried as one name.
MAX_NAME_WORDS = 7


@functools.lru_cache(maxsize=4096)
def sign_mentions(text: str, atlas: Atlas) -> tuple[tuple[str, bool, int, int], ...]:
    """Every sign named in *text*: (sign id, negated, first word, end word), longest names first.

    Examples
    --------
    >>> import neuromap
    >>> sign_mentions("no saddle numbness but urinary retention", neuromap.load_atlas())[0][:2]
    ('saddle_anaesthesia', True)
    """
    words = normalize_name(text).split()
    found: list[tuple[str, bool, int, int]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
            try:
                match = atlas.match(" ".join(words[i:i + n]), "sign", fuzzy=False)
            except AmbiguousNameError:
                match = None
            if match is not None:
                negated = not NEGATIONS.isdisjoint(words[max(0, i - NEGATION_REACH):i])
                found.append((match.entity.id, negated, i, i + n))
                i += n
                break
        else:
            i += 1
    return tuple(found)


def red_flag_mentions(text: str, atlas: Atlas) -> tuple[str, ...]:
    """The red-flag signs *text* mentions and does not negate.

    Examples
    --------
    >>> import neuromap
    >>> red_flag_mentions("sudden saddle anaesthesia, unable to pass urine", neuromap.load_atlas())
    ('saddle_anaesthesia', 'urinary_retention')
    """
    return tuple(dict.fromkeys(sign for sign, negated, *_ in sign_mentions(text, atlas)
                               if not negated and atlas.sign(sign).get("red_flag")))
