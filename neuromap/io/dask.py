"""Registries on a Dask cluster: a Dask DataFrame of cases in, the long-format ranking out.

:func:`localize_dataframe` maps :func:`~neuromap.io.localize_table` over the partitions of a
Dask DataFrame; each worker process loads the atlas once (:func:`neuromap.load_atlas` is
cached per process) and ranks its partitions chunk by chunk with the batched engine. Import it
on its own (``from neuromap.io.dask import localize_dataframe``): dask is optional (the
``dask`` extra installs ``dask[dataframe]`` and ``distributed``) and nothing else in neuromap
imports it. ``docs/registries.md`` has the recipe from Parquet in object storage to ranked
Parquet.
"""

from __future__ import annotations

from typing import Any

from neuromap.errors import InvalidArgumentError, MissingDependencyError, check_option
from neuromap.io.table import RANKED_COLUMNS, localize_table
from neuromap.weights import PRIORS

__all__ = ["localize_dataframe"]


def localize_dataframe(ddf: Any, column: str = "case", *, top: int = 5, id_column: str | None = None,
                       dermatome_map: str | None = None, strict: bool = False, prior: str = "clinical") -> Any:
    """Rank every case of a Dask DataFrame, partition by partition, lazily.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The cases, one per row.
    column : str, default "case"
        The column of cases (JSON text or dicts).
    top : int, default 5
        Hypotheses kept per case (more only to keep a tie whole).
    id_column : str, optional
        The column naming each case in the output; by default the row's index label.
    dermatome_map : str, optional
        The dermatome layer for every case.
    strict : bool, default False
        Refuse (as an ``error`` row) a case with a finding that cannot be read.
    prior : {"clinical", "uniform"}, optional
        The base rates for every case (see :func:`neuromap.localize`).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; its partitions are :func:`~neuromap.io.localize_table` of the input's partitions,
        with the columns :data:`~neuromap.io.RANKED_COLUMNS` (one row per case and rank).
        ``.compute()`` it, or write it (``.to_parquet(...)``).

    Raises
    ------
    MissingDependencyError
        dask is not installed.
    InvalidArgumentError
        The frame has no such column, or an unknown ``prior``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from neuromap.io.dask import localize_dataframe
    >>> cases = pd.DataFrame({"case": ['{"side": "left", "reflexes": {"achilles": "absent"}}'] * 4})
    >>> ranked = localize_dataframe(dd.from_pandas(cases, npartitions=2), top=1)
    >>> ranked.compute(scheduler="synchronous")["id"].tolist()
    ['S1', 'S1', 'S1', 'S1']
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - dask needs pandas
        raise MissingDependencyError("dask", "neuromap.io.dask", "dask") from None
    prior = check_option("prior", prior, PRIORS)
    if not hasattr(ddf, "map_partitions"):
        raise InvalidArgumentError("ddf", f"expected a Dask DataFrame, got {type(ddf).__name__}")
    for name in (column, id_column):
        if name is not None and name not in ddf.columns:
            raise InvalidArgumentError("column" if name == column else "id_column",
                                       f"the frame has no column {name!r}; its columns are {list(ddf.columns)}")
    id_dtype = ddf.index.dtype if id_column is None else ddf[id_column].dtype
    meta = pd.DataFrame({c: pd.Series([], dtype=_DTYPES.get(c, object)) for c in RANKED_COLUMNS})
    meta["case_id"] = pd.Series([], dtype=id_dtype)
    return ddf.map_partitions(_partition, column, id_column, top, dermatome_map, strict, prior, meta=meta,
                              align_dataframes=False)


_DTYPES = {"rank": "Int64", "score": "float64", "warnings": "int64", "not_understood": "int64"}


def _partition(df: Any, column: str, id_column: str | None, top: int, dermatome_map: str | None,
               strict: bool, prior: str) -> Any:
    """One partition ranked in this worker process (the atlas loaded there once, then cached)."""
    return localize_table(df, column=column, id_column=id_column, top=top, dermatome_map=dermatome_map,
                          strict=strict, workers=1, prior=prior)
