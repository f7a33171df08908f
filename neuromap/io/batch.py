"""Localize many cases, streamed in chunks: identical cases once, distinct ones in worker processes.

One pipeline serves :func:`localize_iter` (a generator, what ``neuromap localize --batch``
uses) and :func:`localize_many` (its list). Nothing of a call is kept in module state: each
call carries its own settings, cache and process pool, so calls may run at the same time in
several threads. Python's cyclic garbage collector is paused while a chunk is localized
(:mod:`neuromap.io._collector`: its passes would find nothing to free, and walking the results
held so far cost a third of the CPU of full results).
"""

from __future__ import annotations

import json
import marshal
import os
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal, overload

from neuromap.errors import InvalidArgumentError, MissingDependencyError, NeuromapError, check_option
from neuromap.inference.case import Limits
from neuromap.io._collector import COLLECTOR_PAUSED
from neuromap.io._pool import WorkerPool
from neuromap.io.json import JsonLimits, error_object, read_case, result_dict
from neuromap.weights import PRIORS

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["BATCH_CHUNK_SIZE", "PARALLEL_MIN_CASES", "localize_iter", "localize_many", "usable_cores"]

#: With ``workers=None``, this many distinct cases are localized in the calling process before
#: worker processes are started (starting them costs more than it saves on a small batch).
PARALLEL_MIN_CASES = 200

#: Cases read, sent to a worker and written back together.
BATCH_CHUNK_SIZE = 256

# results kept for repeated cases (most recently used first out), and the largest case kept
_CACHE_ENTRIES = 1024
_CACHE_MAX_KEY_BYTES = 65_536


def usable_cores() -> int:
    """The number of CPU cores this process may run on: the most worker processes worth starting.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where the platform has it, else ``os.cpu_count()``
        (at least 1).

    Examples
    --------
    >>> from neuromap.io import usable_cores
    >>> usable_cores() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class _Settings:
    """What every case of one call is localized with; picklable, so a worker process can rebuild it."""

    atlas_dir: str
    dermatome_map: str | None
    limits: JsonLimits
    as_text: bool
    strict: bool = False
    explain: bool = True
    top: int | None = None
    prior: str = "clinical"


def _localize_chunk(cases: Sequence[Any], atlas: Atlas, settings: _Settings) -> list[Any]:
    """Each case's result (a dict, or compact JSON text with ``settings.as_text``); errors as objects.

    The cases are read one by one (JSON text parsed with the limits), then localized together
    by :func:`neuromap.inference.localize_cases`, whose scoring is one batch for the chunk.
    """
    with COLLECTOR_PAUSED:  # the chunk's results are plain data: collector passes would find nothing
        return _localize_read(cases, atlas, settings)


def _localize_read(cases: Sequence[Any], atlas: Atlas, settings: _Settings) -> list[Any]:
    """:func:`_localize_chunk`'s work: read each case, localize the cases together, write the results."""
    out: list[Any] = [None] * len(cases)
    values: list[Any] = []
    todo: list[int] = []
    for i, case in enumerate(cases):
        try:
            values.append(read_case(case, atlas=atlas, limits=settings.limits))
            todo.append(i)
        except Exception as exc:  # noqa: BLE001 - a batch never stops; error_object marks non-neuromap errors as bugs
            out[i] = error_object(exc)
    try:
        results = _localize_values(values, atlas, settings)
    except Exception:  # noqa: BLE001 - a bug raised by one case: localize them one by one to find it
        results = []
        for value in values:
            try:
                results.extend(_localize_values([value], atlas, settings))
            except Exception as exc:  # noqa: BLE001 - that case's error object says it is a bug
                results.append(error_object(exc))
    for i, result in zip(todo, results, strict=True):
        out[i] = result
    return [json.dumps(r, separators=(",", ":")) for r in out] if settings.as_text else out


def _localize_values(values: Sequence[Any], atlas: Atlas, settings: _Settings) -> list[dict[str, Any]]:
    """The results (or error objects) of cases already read, localized together."""
    from neuromap.inference.localize import localize_cases

    results = localize_cases(values, atlas=atlas, dermatome_map=settings.dermatome_map, limits=settings.limits.case,
                             strict=settings.strict, prior=settings.prior, explain=settings.explain,
                             top=settings.top)
    return [error_object(r) if isinstance(r, NeuromapError) else result_dict(r) for r in results]


def _worker_chunk(settings: _Settings, cases: Sequence[Any]) -> list[Any]:
    """:func:`_localize_chunk` in a worker process, with the atlas loaded there (and cached) by directory.

    Dict results come back packed with :mod:`marshal` (plain JSON data, read back exactly and
    faster than pickle).
    """
    from neuromap.atlas import load_atlas

    out = _localize_chunk(cases, load_atlas(settings.atlas_dir), settings)
    return out if settings.as_text else [marshal.dumps(r) for r in out]


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


@dataclass
class _Chunk:
    """One chunk on its way: per case a known result or the index of its distinct case to compute."""

    slots: list[tuple[bool, Any]]
    keys: list[tuple[str, Any] | None]
    outcome: list[Any] | Future[list[Any]]


@dataclass
class _Pipeline:
    """The state of one :func:`localize_iter` call: its settings, result cache and process pool."""

    settings: _Settings
    atlas: Atlas
    workers: int
    start_after: int
    cache: OrderedDict[tuple[str, Any], Any] = field(default_factory=OrderedDict)
    computed: int = 0
    pool: WorkerPool | None = None

    def run(self, cases: Iterable[Any], chunk_size: int) -> Iterator[Any]:
        """Yield every case's result in input order, at most a few chunks ahead of the reader."""
        it = iter(cases)
        window: deque[_Chunk] = deque()
        try:
            while True:
                chunk = list(islice(it, chunk_size))
                if chunk:
                    window.append(self.submit(chunk))
                while window and (not chunk or len(window) > (2 * self.workers if self.pool else 0)):
                    yield from self.collect(window.popleft())
                if not chunk:
                    return
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, chunk: list[Any]) -> _Chunk:
        """Look each case up (cache, then earlier in the chunk) and start the distinct new ones."""
        slots: list[tuple[bool, Any]] = []
        keys: list[tuple[str, Any] | None] = []
        todo: list[Any] = []
        by_key: dict[tuple[str, Any], int] = {}
        by_id: dict[int, int] = {}  # the same object twice (the chunk holds it, so its id is not reused)
        for case in chunk:
            j = by_id.get(id(case))
            if j is None:
                key = _case_key(case)
                if key is not None and key in self.cache:
                    self.cache.move_to_end(key)
                    slots.append((True, self.cache[key]))
                    continue
                j = by_key.get(key) if key is not None else None
                if j is None:
                    j = by_id[id(case)] = len(todo)
                    todo.append(case)
                    keys.append(key)
                    if key is not None:
                        by_key[key] = j
            slots.append((False, j))
        new_before, self.computed = self.computed, self.computed + len(todo)
        if not todo or self.workers == 1 or (self.pool is None and new_before < self.start_after):
            return _Chunk(slots, keys, _localize_chunk(todo, self.atlas, self.settings))
        if self.pool is None:
            self.pool = WorkerPool(self.workers)
        return _Chunk(slots, keys, self.pool.submit(_worker_chunk, self.settings, todo))

    def collect(self, chunk: _Chunk) -> Iterator[Any]:
        """The chunk's results in order; a failed worker fails this chunk's new cases only."""
        if isinstance(chunk.outcome, list):
            results = chunk.outcome
        else:
            try:
                results = chunk.outcome.result()
            except Exception as exc:  # noqa: BLE001 - a failed worker process fails its own lines only
                failed = error_object(exc)
                out = json.dumps(failed, separators=(",", ":")) if self.settings.as_text else failed
                results, chunk.keys = [out] * len(chunk.keys), [None] * len(chunk.keys)
            if not self.settings.as_text:
                with COLLECTOR_PAUSED:
                    results = [r if isinstance(r, dict) else marshal.loads(r) for r in results]
        for key, result in zip(chunk.keys, results, strict=True):
            if key is not None and len(key[1]) <= _CACHE_MAX_KEY_BYTES:
                self.cache[key] = result
                if len(self.cache) > _CACHE_ENTRIES:
                    self.cache.popitem(last=False)
        for known, value in chunk.slots:
            yield value if known else results[value]


def _check_count(name: str, value: Any, *, optional: bool = True) -> None:
    """Refuse *value* unless it is a whole number of at least 1 (or None, if *optional*)."""
    if (value is not None or not optional) and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgumentError(name, f"expected a whole number of at least 1{' or None' if optional else ''}, "
                                         f"got {value!r}")


@overload
def localize_iter(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ..., strict: bool = ...,
                  workers: int | None = ..., as_text: Literal[False] = ..., chunk_size: int = ...,
                  explain: bool = ..., top: int | None = ..., progress: bool = ...,
                  prior: str = ...) -> Iterator[dict[str, Any]]: ...


@overload
def localize_iter(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ..., strict: bool = ...,
                  workers: int | None = ..., as_text: Literal[True], chunk_size: int = ..., explain: bool = ...,
                  top: int | None = ..., progress: bool = ..., prior: str = ...) -> Iterator[str]: ...


@overload
def localize_iter(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ..., strict: bool = ...,
                  workers: int | None = ..., as_text: bool, chunk_size: int = ..., explain: bool = ...,
                  top: int | None = ..., progress: bool = ...,
                  prior: str = ...) -> Iterator[dict[str, Any]] | Iterator[str]: ...


def localize_iter(
    cases: Iterable[str | bytes | Mapping[str, Any]],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
    strict: bool = False,
    workers: int | None = None,
    as_text: bool = False,
    chunk_size: int = BATCH_CHUNK_SIZE,
    explain: bool = True,
    top: int | None = None,
    progress: bool = False,
    prior: str = "clinical",
) -> Iterator[dict[str, Any]] | Iterator[str]:
    """Localize a stream of cases, yielding each result in input order as soon as its chunk is done.

    The cases are read ``chunk_size`` at a time and at most a few chunks are in flight, so the
    memory used does not grow with the length of the input; the first results come out before
    the last case is read. A bad case gives an error object and does not stop the rest.

    Parameters
    ----------
    cases : iterable of str, bytes or dict
        The cases, each as :func:`localize_json` accepts it; read lazily.
    atlas : Atlas, optional
        Defaults to the bundled atlas.
    dermatome_map : str, optional
        The dermatome layer for every case.
    limits : JsonLimits or Limits, optional
        Size limits for every case.
    strict : bool, default False
        Refuse (as an error object) a case with a finding that cannot be read, instead of
        listing it in the result's ``not_understood``.
    workers : int, optional
        Worker processes, at most :func:`usable_cores` (a larger number is lowered to it).
        ``None`` localizes the first :data:`PARALLEL_MIN_CASES` distinct cases in this process,
        then starts a process per usable core; ``1`` never starts a process.
    as_text : bool, optional
        Yield each result as compact JSON text (``json.dumps(result, separators=(",", ":"))``)
        made in the worker that localized it, instead of a dict.
    chunk_size : int, optional
        Cases per chunk (:data:`BATCH_CHUNK_SIZE`): read, scored and written back together;
        the memory used is bounded by it, not by the input.
    explain : bool, default True
        ``True``: each result is the full :func:`localize_json` output. ``False``: a
        ranking-only result (``neuromap/schemas/ranking.schema.json``): the top hypotheses
        (kind, id, label, levels, nerve, site, side, score), red flags, warnings and
        ``not_understood``, without explanations and atlas paths; each field holds what the
        full result holds, at a fraction of the cost.
    top : int, optional
        With ``explain=False``: hypotheses kept per case (more only to keep a tie whole);
        12 (:data:`~neuromap.weights.MAX_HYPOTHESES`) by default.
    progress : bool, default False
        Show a progress bar (:mod:`tqdm`, installed by the ``batch`` extra) counting the results.
    prior : {"clinical", "uniform"}, optional
        The base rates for every case (:func:`neuromap.localize`): cited ones, or none.

    Yields
    ------
    dict, or str with ``as_text=True``
        One result per case: the :func:`localize_json` output (a ranking-only result with
        ``explain=False``), or ``{"error": {...}}`` (see :func:`error_object`). Identical cases (the same
        JSON text, or dicts of plain JSON data equal key for key in the same order with the same
        types) among the last 1,024 distinct ones share one result object: treat results as
        read-only. If a worker process dies (killed, out of memory), the cases of the chunk it
        held get an error object of type ``BrokenProcessPool`` and a new worker takes the rest.

    Raises
    ------
    InvalidArgumentError
        If ``workers``, ``chunk_size`` or ``top`` is not a whole number of at least 1, or
        ``prior`` is not one of ``"clinical"`` and ``"uniform"``.
    MissingDependencyError
        ``progress=True`` without :mod:`tqdm`.

    Notes
    -----
    The engine is pure Python and shapely, so threads do not run it in parallel; chunks go to
    worker processes (one pipe each, so that a worker's death fails only its own chunk and can
    never stall the batch) which load the atlas from its directory (once per process). An atlas
    that cannot be reloaded from its directory (built in memory) is used in this process only.
    Each call has its own settings, cache and pool.

    Python's cyclic garbage collector (:mod:`gc`) is paused while a chunk is localized and its
    results are unpacked, and restored after (a collector already disabled stays disabled):
    the results are plain data without reference cycles, and the collector's passes over the
    results held so far cost about a third of the CPU of full results.

    Cases are read up to ``2 * workers + 1`` chunks ahead of the results: a case (a dict) must not
    change until its result has been yielded.

    Examples
    --------
    >>> from neuromap.io import localize_iter
    >>> lines = iter(['{"side": "left", "reflexes": {"achilles": "absent"}}', '{"side": "middle"}'])
    >>> [r.get("error", {}).get("field") for r in localize_iter(lines)]
    [None, 'side']
    >>> ranked = next(localize_iter(['{"side": "left", "reflexes": {"achilles": "absent"}}'], explain=False, top=2))
    >>> [h["id"] for h in ranked["hypotheses"]], "explains" in ranked["hypotheses"][0]
    (['S1', 'tibial'], False)
    """
    from neuromap.atlas import load_atlas

    _check_count("workers", workers)
    _check_count("chunk_size", chunk_size, optional=False)
    _check_count("top", top)
    prior = check_option("prior", prior, PRIORS)
    bar = _progress_bar() if progress else None
    lim = JsonLimits.resolve(limits)
    atlas = atlas if atlas is not None else load_atlas()
    settings = _Settings(str(atlas.data.directory), dermatome_map, lim, as_text, strict, bool(explain), top, prior)
    n_workers = min(usable_cores() if workers is None else workers, usable_cores())
    if n_workers > 1 and load_atlas(settings.atlas_dir) is not atlas:
        n_workers = 1
    start_after = PARALLEL_MIN_CASES if workers is None else 0
    results = _Pipeline(settings, atlas, n_workers, start_after).run(cases, chunk_size)
    total = len(cases) if isinstance(cases, Sized) else None
    return results if bar is None else bar(results, total=total, unit=" cases", desc="neuromap")


def _progress_bar() -> Any:
    """:func:`tqdm.auto.tqdm` (a widget in notebooks, text in a terminal), or an error naming the extra."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise MissingDependencyError("tqdm", "progress=True", "batch") from None
    return tqdm


@overload
def localize_many(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ..., strict: bool = ...,
                  workers: int | None = ..., as_text: Literal[False] = ..., explain: bool = ...,
                  top: int | None = ..., progress: bool = ..., chunk_size: int = ...,
                  prior: str = ...) -> list[dict[str, Any]]: ...


@overload
def localize_many(cases: Iterable[str | bytes | Mapping[str, Any]], *, atlas: Atlas | None = ...,
                  dermatome_map: str | None = ..., limits: JsonLimits | Limits | None = ..., strict: bool = ...,
                  workers: int | None = ..., as_text: Literal[True], explain: bool = ..., top: int | None = ...,
                  progress: bool = ..., chunk_size: int = ..., prior: str = ...) -> list[str]: ...


def localize_many(
    cases: Iterable[str | bytes | Mapping[str, Any]],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
    strict: bool = False,
    workers: int | None = None,
    as_text: bool = False,
    explain: bool = True,
    top: int | None = None,
    progress: bool = False,
    chunk_size: int = BATCH_CHUNK_SIZE,
    prior: str = "clinical",
) -> list[dict[str, Any]] | list[str]:
    """Localize many cases; a bad case gives an error object and does not stop the rest.

    The list of :func:`localize_iter`, which describes the parameters and results in full.

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
    strict : bool, default False
        Refuse (as an error object) a case with a finding that cannot be read, instead of
        listing it in the result's ``not_understood``.
    workers : int, optional
        Worker processes, at most :func:`usable_cores`. ``None`` starts them (one per usable
        core) after the first :data:`PARALLEL_MIN_CASES` distinct cases; ``1`` never does.
    as_text : bool, optional
        Return each result as compact JSON text instead of a dict, made once per distinct
        case in the worker that localized it.
    explain : bool, default True
        ``False`` for ranking-only results (see :func:`localize_iter`): the top hypotheses,
        red flags, warnings and ``not_understood``, without explanations and paths.
    top : int, optional
        With ``explain=False``: hypotheses kept per case (12 by default).
    progress : bool, default False
        Show a progress bar (:mod:`tqdm`).
    chunk_size : int, optional
        Cases per chunk (:data:`BATCH_CHUNK_SIZE`).
    prior : {"clinical", "uniform"}, optional
        The base rates for every case (see :func:`neuromap.localize`).

    Returns
    -------
    list of dict, or list of str with ``as_text=True``
        One entry per case, in input order: the :func:`localize_json` output, or
        ``{"error": {"type": ..., "field": ..., "message": ...}}`` (see :func:`error_object`).
        Identical cases share one result object (see :func:`localize_iter`): treat the results
        as read-only, or ``copy.deepcopy`` one before changing it.

    Raises
    ------
    InvalidArgumentError
        If ``workers`` is not a whole number of at least 1, or ``prior`` is unknown.

    Examples
    --------
    >>> from neuromap.io import localize_many
    >>> out = localize_many(['{"side": "left", "reflexes": {"achilles": "absent"}}', '{"side": "middle"}'])
    >>> out[0]["hypotheses"][0]["id"], out[1]["error"]["field"]
    ('S1', 'side')
    >>> localize_many(['{"side": "middle"}'], as_text=True)[0][:40]
    '{"error":{"type":"InvalidCaseError","fie'
    >>> localize_many(['{"side": "left", "reflexes": {"achilles": "absent"}}'], explain=False, top=1)[0]["hypotheses"]
    [{'kind': 'root', 'id': 'S1', 'label': 'S1 radiculopathy', 'levels': ['S1'], 'nerve': None, 'site': None, \
'site_label': None, 'candidate_sites': [], 'side': 'left', 'score': ...}]
    """
    results: list[Any] = list(localize_iter(cases, atlas=atlas, dermatome_map=dermatome_map, limits=limits,
                                            strict=strict, workers=workers, as_text=as_text, explain=explain,
                                            top=top, progress=progress, chunk_size=chunk_size, prior=prior))
    return results
