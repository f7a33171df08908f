"""JSON in, JSON out: read cases safely, localize them one by one or in bulk, export the atlas.

A case arriving as JSON text (a file, a web request, a line of a batch) is untrusted. This
package reads it with strict limits (:class:`JsonLimits`: input bytes, nesting depth, the size
of numbers; non-finite numbers, duplicate keys and invalid UTF-8 are rejected), then hands it
to :func:`neuromap.localize`, whose reading of the case
(:func:`neuromap.inference.case.parse_case`) is the one check of a case, whatever its source.
The case format is published as a JSON Schema (``neuromap/schemas/case.schema.json``, see
:func:`load_schema`); the test suite holds the two together. Every problem raises a
:class:`~neuromap.errors.NeuromapError` (:class:`~neuromap.errors.InvalidCaseError`,
:class:`~neuromap.errors.UnknownNameError` or :class:`~neuromap.errors.LimitExceededError`)
with a one-line message naming the field (``sensory[0].regions[1]``) and the closest valid
values.

Modules: :mod:`neuromap.io.json` (limits, parsing, one case), :mod:`neuromap.io.batch` (many
cases, streamed in chunks through worker processes), :mod:`neuromap.io.table` (registries as
pandas or pyarrow tables, CSV and Parquet), :mod:`neuromap.io.dask` (a Dask DataFrame of cases,
imported on its own) and :mod:`neuromap.io.export` (the vocabulary and the atlas in exchange
formats).

Examples
--------
>>> from neuromap.io import localize_json
>>> out = localize_json('{"side": "right", "sensory": [{"regions": ["lateral border"]}],'
...                     ' "reflexes": {"achilles": "absent"}}')
>>> out["hypotheses"][0]["id"], out["schema_version"]
('S1', '1.5')
"""

from neuromap.io.batch import BATCH_CHUNK_SIZE, PARALLEL_MIN_CASES, localize_iter, localize_many, usable_cores
from neuromap.io.export import EXPORT_FORMATS, VOCABULARIES, export_atlas, vocabulary
from neuromap.io.json import (
    DEFAULT_JSON_LIMITS,
    JsonLimits,
    check_case,
    error_object,
    load_case,
    load_schema,
    localize_json,
    parse_json,
    read_case,
)
from neuromap.io.table import RANKED_COLUMNS, localize_table

__all__ = [
    "BATCH_CHUNK_SIZE",
    "DEFAULT_JSON_LIMITS",
    "EXPORT_FORMATS",
    "PARALLEL_MIN_CASES",
    "RANKED_COLUMNS",
    "VOCABULARIES",
    "JsonLimits",
    "check_case",
    "error_object",
    "export_atlas",
    "load_case",
    "load_schema",
    "localize_iter",
    "localize_json",
    "localize_many",
    "localize_table",
    "parse_json",
    "read_case",
    "usable_cores",
    "vocabulary",
]
