"""Names read while parsing cases, cached: a registry repeats the same few hundred names.

:meth:`neuromap.atlas.Atlas.match` normalises and looks up a name on every call; a batch of
cases calls it with the same texts over and over. The atlas is immutable, so a name always
reads the same way: :func:`match_name` keeps the last :data:`NAME_CACHE_SIZE` readings (per
atlas, text, kinds and whether misspellings are corrected). A name that raises is not kept,
and is read again with its field so that the error names it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from neuromap.atlas import Atlas, NameMatch
from neuromap.errors import NeuromapError

__all__ = ["NAME_CACHE_SIZE", "match_name"]

#: How many (text, kinds) readings are kept: bounded, so a registry of free text cannot grow it.
NAME_CACHE_SIZE = 16_384


@functools.lru_cache(maxsize=NAME_CACHE_SIZE)
def _match(atlas: Atlas, text: str, kinds: str | tuple[str, ...], fuzzy: bool) -> NameMatch | None:
    return atlas.match(text, kinds, fuzzy=fuzzy)


def match_name(atlas: Atlas, text: str, kinds: str | Iterable[str], *, fuzzy: bool, field: str) -> NameMatch | None:
    """:meth:`Atlas.match <neuromap.atlas.Atlas.match>`, cached per distinct name.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> match_name(atlas, "L heel", "group", fuzzy=True, field="x").side
    'left'
    >>> match_name(atlas, "L heel", "group", fuzzy=True, field="x") is match_name(atlas, "L heel", "group",
    ...                                                                           fuzzy=True, field="y")
    True
    """
    key = kinds if isinstance(kinds, str) else tuple(kinds)
    if type(text) is not str:
        return atlas.match(text, key, fuzzy=fuzzy, field=field)
    try:
        return _match(atlas, text, key, fuzzy)
    except NeuromapError:  # read again, so that the error names the field
        return atlas.match(text, key, fuzzy=fuzzy, field=field)
