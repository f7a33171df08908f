"""Registries as tables: a column of cases in, one row per ranked hypothesis out.

:func:`localize_table` takes a pandas DataFrame or a pyarrow Table with a column of cases
(JSON text or dicts) and returns the ranking in long format, one row per (case, rank), in the
library it was given. :func:`ranking_rows` turns ranking-only results into those columns; the
command line (``neuromap localize --batch cases.parquet -o ranked.parquet``) and the Dask
integration (:mod:`neuromap.io.dask`) use it too. pandas and pyarrow are optional: neither is
imported until a table of theirs is given (the ``batch`` extra installs pyarrow).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from neuromap.errors import InvalidArgumentError, InvalidTypeError, MissingDependencyError
from neuromap.io.batch import BATCH_CHUNK_SIZE, localize_iter

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["RANKED_COLUMNS", "localize_table", "ranking_rows", "read_cases", "write_ranked"]

#: The columns of the long-format ranking, in order (see :func:`localize_table`).
RANKED_COLUMNS = ("case_id", "rank", "kind", "id", "label", "levels", "nerve", "site", "side", "score",
                  "red_flags", "warnings", "not_understood", "error")


def ranking_rows(results: Iterable[Mapping[str, Any]], case_ids: Iterable[Any]) -> dict[str, list[Any]]:
    """Ranking-only results (or error objects) as the columns of the long-format table.

    Parameters
    ----------
    results : iterable of dict
        One ranking-only result (``localize_many(..., explain=False)``) or error object per case.
    case_ids : iterable
        The id of each case, in the same order.

    Returns
    -------
    dict of str to list
        :data:`RANKED_COLUMNS`, one entry per hypothesis of each case; a case with no hypothesis
        (nothing scored, or an error) has one row whose ``rank`` is None (and ``error`` says why
        for an error).

    Examples
    --------
    >>> from neuromap.io import localize_many
    >>> from neuromap.io.table import ranking_rows
    >>> out = localize_many([{"side": "left", "reflexes": {"achilles": "absent"}}, {"side": "middle"}],
    ...                     explain=False, top=1)
    >>> cols = ranking_rows(out, ["a", "b"])
    >>> cols["case_id"], cols["rank"], cols["id"], cols["error"][1][:14]
    (['a', 'b'], [1, None], ['S1', None], 'InvalidCaseErr')
    """
    cols: dict[str, list[Any]] = {c: [] for c in RANKED_COLUMNS}
    for result, case_id in zip(results, case_ids, strict=True):
        if "error" in result:
            err = result["error"]
            flags, n_warn, n_unread = "", 0, 0
            error: str | None = f"{err['type']}: {err['message']}"
            hypotheses: Sequence[Mapping[str, Any] | None] = ()
        else:
            flags = ",".join(f["id"] for f in result["red_flags"])
            n_warn, n_unread, error = len(result["warnings"]), len(result["not_understood"]), None
            hypotheses = result["hypotheses"]
        rows: Sequence[Mapping[str, Any] | None] = hypotheses or [None]
        for rank, h in enumerate(rows, 1):
            cols["case_id"].append(case_id)
            cols["rank"].append(rank if h is not None else None)
            for key in ("kind", "id", "label", "nerve", "site", "side", "score"):
                cols[key].append(h[key] if h is not None else None)
            cols["levels"].append(",".join(h["levels"]) if h is not None else None)
            cols["red_flags"].append(flags)
            cols["warnings"].append(n_warn)
            cols["not_understood"].append(n_unread)
            cols["error"].append(error)
    return cols


def localize_table(table: Any, *, column: str = "case", id_column: str | None = None, top: int = 5,
                   atlas: Atlas | None = None, dermatome_map: str | None = None, strict: bool = False,
                   workers: int | None = None, progress: bool = False,
                   chunk_size: int = BATCH_CHUNK_SIZE, prior: str = "clinical") -> Any:
    """Rank every case of a table: a column of cases in, the long-format ranking out.

    Parameters
    ----------
    table : pandas.DataFrame or pyarrow.Table
        The cases, one per row.
    column : str, default "case"
        The column holding each case: JSON text (str or bytes) or a dict (for a pyarrow struct
        column, the keys whose value is null are dropped).
    id_column : str, optional
        The column naming each case in the output; by default the row's index label for a
        DataFrame, its position (0, 1, ...) for a pyarrow Table.
    top : int, default 5
        Hypotheses kept per case (more only to keep a tie whole).
    atlas, dermatome_map, strict, workers, progress, chunk_size, prior
        As :func:`~neuromap.io.localize_many`.

    Returns
    -------
    pandas.DataFrame or pyarrow.Table
        Of the same library as *table*, with the columns :data:`RANKED_COLUMNS`: ``case_id``,
        ``rank`` (1 = best; null when the case has no hypothesis), ``kind``, ``id``, ``label``,
        ``levels`` (comma-separated), ``nerve``, ``site``, ``side``, ``score``, ``red_flags``
        (the ids of the case's red flags, comma-separated; empty when none), ``warnings`` and
        ``not_understood`` (how many the case has) and ``error`` (why a case was refused,
        else null). A case's red flags are on each of its rows.

    Raises
    ------
    InvalidTypeError
        *table* is neither a pandas DataFrame nor a pyarrow Table.
    InvalidArgumentError
        The table has no such column, or an argument of :func:`~neuromap.io.localize_many` is
        invalid (``prior``, ``workers``, ``top``).

    Examples
    --------
    >>> import pandas as pd
    >>> from neuromap.io import localize_table
    >>> cases = pd.DataFrame({"case": ['{"side": "left", "reflexes": {"achilles": "absent"}}', '{"side": "up"}'],
    ...                       "mrn": ["A1", "B2"]})
    >>> ranked = localize_table(cases, id_column="mrn", top=2)
    >>> ranked[["case_id", "rank", "id"]].to_dict("records")[:2]
    [{'case_id': 'A1', 'rank': 1, 'id': 'S1'}, {'case_id': 'A1', 'rank': 2, 'id': 'tibial'}]
    >>> ranked["error"].iloc[-1][:16]
    'InvalidCaseError'
    """
    kind = _library(table)
    names = list(table.columns) if kind == "pandas" else list(table.column_names)
    for name in (column, id_column):
        if name is not None and name not in names:
            raise InvalidArgumentError("column" if name == column else "id_column",
                                       f"the table has no column {name!r}; its columns are {names}")
    n = len(table) if kind == "pandas" else table.num_rows
    if kind == "pandas":
        cases: Iterable[Any] = table[column]
        ids: Iterable[Any] = table[id_column] if id_column is not None else table.index
    else:
        cases = (_arrow_case(v) for v in _arrow_values(table, column))
        ids = _arrow_values(table, id_column) if id_column is not None else range(n)
    results = localize_iter(cases, atlas=atlas, dermatome_map=dermatome_map, strict=strict, workers=workers,
                            explain=False, top=top, progress=progress, chunk_size=chunk_size, prior=prior)
    cols = ranking_rows(results, ids)
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(cols, columns=list(RANKED_COLUMNS)).astype(
            {"rank": "Int64", "warnings": "int64", "not_understood": "int64", "score": "float64"})
    return arrow_table(cols)


def arrow_table(cols: Mapping[str, list[Any]]) -> Any:
    """The long-format columns as a pyarrow Table with fixed types (string ids, int64 ranks, float64 scores)."""
    pa = _pyarrow()
    types = {"rank": pa.int64(), "score": pa.float64(), "warnings": pa.int64(), "not_understood": pa.int64()}
    return pa.table({c: pa.array(v, type=types.get(c, pa.string() if c != "case_id" else None))
                     for c, v in cols.items()})


def _library(table: Any) -> str:
    module = type(table).__module__.split(".")[0]
    if module == "pandas" and type(table).__name__ == "DataFrame":
        return "pandas"
    if module == "pyarrow" and type(table).__name__ == "Table":
        return "pyarrow"
    raise InvalidTypeError("table", f"expected a pandas DataFrame or a pyarrow Table, got {type(table).__name__}")


def _arrow_values(table: Any, column: str) -> Iterator[Any]:
    """The values of a pyarrow column as Python objects, one record batch at a time."""
    for batch in table.select([column]).to_batches(max_chunksize=BATCH_CHUNK_SIZE * 4):
        yield from batch.column(0).to_pylist()


def _arrow_case(value: Any) -> Any:
    """A case read from a pyarrow column: text as is, a struct without its null keys."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        raise MissingDependencyError("pyarrow", "Parquet and pyarrow tables", "batch") from None
    return pa


def read_cases(path: str, *, column: str = "case") -> Iterator[Any]:
    """The cases of a CSV or Parquet file's *column*, read in record batches (JSON text each).

    The file and its column are checked at once; the cases are read as they are asked for.

    Parameters
    ----------
    path : str
        A ``.csv`` or ``.parquet`` file.
    column : str, default "case"
        The column of cases.

    Yields
    ------
    str or dict
        Each case.

    Raises
    ------
    InvalidArgumentError
        The file has no such column.
    MissingDependencyError
        pyarrow is not installed.
    """
    pa = _pyarrow()
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise InvalidArgumentError("batch", f"cannot read {path!r}: {exc}") from None
        names = reader.schema_arrow.names
        if column not in names:
            raise InvalidArgumentError("column", f"{path} has no column {column!r}; its columns are {names}")
        batches = reader.iter_batches(batch_size=BATCH_CHUNK_SIZE * 4, columns=[column])
    else:
        import pyarrow.csv as pcsv

        convert = pcsv.ConvertOptions(column_types={column: pa.string()}, include_columns=[column])
        try:
            batches = pcsv.open_csv(path, convert_options=convert)
        except (OSError, pa.ArrowInvalid, KeyError) as exc:
            raise InvalidArgumentError("column", f"cannot read column {column!r} of {path}: {exc}") from None
    return (_arrow_case(v) for batch in batches for v in batch.column(0).to_pylist())


def write_ranked(pairs: Iterable[tuple[Any, Mapping[str, Any]]], path: str, rows_per_write: int = 4096) -> int:
    """Write ranking-only results as the long-format table, streamed: ``.parquet``, ``.csv`` or ``.jsonl``.

    Parameters
    ----------
    pairs : iterable of (case id, result)
        Each case's id and ranking-only result (or error object).
    path : str
        The file, its format by its suffix.
    rows_per_write : int, optional
        Cases written at a time: memory does not grow with the input.

    Returns
    -------
    int
        The number of cases written.
    """
    it = iter(pairs)
    n = 0
    writer: Any = None
    with open(path, "wb") as fh:
        try:
            while chunk := list(islice(it, rows_per_write)):
                cols = ranking_rows([r for _, r in chunk], [i for i, _ in chunk])
                n += len(chunk)
                if path.endswith(".jsonl"):
                    keys = list(cols)
                    fh.write("".join(json.dumps(dict(zip(keys, row, strict=True)), separators=(",", ":")) + "\n"
                                     for row in zip(*cols.values(), strict=True)).encode("utf-8"))
                    continue
                table = arrow_table(cols)
                if writer is None:
                    writer = _writer(path, fh, table.schema)
                writer.write_table(table)
            if writer is None and not path.endswith(".jsonl"):  # no case: the header (schema) alone
                writer = _writer(path, fh, arrow_table(ranking_rows([], [])).schema)
        finally:
            if writer is not None:
                writer.close()
    return n


def _writer(path: str, fh: Any, schema: Any) -> Any:
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.ParquetWriter(fh, schema)
    import pyarrow.csv as pcsv

    return pcsv.CSVWriter(fh, schema)
