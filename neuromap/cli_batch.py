"""``neuromap localize --batch`` for registries: CSV and Parquet in, ranked CSV, Parquet or JSON lines out.

The JSON-lines batch printed to standard output stays in :mod:`neuromap.cli`; this module
runs the batches that read a table (``cases.csv``, ``cases.parquet``: a column of JSON cases)
or write to a file (``-o ranked.parquet``, ``-o ranked.csv``: the long-format ranking of
:func:`neuromap.io.localize_table`; ``-o results.jsonl``: one result per line). pyarrow (the
``batch`` extra) is imported only for CSV and Parquet.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO, Any

from neuromap.errors import InvalidArgumentError

__all__ = ["TABLE_SUFFIXES", "batch_kind", "batch_lines", "batch_to_file", "run_batch"]

#: Bytes read at a time when skipping the rest of a batch line over the size limit.
_SKIP_BYTES = 1 << 16
#: The files a batch reads and writes, by suffix.
TABLE_SUFFIXES = (".jsonl", ".csv", ".parquet")


def batch_lines(stream: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """The numbered non-blank lines of a batch, read one at a time.

    A line longer than ``max_bytes`` is cut after ``max_bytes + 1`` bytes (its case then fails
    the size limit) and the rest of it is skipped unread, so no line is held whole.
    """
    lineno = 0
    while line := stream.readline(max_bytes + 2):
        lineno += 1
        if line.endswith(b"\n"):
            line = line[:-1]
        elif len(line) > max_bytes + 1:
            line = line[:max_bytes + 1]
            while (rest := stream.readline(_SKIP_BYTES)) and not rest.endswith(b"\n"):
                pass
        if line.strip():
            yield lineno, line


def batch_kind(path: str) -> str:
    """``"csv"``, ``"parquet"`` or ``"jsonl"`` (anything else, and ``-``), by the file name.

    Examples
    --------
    >>> batch_kind("registry.parquet"), batch_kind("-"), batch_kind("cases.ndjson")
    ('parquet', 'jsonl', 'jsonl')
    """
    ext = os.path.splitext(path)[1].lower()
    return ext[1:] if ext in (".csv", ".parquet") else "jsonl"


class _Tally:
    """Counts the results going past, and the row numbers of the errors."""

    def __init__(self, results: Iterable[dict[str, Any]], ids: Iterable[Any]) -> None:
        self.results, self.ids = results, ids
        self.n = 0
        self.bad: list[Any] = []

    def __iter__(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        for result, case_id in zip(self.results, self.ids, strict=False):  # the ids may run on
            self.n += 1
            if "error" in result:
                self.bad.append(case_id)
            yield case_id, result


def run_batch(cases: Iterable[Any], ids: Iterable[Any], output: str | None, *, id_name: str, explain: bool,
              top: int | None, dermatome_map: str | None, strict: bool, workers: int | None,
              stdout: IO[str], stderr: IO[str], prior: str = "clinical") -> int:
    """Localize a batch and write it; return the exit status (2 when a case was refused).

    Parameters
    ----------
    cases : iterable
        The cases (JSON text or dicts), read lazily.
    ids : iterable
        The number (line, row) of each case, for the output and the error summary.
    output : str or None
        ``*.parquet`` or ``*.csv`` for the long-format ranking; ``*.jsonl`` (or None for
        standard output) for one JSON result per line, with its number under *id_name*.
    id_name : str
        ``"line"`` or ``"row"``.
    explain : bool
        Full results (JSON lines only) or ranking-only ones.
    top : int or None
        Hypotheses per case of a ranking-only result (5 by default for tables).
    dermatome_map, strict, workers
        As :func:`neuromap.io.localize_iter`.
    stdout, stderr : text streams
        Where to write results (without *output*) and the summary.
    prior : str, optional
        As :func:`neuromap.io.localize_iter`.

    Returns
    -------
    int
        0, or 2 if any case was refused (each has its error object or ``error`` row).
    """
    from neuromap.io import localize_iter

    out_kind = batch_kind(output) if output is not None else "jsonl"
    table_out = out_kind in ("csv", "parquet")
    if table_out and explain:
        explain, top = False, top or 5
    progress = stderr.isatty() and _has_tqdm()
    results = localize_iter(cases, dermatome_map=dermatome_map, strict=strict, workers=workers, explain=explain,
                            top=top, progress=progress, prior=prior)
    tally = _Tally(results, ids)
    if table_out:
        from neuromap.io.table import write_ranked

        write_ranked(tally, str(output))
    elif output is not None:
        with open(output, "w", encoding="utf-8") as fh:
            _write_lines(tally, fh, id_name)
    else:
        _write_lines(tally, stdout, id_name)
    if tally.bad:
        shown = ", ".join(map(str, tally.bad[:10])) + (", ..." if len(tally.bad) > 10 else "")
        stderr.write(f"neuromap: error: {len(tally.bad)} of {tally.n} cases invalid ({id_name}s {shown}); "
                     "see their error objects\n")
        return 2
    return 0


def _write_lines(tally: _Tally, out: IO[str], id_name: str) -> None:
    for case_id, result in tally:
        if "error" in result:
            result = {**result, "error": {**result["error"], id_name: case_id}}
        out.write(json.dumps({**result, id_name: case_id}, separators=(",", ":")) + "\n")


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def table_cases(path: str, column: str) -> tuple[Iterator[Any], Iterator[int]]:
    """The cases of a CSV or Parquet file's column and their row numbers (1 = the first row of data).

    Raises
    ------
    InvalidArgumentError
        The file cannot be read or has no such column.
    """
    from neuromap.io.table import read_cases

    if not os.path.isfile(path):
        raise InvalidArgumentError("batch", f"cannot read {path!r}: no such file")
    cases = read_cases(path, column=column)
    return cases, iter(range(1, sys.maxsize))


def batch_to_file(args: Any) -> int:
    """``neuromap localize --batch`` read from a table, written to a file, or ranking-only.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``localize`` arguments (``batch``, ``output``, ``column``, ``ranking_only``,
        ``top``, ``map``, ``strict``, ``workers``, ``prior``).

    Returns
    -------
    int
        The exit status of :func:`run_batch`.
    """
    from neuromap.io import DEFAULT_JSON_LIMITS

    kw: dict[str, Any] = {"explain": not args.ranking_only and args.top is None, "top": args.top,
                          "dermatome_map": args.map, "strict": args.strict, "workers": args.workers,
                          "prior": args.prior, "stdout": sys.stdout, "stderr": sys.stderr}
    if batch_kind(args.batch) != "jsonl":
        cases, rows = table_cases(args.batch, args.column)
        return run_batch(cases, rows, args.output, id_name="row", **kw)
    line_numbers: deque[int] = deque()

    def lines(stream: IO[bytes]) -> Iterator[bytes]:
        for lineno, line in batch_lines(stream, DEFAULT_JSON_LIMITS.max_bytes):
            line_numbers.append(lineno)
            yield line

    numbers = (line_numbers.popleft() for _ in iter(int, 1))
    if args.batch == "-":
        stream: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO(
            sys.stdin.read().encode("utf-8", "surrogatepass"))
        return run_batch(lines(stream), numbers, args.output, id_name="line", **kw)
    try:
        fh = open(args.batch, "rb")  # noqa: SIM115 - closed below, after the stream is read
    except OSError as exc:
        raise InvalidArgumentError("batch", f"cannot read {args.batch!r}: {exc.strerror or exc}") from None
    with fh:
        return run_batch(lines(fh), numbers, args.output, id_name="line", **kw)
