"""JSON in, JSON out: read cases safely, localize them one by one or in bulk, export the atlas.

A case arriving as JSON text (a file, a web request, a line of a batch) is untrusted. This
module reads it with strict limits (:class:`JsonLimits`: input bytes, nesting depth, the size
of numbers; non-finite numbers, duplicate keys and invalid UTF-8 are rejected), checks it
against the case schema shipped in ``neuromap/schemas/case.schema.json`` (with a small
validator of its own, so the ``jsonschema`` package is not needed at run time), then hands it
to :func:`neuromap.localize`. Every problem raises a :class:`~neuromap.errors.NeuromapError`
(:class:`~neuromap.errors.InvalidCaseError`, :class:`~neuromap.errors.UnknownNameError` or
:class:`~neuromap.errors.LimitExceededError`) with a one-line message naming the field
(``sensory[0].regions[1]``) and the closest valid values.

Examples
--------
>>> from neuromap.io import localize_json
>>> out = localize_json('{"side": "right", "sensory": [{"regions": ["lateral border"]}],'
...                     ' "reflexes": {"achilles": "absent"}}')
>>> out["hypotheses"][0]["id"], out["schema_version"]
('S1', '1.0')
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuromap._version import __version__
from neuromap.errors import InvalidCaseError, LimitExceededError, NeuromapError, UnknownNameError, suggest
from neuromap.inference.case import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = [
    "EXPORT_FORMATS",
    "VOCABULARIES",
    "JsonLimits",
    "check_case",
    "error_object",
    "export_atlas",
    "load_case",
    "load_schema",
    "localize_json",
    "localize_many",
    "parse_json",
    "schema_markdown",
    "vocabulary",
]

#: Formats :func:`export_atlas` writes.
EXPORT_FORMATS = ("geojson", "graphml", "node-link")
#: Vocabularies :func:`vocabulary` lists.
VOCABULARIES = ("regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps")
#: Cases below this count are localized in the calling process by :func:`localize_many`
#: (starting worker processes costs more than it saves).
PARALLEL_MIN_CASES = 200


@dataclass(frozen=True)
class JsonLimits:
    """Limits on a case read from JSON; exceeding one raises :class:`LimitExceededError`.

    Parameters
    ----------
    max_bytes : int
        Size of JSON text (str or bytes) in bytes, UTF-8 encoded. Not applied to a dict.
    max_depth : int
        Nesting depth of arrays and objects (the case object itself is depth 1).
    max_number_length : int
        Characters of one number literal in JSON text.
    max_abs_number : float
        Magnitude of any number (coordinates are millimetres; grades are 0 to 5).
    case : Limits
        The limits of :func:`neuromap.localize` (findings, regions per finding, vertices,
        points, length of names), which also set the ``x-limit`` bounds of the schema.

    Examples
    --------
    >>> from neuromap.io import JsonLimits
    >>> from neuromap.inference import Limits
    >>> JsonLimits(max_bytes=10_000, case=Limits(max_findings=20)).case.max_findings
    20
    """

    max_bytes: int = 4_000_000
    max_depth: int = 32
    max_number_length: int = 40
    max_abs_number: float = 1e9
    case: Limits = field(default_factory=lambda: DEFAULT_LIMITS)


DEFAULT_JSON_LIMITS = JsonLimits()


# ---------------------------------------------------------------------------------- schemas
@lru_cache(maxsize=4)
def _schema_text(name: str) -> str:
    from importlib.resources import files

    return files("neuromap").joinpath("schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """Return a JSON Schema shipped with neuromap (a fresh copy).

    Parameters
    ----------
    name : {"case", "localization"}
        ``"case"`` for the input, ``"localization"`` for the output.

    Returns
    -------
    dict
        The schema (JSON Schema draft 2020-12), with ``$id`` and ``version``.

    Raises
    ------
    UnknownNameError
        An unknown schema name.

    Examples
    --------
    >>> from neuromap.io import load_schema
    >>> load_schema("case")["version"]
    '1.0'
    """
    if name not in ("case", "localization"):
        raise UnknownNameError(str(name), "schema", suggest(str(name), ("case", "localization")) or
                               ["case", "localization"], field="schema")
    result: dict[str, Any] = json.loads(_schema_text(name))
    return result


@lru_cache(maxsize=1)
def _case_schema() -> dict[str, Any]:
    return load_schema("case")


# ---------------------------------------------------------------------------------- parsing
class _DupDict(dict[str, Any]):
    """A JSON object that had a duplicate key (reported with its path by :func:`_check_tree`)."""

    duplicate: str = ""


class _BadNumber:
    """A number literal that was rejected while parsing (reported with its path later)."""

    __slots__ = ("problem", "text")

    def __init__(self, text: str, problem: str) -> None:
        self.text = text
        self.problem = problem


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            dup = _DupDict(out)
            dup.duplicate = k
            return dup
        out[k] = v
    return out


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NON_BRACKETS = re.compile(r"[^\[\]{}]+")


def _json_depth(text: str) -> int:
    """Maximum nesting depth of arrays and objects in JSON text, without parsing it."""
    brackets = _NON_BRACKETS.sub("", _STRINGS.sub("", text))
    if not brackets:
        return 0
    import numpy as np

    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == 0x5B) | (codes == 0x7B), 1, -1)
    return int(np.cumsum(steps).max())


def parse_json(data: str | bytes | bytearray | memoryview, *, limits: JsonLimits | None = None) -> Any:
    """Parse untrusted JSON text with limits.

    Parameters
    ----------
    data : str or bytes
        JSON text; bytes must be UTF-8 (a byte-order mark is allowed).
    limits : JsonLimits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.

    Returns
    -------
    object
        The parsed value, checked by :func:`check_case`'s tree rules (depth, numbers,
        duplicate keys) but not against the case schema.

    Raises
    ------
    InvalidCaseError
        Invalid UTF-8, invalid JSON, a non-finite number, a duplicate key.
    LimitExceededError
        Too many bytes, too deep, a number too long or too large.

    Examples
    --------
    >>> from neuromap.io import parse_json
    >>> parse_json(b'{"side": "left"}')
    {'side': 'left'}
    >>> parse_json('{"side": "left", "side": "right"}')
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'side': the key 'side' appears twice in one JSON object.
    """
    lim = limits or DEFAULT_JSON_LIMITS
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > lim.max_bytes:
            raise LimitExceededError("case", f"the input is {len(raw)} bytes, more than the limit of {lim.max_bytes}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidCaseError("case", f"the input is not valid UTF-8 (byte {exc.start} is "
                                   f"0x{raw[exc.start]:02x})") from None
    elif isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        if len(text) > lim.max_bytes or len(text.encode("utf-8", "surrogatepass")) > lim.max_bytes:
            size = len(text.encode("utf-8", "surrogatepass"))
            raise LimitExceededError("case", f"the input is {size} bytes, more than the limit of {lim.max_bytes}")
    else:
        raise InvalidCaseError("case", f"expected JSON text (str or bytes), got a {type(data).__name__}")
    if not text.strip():
        raise InvalidCaseError("case", "the input is empty; expected a JSON object such as "
                               '{"side": "left", "sensory": [...]}')
    depth = _json_depth(text)
    if depth > lim.max_depth:
        raise LimitExceededError("case", f"the JSON is nested {depth} levels deep, more than the limit of "
                                 f"{lim.max_depth}")

    def number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
        def parse(s: str) -> Any:
            if len(s) > lim.max_number_length:
                return _BadNumber(s, f"the number has {len(s)} characters, more than the limit of "
                                  f"{lim.max_number_length}")
            return kind(s)
        return parse

    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_int=number(int), parse_float=number(float),
                           parse_constant=lambda s: _BadNumber(s, f"{s} is not a finite number (JSON has no {s})"))
    except json.JSONDecodeError as exc:
        raise InvalidCaseError("case", f"the input is not valid JSON: {exc.msg} (line {exc.lineno}, "
                               f"column {exc.colno})") from None
    except RecursionError:  # pragma: no cover - the depth scan rejects this first
        raise LimitExceededError("case", f"the JSON is nested more than {lim.max_depth} levels deep") from None
    _check_tree(value, lim)
    return value


class _NotPlain(Exception):
    """A duplicate key or a non-finite constant met by :func:`_parse_plain`."""


def _plain_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _NotPlain
    return out


def _not_plain(s: str) -> Any:
    raise _NotPlain


def _parse_plain(data: str | bytes | bytearray | memoryview, lim: JsonLimits) -> tuple[Any] | None:
    """JSON text parsed as :func:`parse_json` would parse it, when that is sure to raise nothing; else None.

    The value (in a 1-tuple) is the one parse_json returns, for text within the size limits
    that has no number literal longer than ``max_number_length`` (no run of number characters
    that long), no NaN or Infinity and no duplicate key: the numbers then parse with
    ``int``/``float`` as parse_json's hooks parse them, and every object is a plain dict. The
    text's nesting depth is checked as parse_json checks it (skipped when the text has no more
    brackets than ``max_depth``, which bounds the depth). The tree rules of
    :func:`_check_tree` are left to the compiled check; None means: run parse_json.
    """
    if type(lim.max_number_length) is not int:
        return None
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        if len(text) > lim.max_bytes or len(text.encode("utf-8", "surrogatepass")) > lim.max_bytes:
            return None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > lim.max_bytes:
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    else:
        return None
    if not text.strip():
        return None
    if text.count("[") + text.count("{") > lim.max_depth and _json_depth(text) > lim.max_depth:
        return None
    if _number_run(lim.max_number_length).search(text):
        return None
    try:
        return (json.loads(text, object_pairs_hook=_plain_pairs, parse_constant=_not_plain),)
    except (ValueError, RecursionError, _NotPlain):  # JSONDecodeError is a ValueError
        return None


@lru_cache(maxsize=4)
def _number_run(max_length: int) -> re.Pattern[str]:
    """A run of more than *max_length* characters that a JSON number literal is made of."""
    return re.compile(f"[-+.0-9eE]{{{max(0, max_length) + 1},}}")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path == "case" else f"{path}.{key}"


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _check_tree(value: Any, lim: JsonLimits) -> None:
    """Check a JSON-like tree: JSON types only, string keys, depth, finite bounded numbers, no duplicate keys."""
    stack: list[tuple[Any, str, int]] = [(value, "case", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, Mapping):
            items: Iterable[tuple[str | int, Any]] = node.items()
            if isinstance(node, _DupDict):
                raise InvalidCaseError(_join(path, node.duplicate),
                                       f"the key {node.duplicate!r} appears twice in one JSON object")
        elif isinstance(node, (list, tuple)):
            items = enumerate(node)
        else:
            _check_scalar(node, path, lim)
            continue
        if depth > lim.max_depth:
            raise LimitExceededError(path, f"nested more than {lim.max_depth} levels deep")
        is_map = isinstance(node, Mapping)
        for k, v in items:
            if is_map and type(k) is not str:
                raise InvalidCaseError(path, f"object keys must be strings, got a {type(k).__name__} ({k!r:.40})")
            if isinstance(v, (Mapping, list, tuple)):
                if type(v) is list and depth < lim.max_depth and all(type(x) in _PLAIN for x in v):
                    # a list of plain scalars (a point, a list of names): checked here, no path unless needed
                    for j, x in enumerate(v):
                        if type(x) is float and not (math.isfinite(x) and abs(x) <= lim.max_abs_number) or (
                                type(x) is int and abs(x) > lim.max_abs_number):
                            _check_scalar(x, _join(_join(path, k), j), lim)
                    continue
                stack.append((v, _join(path, k), depth + 1))
            elif not (v is None or type(v) is str or type(v) is bool):
                _check_scalar(v, _join(path, k), lim)


def _check_scalar(v: Any, path: str, lim: JsonLimits) -> None:
    if v is None or isinstance(v, (str, bool)):
        return
    if isinstance(v, _BadNumber):
        cls = InvalidCaseError if "finite" in v.problem else LimitExceededError
        raise cls(path, v.problem)
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidCaseError(path, f"expected a finite number, got {v!r}")
        if abs(v) > lim.max_abs_number:
            raise LimitExceededError(path, f"the number {v!r:.30} is larger than the limit of {lim.max_abs_number:g}")
        return
    raise InvalidCaseError(path, f"a {type(v).__name__} is not a JSON value (expected an object, array, string, "
                           "number, true, false or null)")


# ---------------------------------------------------------------------------------- validation
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "version", "title", "description", "examples", "default",
                          "x-limit", "$comment"})
#: JSON Schema keywords the runtime validator implements; the shipped schemas use only these.
SUPPORTED_KEYWORDS = frozenset({"$ref", "type", "const", "enum", "properties", "required", "additionalProperties",
                                "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems",
                                "minLength", "maxLength", "minimum", "maximum", "anyOf", "oneOf", "not"}) | _ANNOTATIONS

_TYPE_WORDS = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


#: JSON type of the exact built-in types (the rest, and floats, go through :func:`_json_type`'s checks)
_EXACT_JSON_TYPES: dict[type, str] = {type(None): "null", bool: "boolean", int: "integer", str: "string",
                                      dict: "object", list: "array", tuple: "array"}


def _json_type(v: Any) -> str:
    t = _EXACT_JSON_TYPES.get(type(v))
    if t is not None:
        return t
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Mapping):
        return "object"
    if isinstance(v, (list, tuple)):
        return "array"
    return type(v).__name__


def _type_ok(v: Any, types: str | Sequence[str]) -> bool:
    return _json_type_ok(_json_type(v), types)


def _json_type_ok(t: str, types: str | Sequence[str]) -> bool:
    if isinstance(types, str):
        return t == types or (t == "integer" and types == "number")
    return t in types or (t == "integer" and "number" in types)


def _got(v: Any) -> str:
    t = _json_type(v)
    if t in ("string", "integer", "number", "boolean", "null"):
        return f"{json.dumps(v)[:60]}"
    return _TYPE_WORDS.get(t, f"a {t}")


_REQUIRED_NOT = frozenset({"required", "not"})
#: exact types that validate() accepts as a JSON number (bool is not one)
_NUMBER_TYPES = (int, float)
#: id(schema node) -> (the node, whether it is exactly 'an array of two numbers'); see _number_pairs
_NUMBER_PAIRS: dict[int, tuple[Mapping[str, Any], bool]] = {}


class _Validator:
    """Validate a JSON-like value against the subset of JSON Schema in :data:`SUPPORTED_KEYWORDS`."""

    def __init__(self, root: Mapping[str, Any], limits: Limits) -> None:
        self.root = root
        self.limits = limits

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are supported, got {ref!r}")  # pragma: no cover
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node[part]
            schema = node
        return schema

    def bound(self, schema: Mapping[str, Any], key: str) -> tuple[Any, type[InvalidCaseError]]:
        if "x-limit" in schema and key in ("maxItems", "maxLength", "maxProperties"):
            return getattr(self.limits, schema["x-limit"]), LimitExceededError
        return schema[key], InvalidCaseError

    def describe(self, schema: Mapping[str, Any]) -> str:
        schema = self.resolve(schema)
        types = schema.get("type", "value")
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in ((types,) if isinstance(types, str) else types))
        if "minimum" in schema and "maximum" in schema:
            words += f" from {schema['minimum']} to {schema['maximum']}"
        return words

    def validate(self, v: Any, schema: Mapping[str, Any], path: str) -> None:
        schema = self.resolve(schema)
        t = _json_type(v)
        if "type" in schema and not _json_type_ok(t, schema["type"]):
            raise InvalidCaseError(path, f"expected {self.describe(schema)}, got {_got(v)}")
        if "const" in schema and v != schema["const"]:
            raise InvalidCaseError(path, f"expected {schema['const']!r}, got {_got(v)}", [str(schema["const"])])
        if "enum" in schema and v not in schema["enum"]:
            opts = [str(e) for e in schema["enum"]]
            raise InvalidCaseError(path, f"allowed values are {', '.join(map(repr, opts))}, but got {_got(v)}",
                                   suggest(str(v), opts) if isinstance(v, str) else [])
        if t in ("integer", "number"):
            if "minimum" in schema and v < schema["minimum"]:
                raise InvalidCaseError(path, f"expected {self.describe(schema)}, got {_got(v)}")
            if "maximum" in schema and v > schema["maximum"]:
                raise InvalidCaseError(path, f"expected {self.describe(schema)}, got {_got(v)}")
        elif t == "string":
            if "minLength" in schema and len(v) < schema["minLength"]:
                raise InvalidCaseError(path, "the text is empty" if schema["minLength"] == 1 else
                                       f"shorter than {schema['minLength']} characters")
            if "maxLength" in schema:
                n, cls = self.bound(schema, "maxLength")
                if len(v) > n:
                    raise cls(path, f"the text is longer than {n} characters")
        elif t == "object":
            self.validate_object(v, schema, path)
        elif t == "array":
            self.validate_array(v, schema, path)
        if "anyOf" in schema:
            self.validate_any_of(v, schema["anyOf"], path)
        if "oneOf" in schema and t != "object":
            self.validate_one_of(v, schema["oneOf"], path)
        if "not" in schema and self.is_valid(v, schema["not"]):
            raise InvalidCaseError(path, "this combination of keys is not allowed")

    def validate_any_of(self, v: Any, options: Sequence[Mapping[str, Any]], path: str) -> None:
        typed = [s for s in options if "type" not in self.resolve(s) or _type_ok(v, self.resolve(s)["type"])]
        if len(typed) == 1:
            self.validate(v, typed[0], path)
            return
        first: InvalidCaseError | None = None
        for s in typed:
            try:
                self.validate(v, s, path)
                return
            except InvalidCaseError as exc:
                first = first or exc
        if first is not None:
            raise first
        raise InvalidCaseError(path, f"expected {' or '.join(self.describe(s) for s in options)}, got {_got(v)}")

    def validate_one_of(self, v: Any, options: Sequence[Mapping[str, Any]], path: str) -> None:
        ok = [s for s in options if self.is_valid(v, s)]
        if len(ok) != 1:
            keys = [r for s in options for r in self.resolve(s).get("required", ())]
            if keys:
                raise InvalidCaseError(path, f"give exactly one of {' or '.join(map(repr, keys))}", keys)
            raise InvalidCaseError(path, "expected exactly one of: "  # pragma: no cover - unused by the schemas
                                   f"{'; '.join(self.describe(s) for s in options)}")

    def is_valid(self, v: Any, schema: Mapping[str, Any]) -> bool:
        s = self.resolve(schema)
        if _REQUIRED_NOT.issuperset(s):
            # what validate() decides for a schema of only 'required' and 'not', without raising
            if "required" in s and _json_type(v) == "object" and any(k not in v for k in s["required"]):
                return False
            return not ("not" in s and self.is_valid(v, s["not"]))
        try:
            self.validate(v, schema, "")
        except InvalidCaseError:
            return False
        return True

    def validate_object(self, v: Mapping[str, Any], schema: Mapping[str, Any], path: str) -> None:
        props: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if extra is False:
            for k in v:
                if k not in props:
                    allowed = list(props)
                    close = suggest(k, allowed) or suggest(k, allowed, n=len(allowed), cutoff=0.0)
                    raise InvalidCaseError(_join(path, k), f"unknown key {k!r}; allowed keys are "
                                           f"{', '.join(map(repr, allowed))}", close[:3])
        if "oneOf" in schema:
            self.validate_one_of(v, schema["oneOf"], path)
        for k in schema.get("required", ()):
            if k not in v:
                raise InvalidCaseError(_join(path, k), "this key is required")
        if "minProperties" in schema and len(v) < schema["minProperties"]:
            raise InvalidCaseError(path, f"give at least one of {' or '.join(map(repr, props))}" if props
                                   else f"give at least {schema['minProperties']} entries", list(props)[:4])
        if "maxProperties" in schema:
            n, cls = self.bound(schema, "maxProperties")
            if len(v) > n:
                raise cls(path, f"more than {n} entries")
        for k, item in v.items():
            if "propertyNames" in schema:
                self.validate(k, schema["propertyNames"], _join(path, k))
            if k in props:
                self.validate(item, props[k], _join(path, k))
            elif isinstance(extra, Mapping):
                self.validate(item, extra, _join(path, k))

    def validate_array(self, v: Sequence[Any], schema: Mapping[str, Any], path: str) -> None:
        if "minItems" in schema and len(v) < schema["minItems"]:
            n = schema["minItems"]
            raise InvalidCaseError(path, "the list is empty" if n == 1 else f"give at least {n} items, got {len(v)}")
        if "maxItems" in schema:
            n, cls = self.bound(schema, "maxItems")
            if len(v) > n:
                raise cls(path, f"more than {n} items" if cls is LimitExceededError else
                          f"give at most {n} items, got {len(v)}")
        if "items" in schema:
            items = self.resolve(schema["items"])
            if self._number_pairs(items) and all(
                    type(x) is list and len(x) == 2 and type(x[0]) in _NUMBER_TYPES and type(x[1]) in _NUMBER_TYPES
                    for x in v):
                return  # points [x, y]: every one is what validate() accepts (any other: the full check)
            for i, item in enumerate(v):
                self.validate(item, items, f"{path}[{i}]")

    def _number_pairs(self, schema: Mapping[str, Any]) -> bool:
        """Whether *schema* is exactly 'an array of two numbers' (a point), with nothing else to check."""
        hit = _NUMBER_PAIRS.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        items = self.resolve(schema.get("items", {}))
        got = (schema.get("type") == "array" and schema.get("minItems") == 2 and schema.get("maxItems") == 2
               and "x-limit" not in schema
               and set(schema) - _ANNOTATIONS <= {"type", "minItems", "maxItems", "items"}
               and set(items) - _ANNOTATIONS == {"type"} and items["type"] == "number")
        if len(_NUMBER_PAIRS) < 4096:  # the schema is kept with its answer: its id cannot be reused
            _NUMBER_PAIRS[id(schema)] = (schema, got)
        return got


# ---------------------------------------------------------------------------------- compiled check
# The schema compiled once per (schema, JsonLimits) into nested closures that answer only "valid
# or not" for exact built-in JSON types (dict, list, str, int, float, bool, None): refs followed,
# bounds looked up and keywords dispatched when compiling, the rules of _check_tree (string keys,
# depth, finite bounded numbers) checked in the same walk. A closure answers True only where
# _check_tree and _Validator both accept; anything else (an invalid case, a tuple, a Mapping or
# float subclass, a keyword combination the compiler does not translate exactly) answers False,
# and the caller then runs the reference checks, which raise the error. So a valid case is
# checked once, quickly, and every error is the reference's own.
_Check = Callable[[Any], bool]


def _never(v: Any) -> bool:
    return False


def _always(v: Any) -> bool:
    return True


def _is_int(x: Any) -> bool:
    return type(x) is int


def _is_real(x: Any) -> bool:
    return type(x) in _NUMBER_TYPES and math.isfinite(x)


class _Compiler:
    """Compile a schema of :data:`SUPPORTED_KEYWORDS` into a :data:`_Check` (see above)."""

    def __init__(self, root: Mapping[str, Any], lim: JsonLimits) -> None:
        self.root = root
        self.limits = lim.case
        self.max_depth: int = lim.max_depth
        self.m: float = lim.max_abs_number
        self.tree = _tree_check(lim.max_depth, lim.max_abs_number)

    def resolve(self, schema: Any) -> Mapping[str, Any] | None:
        seen: set[str] = set()
        while isinstance(schema, Mapping) and "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
                return None
            seen.add(ref)
            node: Any = self.root
            try:
                for part in ref[2:].split("/"):
                    node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
            schema = node
        return schema if type(schema) is dict else None

    def bound(self, s: Mapping[str, Any], key: str) -> Any:
        """The bound of *key* as _Validator.bound finds it; None when absent; _never when not an int."""
        if key not in s:
            return None
        if "x-limit" in s and key in ("maxItems", "maxLength", "maxProperties"):
            n = getattr(self.limits, s["x-limit"], _never) if isinstance(s["x-limit"], str) else _never
        else:
            n = s[key]
        return n if _is_int(n) else _never

    def compile(self, schema: Any, depth: int, active: frozenset[tuple[int, int]] = frozenset()) -> _Check:
        """The check of a value at *depth* (the case is 1) against *schema*."""
        s = self.resolve(schema)
        if s is None or (id(s), depth) in active or depth > self.max_depth + 1:
            return _never
        active = active | {(id(s), depth)}
        # the checks by exact type of the value; None: that type is not accepted
        types = s.get("type")
        if "type" not in s:
            allowed = {"null", "boolean", "integer", "number", "string", "object", "array"}
        elif isinstance(types, str):
            allowed = {types}
        elif isinstance(types, (list, tuple)) and all(isinstance(t, str) for t in types):
            allowed = set(types)
        else:
            return _never
        if "number" in allowed:
            allowed.add("integer")
        by_type: dict[str, _Check] = {}
        if "string" in allowed:
            by_type["string"] = self.string(s)
        if "integer" in allowed:
            by_type["integer" if "number" not in allowed else "number"] = self.number(s, "number" in allowed)
        if "object" in allowed:
            by_type["object"] = self.object(s, depth, active)
        if "array" in allowed:
            by_type["array"] = self.array(s, depth, active)
        if "boolean" in allowed:
            by_type["boolean"] = _always
        if "null" in allowed:
            by_type["null"] = _always
        extra = self.combinators(s, depth, active, objects_only=set(by_type) == {"object"})
        if len(by_type) == 1:
            base = next(iter(by_type.values()))
            if "boolean" in by_type or "null" in by_type:  # a single type that no handler gates
                want: Any = bool if "boolean" in by_type else type(None)

                def base(v: Any) -> bool:
                    return type(v) is want
        else:
            base = self.dispatch(by_type)
        if extra is None:
            return base

        def both(v: Any) -> bool:
            return base(v) and extra(v)
        return both

    @staticmethod
    def dispatch(by_type: Mapping[str, _Check]) -> _Check:
        handlers: dict[type, _Check] = {}
        for word, types in (("string", (str,)), ("integer", (int, float)), ("number", (int, float)),
                            ("object", (dict,)), ("array", (list,)), ("boolean", (bool,)), ("null", (type(None),))):
            if word in by_type:
                for t in types:
                    handlers[t] = by_type[word]
        get = handlers.get

        def check(v: Any) -> bool:
            h = get(type(v))
            return h is not None and h(v)
        return check

    def string(self, s: Mapping[str, Any]) -> _Check:
        lo = s.get("minLength", 0)
        hi = self.bound(s, "maxLength")
        if not _is_int(lo) or hi is _never:
            return _never
        if hi is None:
            if lo <= 0:
                def check(v: Any) -> bool:
                    return type(v) is str
                return check
            hi = math.inf

        def bounded(v: Any) -> bool:
            return type(v) is str and lo <= len(v) <= hi
        return bounded

    def number(self, s: Mapping[str, Any], real: bool) -> _Check:
        lo = s.get("minimum", -math.inf)
        hi = s.get("maximum", math.inf)
        m = self.m
        if not ((lo == -math.inf or _is_real(lo)) and (hi == math.inf or _is_real(hi))):
            return _never
        if real:
            def check(v: Any) -> bool:
                t = type(v)
                return (t is int or t is float) and -m <= v <= m and lo <= v <= hi
            return check

        def integer(v: Any) -> bool:
            t = type(v)
            if t is int:
                return -m <= v <= m and lo <= v <= hi
            return t is float and v.is_integer() and -m <= v <= m and lo <= v <= hi
        return integer

    def object(self, s: Mapping[str, Any], depth: int, active: frozenset[tuple[int, int]]) -> _Check:
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True)
        required = s.get("required", ())
        lo = s.get("minProperties", 0)
        hi = self.bound(s, "maxProperties")
        if (depth > self.max_depth or not isinstance(props, Mapping) or not isinstance(required, (list, tuple))
                or not _is_int(lo) or hi is _never):
            return _never
        hi = math.inf if hi is None else hi
        closed = extra is False
        names = frozenset(props)
        children = {k: self.compile(sub, depth + 1, active) for k, sub in props.items()}
        if isinstance(extra, Mapping):
            other = self.compile(extra, depth + 1, active)
        else:
            tree, below = self.tree, depth + 1

            def other(v: Any) -> bool:
                return tree(v, below)
        keys = None
        if "propertyNames" in s:
            keys = self.compile(s["propertyNames"], depth + 1, active)
        one_of = self.one_of(s)
        if one_of is _never:
            return _never
        child = children.get
        req = tuple(required)

        def check(v: Any) -> bool:
            if type(v) is not dict or not lo <= len(v) <= hi or (closed and not names.issuperset(v)):
                return False
            for k in req:
                if k not in v:
                    return False
            if one_of is not None and not one_of(v):
                return False
            for k, x in v.items():
                if type(k) is not str or (keys is not None and not keys(k)):
                    return False
                c = child(k, other)
                if not c(x):
                    return False
            return True
        return check

    def array(self, s: Mapping[str, Any], depth: int, active: frozenset[tuple[int, int]]) -> _Check:
        lo = s.get("minItems", 0)
        hi = self.bound(s, "maxItems")
        if depth > self.max_depth or not _is_int(lo) or hi is _never:
            return _never
        hi = math.inf if hi is None else hi
        if "items" not in s:
            tree, below = self.tree, depth + 1

            def free(v: Any) -> bool:
                return type(v) is list and lo <= len(v) <= hi and all(tree(x, below) for x in v)
            return free
        if not isinstance(s["items"], Mapping):
            return _never
        if self.is_point(s["items"]) and depth + 1 <= self.max_depth and math.isfinite(self.m):
            m = self.m

            def points(v: Any) -> bool:
                if type(v) is not list or not lo <= len(v) <= hi:
                    return False
                for p in v:
                    if type(p) is not list or len(p) != 2:
                        return False
                    x, y = p
                    tx, ty = type(x), type(y)
                    if not ((tx is float or tx is int) and (ty is float or ty is int)
                            and -m <= x <= m and -m <= y <= m):
                        return False
                return True
            return points
        item = self.compile(s["items"], depth + 1, active)

        def check(v: Any) -> bool:
            if type(v) is not list or not lo <= len(v) <= hi:
                return False
            for x in v:
                if not item(x):
                    return False
            return True
        return check

    def is_point(self, schema: Mapping[str, Any]) -> bool:
        """Whether *schema* is exactly 'an array of two numbers' with no other keyword (as _Validator._number_pairs)."""
        s = self.resolve(schema)
        if s is None:
            return False
        items = self.resolve(s.get("items", {}))
        return (items is not None and s.get("type") == "array" and _is_int(s.get("minItems")) and s["minItems"] == 2
                and _is_int(s.get("maxItems")) and s["maxItems"] == 2 and "x-limit" not in s
                and set(s) - _ANNOTATIONS <= {"type", "minItems", "maxItems", "items"}
                and set(items) - _ANNOTATIONS == {"type"} and items["type"] == "number")

    def combinators(self, s: Mapping[str, Any], depth: int, active: frozenset[tuple[int, int]], *,
                    objects_only: bool) -> _Check | None:
        """const, enum, anyOf and not (oneOf is checked here too unless the value is an object)."""
        checks: list[_Check] = []
        if "const" in s:
            const = s["const"]

            def same(v: Any) -> bool:
                return not v != const
            checks.append(same)
        if "enum" in s:
            options = s["enum"]
            if not isinstance(options, (list, tuple)):
                return _never

            def listed(v: Any) -> bool:
                return v in options
            checks.append(listed)
        if "anyOf" in s:
            alts = s["anyOf"]
            if not isinstance(alts, (list, tuple)) or not alts:
                return _never
            resolved = [self.resolve(a) for a in alts]
            if any(r is None or ("type" in r and not isinstance(r["type"], (str, list, tuple))) for r in resolved):
                return _never  # _Validator.validate_any_of would fail on this option whatever the value
            fs = tuple(self.compile(a, depth, active) for a in alts)

            def any_of(v: Any) -> bool:
                for f in fs:
                    if f(v):
                        return True
                return False
            checks.append(any_of)
        if "oneOf" in s and not objects_only:
            # validate() checks it for a non-object, validate_object() for an object (as the
            # object check here does): checked here too unless only an object is accepted
            one_of = self.one_of(s)
            if one_of is None or one_of is _never:
                return _never
            checks.append(one_of)
        if "not" in s:
            banned = self.exact(s["not"])
            if banned is None:
                return _never

            def allowed(v: Any) -> bool:
                return not banned(v)
            checks.append(allowed)
        if not checks:
            return None
        if len(checks) == 1:
            return checks[0]
        fs2 = tuple(checks)

        def every(v: Any) -> bool:
            for f in fs2:
                if not f(v):
                    return False
            return True
        return every

    def one_of(self, s: Mapping[str, Any]) -> _Check | None:
        if "oneOf" not in s:
            return None
        alts = s["oneOf"]
        if not isinstance(alts, (list, tuple)):
            return _never
        preds = [self.exact(a) for a in alts]
        if any(p is None for p in preds):
            return _never
        ps = tuple(p for p in preds if p is not None)

        def exactly_one(v: Any) -> bool:
            n = 0
            for p in ps:
                if p(v):
                    n += 1
            return n == 1
        return exactly_one

    def exact(self, schema: Any) -> _Check | None:
        """_Validator.is_valid for a schema of only 'required' and 'not' (None for any other schema).

        Called only on a value of exact JSON types whose tree is already accepted.
        """
        s = self.resolve(schema)
        if s is None or not set(s) - _ANNOTATIONS <= _REQUIRED_NOT:
            return None
        required = s.get("required", ())
        if not isinstance(required, (list, tuple)):
            return None
        req = tuple(required)
        banned = self.exact(s["not"]) if "not" in s else _never
        if banned is None:
            return None

        def check(v: Any) -> bool:
            if type(v) is dict:
                for k in req:
                    if k not in v:
                        return False
            return not banned(v)
        return check


def _tree_check(max_depth: int, m: float) -> Callable[[Any, int], bool]:
    """What _check_tree accepts of a value of exact JSON types at *depth* (False for any other type)."""
    def tree(v: Any, depth: int) -> bool:
        t = type(v)
        if t is str or t is bool or v is None:
            return True
        if t is int or t is float:
            return -m <= v <= m
        if t is not dict and t is not list:
            return False
        stack = [(v, depth)]
        while stack:
            node, d = stack.pop()
            if d > max_depth:
                return False
            if type(node) is dict:
                for k in node:
                    if type(k) is not str:
                        return False
                values: Iterable[Any] = node.values()
            else:
                values = node
            for x in values:
                t = type(x)
                if t is str or t is bool or x is None:
                    continue
                if t is int or t is float:
                    if not -m <= x <= m:
                        return False
                elif t is dict or t is list:
                    stack.append((x, d + 1))
                else:
                    return False
        return True
    return tree


#: id(JsonLimits) -> (the limits, the schema, its compiled check or None); the limits are kept so their id is not reused
_COMPILED: dict[int, tuple[JsonLimits, Mapping[str, Any], _Check | None]] = {}


def _compiled_check(lim: JsonLimits) -> _Check | None:
    """The compiled check of the case schema under *lim*, or None (then only the reference checks run)."""
    schema = _case_schema()
    hit = _COMPILED.get(id(lim))
    if hit is not None and hit[0] is lim and hit[1] is schema:
        return hit[2]
    try:
        check = _compile_case_schema(lim)
    except TypeError:  # limits that cannot be hashed
        check = None
    if len(_COMPILED) >= 64:
        _COMPILED.clear()
    _COMPILED[id(lim)] = (lim, schema, check)
    return check


@lru_cache(maxsize=16)
def _compile_case_schema(lim: JsonLimits) -> _Check | None:
    if not (type(lim) is JsonLimits and type(lim.case) is Limits and _is_int(lim.max_depth)
            and type(lim.max_abs_number) in _NUMBER_TYPES and math.isfinite(lim.max_abs_number)):
        return None
    try:
        return _Compiler(_case_schema(), lim).compile(_case_schema(), 1)
    except RecursionError:  # pragma: no cover - a schema nested deeper than Python recursion allows
        return None


def check_case(case: Any, *, limits: JsonLimits | Limits | None = None) -> None:
    """Check a parsed case (dict) against the case schema and the tree limits.

    This is what :func:`localize_json` runs before the atlas sees the case: JSON types only,
    nesting depth, finite numbers of bounded size, then the schema (types, required and
    unknown keys, list sizes). Names are checked later, against the atlas.

    Parameters
    ----------
    case : dict
        The case.
    limits : JsonLimits or Limits, optional
        Limits; the ``x-limit`` bounds of the schema follow ``limits.case``.

    Raises
    ------
    InvalidCaseError, LimitExceededError
        The first problem found, naming the field.

    Examples
    --------
    >>> from neuromap.io import check_case
    >>> check_case({"side": "left", "sensory": [{"regions": ["heel"]}]})
    >>> check_case({"side": "left", "sensroy": []})
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'sensroy': unknown key 'sensroy'; allowed keys are 'side', \
'sensory', 'motor', 'reflexes', 'other', 'dermatome_map', 'id', 'notes'. Did you mean 'sensory'?
    """
    lim = _json_limits(limits)
    if type(case) is dict:
        fast = _compiled_check(lim)
        if fast is not None and fast(case):
            return
    _check_tree(case, lim)
    _Validator(_case_schema(), lim.case).validate(case, _case_schema(), "case")


def _json_limits(limits: JsonLimits | Limits | None) -> JsonLimits:
    if limits is None:
        return DEFAULT_JSON_LIMITS
    if isinstance(limits, Limits):
        return JsonLimits(case=limits)
    if isinstance(limits, JsonLimits):
        return limits
    raise TypeError(f"limits must be a JsonLimits or Limits, got a {type(limits).__name__}")


# ---------------------------------------------------------------------------------- localize
def load_case(case: str | bytes | bytearray | Mapping[str, Any], *,
              limits: JsonLimits | Limits | None = None) -> Mapping[str, Any]:
    """Read a case from JSON text (or take a dict) and check it, without localizing it.

    Parameters
    ----------
    case : str, bytes or dict
        The case as JSON text (UTF-8 bytes) or an already parsed dict.
    limits : JsonLimits or Limits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.

    Returns
    -------
    dict
        The case, ready for :func:`neuromap.localize` (names are not resolved yet).

    Raises
    ------
    InvalidCaseError, LimitExceededError
        As :func:`parse_json` and :func:`check_case`.

    Examples
    --------
    >>> from neuromap.io import load_case
    >>> load_case(b'{"side": "left", "other": ["clonus"]}')["other"]
    ['clonus']
    """
    lim = _json_limits(limits)
    if isinstance(case, (str, bytes, bytearray, memoryview)):
        fast = _compiled_check(lim)
        if fast is not None:
            parsed = _parse_plain(case, lim)
            if parsed is not None and fast(parsed[0]):
                return parsed[0]  # what parse_json and _Validator accept (see _parse_plain)
        value = parse_json(case, limits=lim)
    elif isinstance(case, Mapping):
        value = case
        if type(value) is dict:
            fast = _compiled_check(lim)
            if fast is not None and fast(value):
                return value  # what _check_tree and _Validator accept (see _Compiler)
        _check_tree(value, lim)
    else:
        raise InvalidCaseError("case", f"expected JSON text or an object, got a {type(case).__name__}")
    _Validator(_case_schema(), lim.case).validate(value, _case_schema(), "case")
    return value


def localize_json(
    case: str | bytes | bytearray | Mapping[str, Any],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
) -> dict[str, Any]:
    """Localize a case given as JSON text or a dict; return the JSON-safe result.

    Parameters
    ----------
    case : str, bytes or dict
        The case (see ``docs/schemas.md`` for the format), as JSON text (UTF-8 bytes) or as
        an already parsed dict. Text is parsed with :func:`parse_json`.
    atlas : Atlas, optional
        Defaults to the bundled atlas.
    dermatome_map : str, optional
        The dermatome layer; overrides nothing the case sets itself (``dermatome_map`` key).
    limits : JsonLimits or Limits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.

    Returns
    -------
    dict
        ``Localization.to_dict()``: valid against ``neuromap/schemas/localization.schema.json``,
        with ``schema_version``, ``neuromap_version`` and ``atlas_version``.

    Raises
    ------
    InvalidCaseError
        Invalid JSON or UTF-8, a wrong type, an unknown or duplicate key, a non-finite number,
        a duplicate or conflicting finding, a side contradicting the case.
    UnknownNameError
        A name the atlas does not know.
    LimitExceededError
        Input too large or too deep, too many findings, regions, vertices or points.

    Examples
    --------
    >>> from neuromap.io import localize_json
    >>> out = localize_json({"side": "left", "motor": [{"name": "great toe extension", "grade": 4},
    ...                                                 {"name": "hip abduction", "grade": 4}]})
    >>> out["hypotheses"][0]["id"]
    'L5'
    >>> localize_json({"side": "left", "sensory": [{"regions": ["heel", "frist web space"]}]})
    Traceback (most recent call last):
    ...
    neuromap.errors.UnknownNameError: Invalid value for 'sensory[0].regions[1]': 'frist web space' is not a region \
of the lower limb surface. Did you mean 'first web space'?
    """
    from neuromap.inference.localize import localize

    lim = _json_limits(limits)
    value = load_case(case, limits=lim)
    result = localize(value, atlas=atlas, dermatome_map=dermatome_map, limits=lim.case).to_dict()
    result.setdefault("schema_version", _schema_version("localization"))
    result.setdefault("neuromap_version", __version__)
    if "atlas_version" not in result:  # pragma: no cover - to_dict sets it
        from neuromap.atlas import load_atlas

        result["atlas_version"] = (atlas or load_atlas()).version
    return result


@lru_cache(maxsize=2)
def _schema_version(name: str) -> str:
    return str(load_schema(name)["version"])


def error_object(exc: BaseException) -> dict[str, Any]:
    """The JSON error object :func:`localize_many` and ``neuromap localize --batch`` emit for a bad case.

    Parameters
    ----------
    exc : Exception
        The error.

    Returns
    -------
    dict
        ``{"error": {"type": ..., "field": ..., "message": ...}}``; ``field`` is None when
        the error names none. An error that is not a :class:`NeuromapError` is a bug in
        neuromap; its message says so.

    Examples
    --------
    >>> from neuromap.io import error_object
    >>> from neuromap.errors import InvalidCaseError
    >>> error_object(InvalidCaseError("side", "allowed values are 'left', 'right' and 'bilateral'"))["error"]["field"]
    'side'
    """
    message = " ".join(str(exc).split())
    if not isinstance(exc, NeuromapError):
        message = f"internal error ({type(exc).__name__}: {message}); please report it with the case"
    return {"error": {"type": type(exc).__name__, "field": getattr(exc, "field", None), "message": message}}


# worker state of localize_many (set per process by _init_worker, or per call when serial)
_WORKER: dict[str, Any] = {}


def _init_worker(atlas_dir: str | None, dermatome_map: str | None, limits: JsonLimits) -> None:
    import gc

    from neuromap.atlas import load_atlas

    _WORKER.update(atlas=load_atlas(atlas_dir), dermatome_map=dermatome_map, limits=limits)
    # the atlas, its indexes and the imported modules live as long as the worker: keep them out
    # of the cyclic collector's generations so that its collections stay short
    gc.freeze()


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
    import marshal

    return [marshal.dumps(_localize_one(c)) for c in cases]


def _localize_chunk_text(cases: Sequence[Any]) -> list[str]:
    """:func:`_localize_chunk` with each result as compact JSON text (for ``neuromap localize --batch``)."""
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
        import marshal

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


def localize_many(
    cases: Iterable[str | bytes | Mapping[str, Any]],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
    workers: int | None = None,
) -> list[dict[str, Any]]:
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

    Returns
    -------
    list of dict
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
    """
    items = list(cases)
    index, unique = _dedup(items)
    results = _localize_distinct(unique, atlas, dermatome_map, limits, workers, text=False)
    return [results[j] for j in index]


def _localize_many_text(cases: Iterable[Any], *, dermatome_map: str | None = None,
                        limits: JsonLimits | Limits | None = None, workers: int | None = None) -> list[str]:
    """:func:`localize_many` with each result as compact JSON text (``separators=(",", ":")``).

    For ``neuromap localize --batch``, which writes text: the text of a result is made once per
    distinct case (in the worker), so no result dict crosses a process boundary.
    """
    items = list(cases)
    index, unique = _dedup(items)
    texts = _localize_distinct(unique, None, dermatome_map, limits, workers, text=True)
    return [texts[j] for j in index]


def _localize_distinct(items: list[Any], atlas: Atlas | None, dermatome_map: str | None,
                       limits: JsonLimits | Limits | None, workers: int | None, *, text: bool) -> list[Any]:
    import gc

    from neuromap.atlas import load_atlas

    lim = _json_limits(limits)
    atlas = atlas if atlas is not None else load_atlas()
    n_workers = _default_workers() if workers is None else max(1, int(workers))
    if workers is None and len(items) < PARALLEL_MIN_CASES:
        n_workers = 1
    n_workers = min(n_workers, max(1, len(items)))
    atlas_dir = str(atlas.data.directory)
    reloadable = load_atlas(atlas_dir) is atlas
    if n_workers == 1 or not reloadable:
        saved = dict(_WORKER)
        try:
            _WORKER.update(atlas=atlas, dermatome_map=dermatome_map, limits=lim)
            return _localize_chunk_text(items) if text else _localize_chunk(items)
        finally:
            _WORKER.clear()
            _WORKER.update(saved)
    import marshal
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(256, len(items) // (n_workers * 8) or 1))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    out: list[Any] = []
    work: Callable[[Sequence[Any]], list[Any]] = _localize_chunk_text if text else _localize_chunk_packed
    # the parent only unpacks and collects: the growing list of results would make every
    # collection of the cyclic collector longer, and unpacking creates no cycles
    enabled = gc.isenabled()
    gc.disable()
    try:
        with ProcessPoolExecutor(n_workers, initializer=_init_worker,
                                 initargs=(atlas_dir, dermatome_map, lim)) as ex:
            for part in ex.map(work, chunks):
                out.extend(part if text else [marshal.loads(b) for b in part])
    finally:
        if enabled:
            gc.enable()
    return out


# ---------------------------------------------------------------------------------- vocabulary
def vocabulary(kind: str, *, atlas: Atlas | None = None) -> list[dict[str, Any]]:
    """The names a case may use for one kind of finding, with their aliases.

    Parameters
    ----------
    kind : {"regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps"}
        ``regions`` lists the skin regions and the groups of regions ("big toe", "heel");
        ``maps`` lists the dermatome layers.
    atlas : Atlas, optional
        Defaults to the bundled atlas.

    Returns
    -------
    list of dict
        One entry per entity, in data order: ``id``, ``kind``, ``label``, ``aliases`` and,
        depending on the kind, ``view`` (regions), ``regions`` (groups), ``kind_of_map`` and
        ``confidence`` (maps), ``red_flag``/``warning`` (signs).

    Raises
    ------
    UnknownNameError
        An unknown kind.

    Examples
    --------
    >>> from neuromap.io import vocabulary
    >>> hallux = next(e for e in vocabulary("regions") if e["id"] == "hallux")
    >>> hallux["kind"], "big toe" in [hallux["label"].lower(), *hallux["aliases"]]
    ('group', True)
    """
    from neuromap.atlas import load_atlas

    atlas = atlas if atlas is not None else load_atlas()
    if kind not in VOCABULARIES:
        raise UnknownNameError(str(kind), "vocabulary", suggest(str(kind), VOCABULARIES) or list(VOCABULARIES),
                               field="kind")
    if kind == "maps":
        out = []
        for m in atlas.dermatome_maps:
            info = atlas.dermatome_map_info(m)
            out.append({"id": m, "kind": "dermatome_map", "label": info.get("label", m), "aliases": [],
                        "kind_of_map": info.get("kind"), "confidence": info.get("confidence"),
                        "default": m == atlas.default_dermatome_map})
        return out
    kinds = {"regions": ("region", "group"), "nerves": ("nerve",), "movements": ("movement",),
             "muscles": ("muscle",), "reflexes": ("reflex",), "signs": ("sign",)}[kind]
    out = []
    for k in kinds:
        for ident in atlas.ids(k):
            attrs = atlas.resolve(ident, k).attrs
            entry: dict[str, Any] = {"id": ident, "kind": k, "label": str(attrs.get("label", ident)),
                                     "aliases": [str(a) for a in attrs.get("aliases", ())]}
            if k == "region":
                entry["view"] = attrs.get("view")
            elif k == "group":
                entry["regions"] = list(attrs.get("regions", ()))
            elif k == "sign":
                for extra in ("red_flag", "warning"):
                    if attrs.get(extra):
                        entry[extra] = attrs[extra]
            out.append(entry)
    return out


# ---------------------------------------------------------------------------------- export
def export_atlas(fmt: str, path: str | Path, *, atlas: Atlas | None = None) -> None:
    """Write the atlas in an exchange format.

    Parameters
    ----------
    fmt : {"geojson", "graphml", "node-link"}
        ``geojson``: the foot template, every view, both sides (each feature's properties
        carry ``side``, ``view`` and ``region`` or ``outline``); ``graphml``: the innervation
        graph (list attributes as JSON strings); ``node-link``: the graph as node-link JSON.
    path : str or Path
        The file to write.
    atlas : Atlas, optional
        Defaults to the bundled atlas.

    Raises
    ------
    UnknownNameError
        An unknown format.

    Examples
    --------
    >>> import json, tempfile, os
    >>> from neuromap.io import export_atlas
    >>> with tempfile.TemporaryDirectory() as d:
    ...     export_atlas("geojson", os.path.join(d, "foot.geojson"))
    ...     fc = json.load(open(os.path.join(d, "foot.geojson")))
    >>> sorted({f["properties"]["side"] for f in fc["features"]})
    ['left', 'right']
    """
    from neuromap.atlas import load_atlas

    key = str(fmt).lower().replace("_", "-").replace("nodelink", "node-link")
    if key not in EXPORT_FORMATS:
        raise UnknownNameError(str(fmt), "export format", suggest(key, EXPORT_FORMATS) or list(EXPORT_FORMATS),
                               field="format")
    atlas = atlas if atlas is not None else load_atlas()
    target = Path(path)
    if key == "graphml":
        atlas.write_graphml(target)
        return
    if key == "node-link":
        data: dict[str, Any] = atlas.to_node_link()
    else:
        data = _template_geojson(atlas)
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.write("\n")


def _template_geojson(atlas: Atlas) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    for side in ("right", "left"):
        fc = atlas.template.to_geojson(None, side=side)
        meta = {k: v for k, v in fc.get("neuromap", {}).items() if k != "template_side"}
        for feat in fc["features"]:
            features.append({**feat, "properties": {**feat["properties"], "side": side}})
    meta.update(sides=["right", "left"], atlas_version=atlas.version)
    return {"type": "FeatureCollection", "neuromap": meta, "features": features}


# ---------------------------------------------------------------------------------- docs
def schema_markdown() -> str:
    """Render both schemas as Markdown (the content of ``docs/schemas.md``).

    Returns
    -------
    str
        One section per schema with its ``$id`` and version, and a table of every field:
        path, type, limits and description.

    Examples
    --------
    >>> from neuromap.io import schema_markdown
    >>> "| `sensory[].regions` |" in schema_markdown()
    True
    """
    lines = ["# JSON schemas", "",
             "<!-- Generated by neuromap.io.schema_markdown(); do not edit by hand. -->", "",
             "neuromap reads cases and writes results as JSON. Both formats are JSON Schemas (draft 2020-12) "
             "shipped in `neuromap/schemas/` and loaded with `neuromap.io.load_schema(name)`. "
             "A field path `a[].b` means key `b` of every item of list `a`; `a.*` means any key of object `a`. "
             "Bounds marked *(limit: name)* follow `neuromap.io.JsonLimits` (here the defaults); "
             "exceeding one raises `LimitExceededError`.", ""]
    for name, fname in (("case", "case.schema.json"), ("localization", "localization.schema.json")):
        schema = load_schema(name)
        lines += [f"## {schema['title']} (`{fname}`)", "",
                  f"`$id`: `{schema['$id']}` — version {schema['version']}", "", schema["description"], "",
                  "| field | type | constraints | description |", "|---|---|---|---|"]
        rows: list[tuple[str, str, str, str]] = []
        _schema_rows(schema, schema, "", rows, set())
        for path, typ, cons, desc in rows:
            lines.append(f"| `{path}` | {typ} | {cons} | {desc.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def _schema_rows(root: Mapping[str, Any], schema: Mapping[str, Any], path: str,
                 rows: list[tuple[str, str, str, str]], seen: set[str]) -> None:
    v = _Validator(root, DEFAULT_LIMITS)
    props: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    children: list[tuple[str, Mapping[str, Any], bool]] = [(k, s, k in required) for k, s in props.items()]
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        children.append(("*", extra, False))
    for key, sub, req in children:
        ref = sub.get("$ref", "")
        full = f"{path}.{key}" if path else key
        s = v.resolve(sub)
        desc = sub.get("description") or s.get("description", "")
        rows.append((full, _type_text(v, s), _constraints(s, req), desc))
        if ref and ref in seen:
            continue
        _schema_children(root, v, s, full, rows, seen | ({ref} if ref else set()))


def _schema_children(root: Mapping[str, Any], v: _Validator, s: Mapping[str, Any], full: str,
                     rows: list[tuple[str, str, str, str]], seen: set[str]) -> None:
    if "properties" in s or isinstance(s.get("additionalProperties"), Mapping):
        _schema_rows(root, s, full, rows, seen)
    if "items" in s:
        item = v.resolve(s["items"])
        ref = s["items"].get("$ref", "")
        if "properties" in item or isinstance(item.get("additionalProperties"), Mapping):
            _schema_rows(root, item, full + "[]", rows, seen | ({ref} if ref else set()))
        elif "items" in item or "anyOf" in item:
            _schema_children(root, v, item, full + "[]", rows, seen)
    for alt in s.get("anyOf", ()):
        a = v.resolve(alt)
        if a.get("type") == "object":
            _schema_rows(root, a, full, rows, seen)


def _type_text(v: _Validator, s: Mapping[str, Any]) -> str:
    if "anyOf" in s:
        return " or ".join(_type_text(v, v.resolve(a)) for a in s["anyOf"])
    t = s.get("type", "any")
    types = (t,) if isinstance(t, str) else tuple(t)
    out = " or ".join(types)
    if "items" in s and types == ("array",):
        out = f"array of {_type_text(v, v.resolve(s['items']))}"
    return out


def _constraints(s: Mapping[str, Any], required: bool) -> str:
    parts = ["required"] if required else []
    limit = f" *(limit: {s['x-limit']})*" if "x-limit" in s else ""
    for key, word in (("minItems", "min items"), ("maxItems", "max items"), ("minLength", "min length"),
                      ("maxLength", "max length"), ("minimum", "min"), ("maximum", "max"),
                      ("minProperties", "min keys"), ("maxProperties", "max keys")):
        if key in s:
            parts.append(f"{word} {s[key]}{limit if key.startswith('max') and key != 'maximum' else ''}")
    if "enum" in s:
        parts.append("one of " + ", ".join(f"`{e}`" for e in s["enum"]))
    if "const" in s:
        parts.append(f"`{s['const']}`")
    if "oneOf" in s:
        keys = [r for alt in s["oneOf"] for r in alt.get("required", ())]
        parts.append("exactly one of " + ", ".join(f"`{k}`" for k in keys))
    if "examples" in s:
        parts.append("e.g. " + ", ".join(f"`{json.dumps(e)}`" for e in s["examples"][:5]))
    return "; ".join(parts)
