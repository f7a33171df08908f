"""Localize many cases: identical cases once, distinct ones in worker processes, errors as objects."""

from __future__ import annotations

import json
import marshal
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from neuromap.inference.case import Limits
from neuromap.io.json import JsonLimits, error_object, localize_json

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["PARALLEL_MIN_CASES", "localize_many"]

#: Cases below this count are localized in the calling process by :func:`localize_many`
#: (starting worker processes costs more than it saves).
PARALLEL_MIN_CASES = 200

# worker state of localize_many (set per process by _init_worker, or per call when serial)
_WORKER: dict[str, Any] = {}


def _init_worker(atlas_dir: str | None, dermatome_map: str | None, limits: JsonLimits) -> None:
    from neuromap.atlas import load_atlas

    _WORKER.update(atlas=load_atlas(atlas_dir), dermatome_map=dermatome_map, limits=limits)


def _localize_one(case: Any) -> dict[str, Any]:
    try:
        return localize_json(case, atlas=_WORKER["atlas"], dermatome_map=_WORKER["dermatome_map"],
                             limits=_WORKER["limits"])
    except Exception as exc:  # noqa: BLE001 - a batch never stops; error_object marks non-neuromap errors as bugs
        return error_object(exc)


def _localize_chunk(cases: Sequence[Any]) -> list[dict[str, Any]]:
    return [_localize_one(c) for c in cases]


def _localize_chunk_packed(cases: Sequence[Any]) -> list[bytes]:
    """:func:`_localize_chunk` in a worker, each result packed with :mod:`marshal`.

    Results are plain JSON data (dicts, lists, str, float, int, bool, None), which marshal
    writes and reads back exactly, and faster than pickle does.
    """
    return [marshal.dumps(_localize_one(c)) for c in cases]


def _localize_chunk_text(cases: Sequence[Any]) -> list[str]:
    """:func:`_localize_chunk` with each result as compact JSON text."""
    return [json.dumps(_localize_one(c), separators=(",", ":")) for c in cases]


def _case_key(case: Any) -> tuple[str, Any] | None:
    """A key equal for two cases exactly when they are the same input, or None (not deduplicated).

    JSON text is its own key. A dict made only of exact ``dict``, ``list``, ``str``, ``int``,
    ``float``, ``bool`` and ``None`` is keyed by its :mod:`marshal` bytes (version 2, no
    references), which record the key order, the type (``4`` vs ``4.0`` vs ``True``) and the
    exact bits of every float, so equal bytes mean the same case. Anything else (a
    :class:`~neuromap.inference.Case`, subclasses, numpy scalars, tuples, a cyclic dict) is
    localized on its own.
    """
    if type(case) is str:
        return ("s", case)
    if type(case) in (bytes, bytearray):
        return ("b", bytes(case))
    if type(case) is dict:
        try:
            key = marshal.dumps(case, 2)  # refuses a cyclic dict (too deep) before the walk below
        except (ValueError, TypeError, RecursionError):
            return None
        return ("m", key) if _plain_json(case) else None
    return None


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _plain_json(value: Any) -> bool:
    """Whether *value* is made only of exact dicts (with str keys), lists and JSON scalars."""
    stack = [value]
    while stack:
        node = stack.pop()
        t = type(node)
        if t is dict:
            for k, v in node.items():
                if type(k) is not str:
                    return False
                stack.append(v)
        elif t is list:
            stack.extend(node)
        elif t not in _PLAIN_SCALARS:
            return False
    return True


def _dedup(items: Sequence[Any]) -> tuple[list[int], list[Any]]:
    """For each item the index of its first equal item among the distinct ones, and those."""
    index: list[int] = []
    unique: list[Any] = []
    by_id: dict[int, int] = {}
    by_key: dict[tuple[str, Any], int] = {}
    for c in items:
        j = by_id.get(id(c))  # the same object (items holds it, so its id is not reused)
        if j is None:
            key = _case_key(c)
            j = by_key.get(key) if key is not None else None
            if j is None:
                j = len(unique)
                unique.append(c)
                if key is not None:
                    by_key[key] = j
            by_id[id(c)] = j
        index.append(j)
    return index, unique


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@overload
def localize_many(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ...,
                  workers: int | None = ..., as_text: Literal[False] = ...) -> list[dict[str, Any]]: ...


@overload
def localize_many(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ...,
                  workers: int | None = ..., as_text: Literal[True]) -> list[str]: ...


def localize_many(
    cases: Iterable[str | bytes | Mapping[str, Any]],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
    workers: int | None = None,
    as_text: bool = False,
) -> list[dict[str, Any]] | list[str]:
    """Localize many cases; a bad case gives an error object and does not stop the rest.

    Parameters
    ----------
    cases : iterable of str, bytes or dict
        The cases, each as :func:`localize_json` accepts it.
    atlas : Atlas, optional
        Defaults to the bundled atlas.
    dermatome_map : str, optional
        The dermatome layer for every case.
    limits : JsonLimits or Limits, optional
        Size limits for every case.
    workers : int, optional
        Worker processes. ``None`` uses every available core when there are at least
        :data:`PARALLEL_MIN_CASES` distinct cases and one process otherwise; ``1`` never
        starts a process.
    as_text : bool, optional
        Return each result as compact JSON text (``json.dumps(result, separators=(",", ":"))``)
        instead of a dict. The text is made once per distinct case, in the worker that
        localized it, so no result dict crosses a process boundary: the form for writing
        results out (``neuromap localize --batch`` uses it).

    Returns
    -------
    list of dict, or list of str with ``as_text=True``
        One entry per case, in input order: the :func:`localize_json` output, or
        ``{"error": {"type": ..., "field": ..., "message": ...}}`` (see :func:`error_object`).
        **Identical cases share one result object**: the same JSON text, or dicts of plain
        JSON data that are equal key for key in the same order with the same types, are
        localized once (the engine is deterministic and the atlas immutable). Treat the
        results as read-only, or ``copy.deepcopy`` one before changing it.

    Notes
    -----
    The engine is pure Python and shapely, so threads do not run it in parallel; the distinct
    cases are sent in chunks to a :class:`concurrent.futures.ProcessPoolExecutor`, each worker
    loading the atlas from the same directory once, and the results come back packed with
    :mod:`marshal`. An atlas that cannot be reloaded from its directory (built in memory) is
    used in this process only.

    Examples
    --------
    >>> from neuromap.io import localize_many
    >>> out = localize_many(['{"side": "left", "reflexes": {"achilles": "absent"}}', '{"side": "middle"}'])
    >>> out[0]["hypotheses"][0]["id"], out[1]["error"]["field"]
    ('S1', 'side')
    >>> localize_many(['{"side": "middle"}'], as_text=True)[0][:40]
    '{"error":{"type":"InvalidCaseError","fie'
    """
    from neuromap.atlas import load_atlas

    lim = JsonLimits.resolve(limits)
    items = list(cases)
    index, unique = _dedup(items)
    atlas = atlas if atlas is not None else load_atlas()
    n_workers = _default_workers() if workers is None else max(1, int(workers))
    if workers is None and len(unique) < PARALLEL_MIN_CASES:
        n_workers = 1
    n_workers = min(n_workers, max(1, len(unique)))
    atlas_dir = str(atlas.data.directory)
    if n_workers == 1 or load_atlas(atlas_dir) is not atlas:
        results: list[Any] = _serial(unique, atlas, dermatome_map, lim, as_text)
    else:
        results = _in_workers(unique, atlas_dir, dermatome_map, lim, n_workers, as_text)
    return [results[j] for j in index]


def _serial(items: list[Any], atlas: Atlas, dermatome_map: str | None, lim: JsonLimits, as_text: bool) -> list[Any]:
    saved = dict(_WORKER)
    try:
        _WORKER.update(atlas=atlas, dermatome_map=dermatome_map, limits=lim)
        return _localize_chunk_text(items) if as_text else _localize_chunk(items)
    finally:
        _WORKER.clear()
        _WORKER.update(saved)


def _in_workers(items: list[Any], atlas_dir: str, dermatome_map: str | None, lim: JsonLimits, n_workers: int,
                as_text: bool) -> list[Any]:
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(256, len(items) // (n_workers * 8) or 1))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    work: Callable[[Sequence[Any]], list[Any]] = _localize_chunk_text if as_text else _localize_chunk_packed
    out: list[Any] = []
    with ProcessPoolExecutor(n_workers, initializer=_init_worker, initargs=(atlas_dir, dermatome_map, lim)) as ex:
        for part in ex.map(work, chunks):
            out.extend(part if as_text else [marshal.loads(b) for b in part])
    return out
