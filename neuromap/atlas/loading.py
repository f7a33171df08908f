"""Load an atlas once per directory: :func:`load_atlas`.

An atlas is built once per directory and shared: every call with the same directory, from any
thread, returns the same :class:`~neuromap.atlas.core.Atlas`. A lock around the cache makes the
first load of a directory happen once, whichever threads ask for it at the same time.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from neuromap.atlas.core import Atlas
from neuromap.datasets import bundled_data_dir, read_atlas_data
from neuromap.errors import AtlasDataError, InvalidTypeError

__all__ = ["load_atlas"]

_LOCK = threading.Lock()


def load_atlas(path: str | os.PathLike[str] | None = None) -> Atlas:
    """Load, validate and cache an atlas.

    The bundled atlas is trusted by the SHA-256 hashes of its manifest, checked at every load;
    any other directory (or a bundled file that no longer matches its hash) is checked against
    the JSON Schemas of the data files, then every atlas goes through the same reference and
    graph checks. Nothing in a data file is executed. Where the atlas comes from (bundled, a
    user atlas, or modified) is :attr:`Atlas.status`, shown by its ``repr`` and carried by
    every result computed from it.

    Parameters
    ----------
    path : str or path-like, optional
        A directory of atlas files (see :data:`neuromap.datasets.ATLAS_FILES`, with its
        ``manifest.json``); defaults to the bundled atlas.

    Returns
    -------
    Atlas
        The cached atlas: repeated calls with the same directory, from any thread, return the
        same object.

    Raises
    ------
    AtlasDataError
        If the directory does not exist, or a data file is missing, malformed or breaks an
        invariant; the message names the file and the entry.
    InvalidTypeError
        If *path* is not a string or a path-like object (also a :class:`TypeError`).

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> atlas is neuromap.load_atlas()
    True
    >>> atlas.data.verified, atlas.status
    (True, 'bundled')
    >>> atlas.node("L5")["kind"]
    'root'
    """
    if path is None:
        return _load_bundled()
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidTypeError("path", f"expected a string or path naming a directory, got {type(path).__name__}")
    try:
        directory = str(Path(path).resolve())
    except (TypeError, ValueError, OSError, RuntimeError):  # a bytes path-like, a NUL, a symlink loop
        raise AtlasDataError(repr(os.fspath(path)), "(directory)", "is not a directory") from None
    return _load(directory)


def _load(directory: str) -> Atlas:
    with _LOCK:
        return _build(directory)


@functools.lru_cache(maxsize=8)
def _build(directory: str) -> Atlas:
    return Atlas(read_atlas_data(directory))


@functools.cache
def _load_bundled() -> Atlas:
    return _load(str(bundled_data_dir().resolve()))
