"""Cases as JSON: read untrusted JSON text with limits, check a case, localize it.

JSON text is parsed once, by :func:`json.loads`, with hooks that enforce :class:`JsonLimits`
(duplicate keys, number literals too long, NaN and Infinity); a walk of the parsed value then
checks its nesting depth and its numbers. The case itself is checked by
:func:`neuromap.inference.case.parse_case`, the one validator of a case whatever its source;
the published contract, ``neuromap/schemas/case.schema.json``, is tested against it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from neuromap._version import __version__
from neuromap.errors import InvalidCaseError, LimitExceededError, NeuromapError, UnknownNameError, suggest
from neuromap.inference.case import DEFAULT_LIMITS, Limits, parse_case

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = [
    "DEFAULT_JSON_LIMITS",
    "JsonLimits",
    "check_case",
    "error_object",
    "load_case",
    "load_schema",
    "localize_json",
    "parse_json",
    "read_case",
]


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

    @classmethod
    def resolve(cls, limits: JsonLimits | Limits | None) -> JsonLimits:
        """The limits a ``limits`` argument of :mod:`neuromap.io` stands for.

        Parameters
        ----------
        limits : JsonLimits, Limits or None
            None for :data:`DEFAULT_JSON_LIMITS`; a :class:`~neuromap.inference.Limits` for the
            default JSON limits with those case limits.

        Returns
        -------
        JsonLimits

        Raises
        ------
        TypeError
            *limits* is of another type.

        Examples
        --------
        >>> from neuromap.io import JsonLimits
        >>> from neuromap.inference import Limits
        >>> JsonLimits.resolve(Limits(max_findings=5)).max_depth
        32
        """
        if limits is None:
            return DEFAULT_JSON_LIMITS
        if isinstance(limits, Limits):
            return cls(case=limits)
        if isinstance(limits, JsonLimits):
            return limits
        raise TypeError(f"limits must be a JsonLimits or Limits, got a {type(limits).__name__}")


DEFAULT_JSON_LIMITS = JsonLimits()


# ---------------------------------------------------------------------------------- schemas
_SCHEMAS = ("case", "localization", "ranking")


@lru_cache(maxsize=4)
def _schema_text(name: str) -> str:
    from importlib.resources import files

    return files("neuromap").joinpath("schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """Return a JSON Schema shipped with neuromap (a fresh copy).

    Parameters
    ----------
    name : {"case", "localization", "ranking"}
        ``"case"`` for the input, ``"localization"`` for the output, ``"ranking"`` for the
        ranking-only output of batches (``localize_many(..., explain=False)``).

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
    '1.3'
    """
    if name not in _SCHEMAS:
        raise UnknownNameError(str(name), "schema", suggest(str(name), _SCHEMAS) or list(_SCHEMAS), field="schema")
    result: dict[str, Any] = json.loads(_schema_text(name))
    return result


@lru_cache(maxsize=2)
def _schema_version(name: str) -> str:
    return str(load_schema(name)["version"])


# ---------------------------------------------------------------------------------- parsing
class _DupDict(dict[str, Any]):
    """A JSON object that had a duplicate key (reported with its path by :func:`_check_tree`)."""

    duplicate: str = ""


#: How many repeated keys and bad numbers the parser's hooks have marked, ever, in this process:
#: a parse that leaves it unchanged marked nothing. Only compared, never reset; another thread's
#: marks can only make a parse look marked (and check its tree), never the other way round.
_MARKED = [0]


class _BadNumber:
    """A number literal that was rejected while parsing (reported with its path by :func:`_check_tree`)."""

    __slots__ = ("problem", "text")

    def __init__(self, text: str, problem: str) -> None:
        self.text = text
        self.problem = problem
        _MARKED[0] += 1


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    _MARKED[0] += 1
    seen: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            dup = _DupDict(out)
            dup.duplicate = k
            return dup
        seen.add(k)
    return out  # pragma: no cover - a shorter dict has a repeated key


def _constant(s: str) -> _BadNumber:
    return _BadNumber(s, f"{s} is not a finite number (JSON has no {s})")


def _decode(data: str | bytes | bytearray | memoryview, lim: JsonLimits) -> str:
    """The text of *data*, within the byte limit, without a byte-order mark."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > lim.max_bytes:
            raise LimitExceededError("case", f"the input is {len(raw)} bytes, more than the limit of {lim.max_bytes}")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidCaseError("case", f"the input is not valid UTF-8 (byte {exc.start} is "
                                   f"0x{raw[exc.start]:02x})") from None
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        if len(text) > lim.max_bytes or len(text.encode("utf-8", "surrogatepass")) > lim.max_bytes:
            size = len(text.encode("utf-8", "surrogatepass"))
            raise LimitExceededError("case", f"the input is {size} bytes, more than the limit of {lim.max_bytes}")
        return text
    raise InvalidCaseError("case", f"expected JSON text (str or bytes), got a {type(data).__name__}")


def _depth(value: Any) -> int:
    """Nesting depth of the arrays and objects of a parsed JSON value (an iterative walk)."""
    containers = (dict, list, _DupDict)
    deepest = 0
    stack = [(value, 1)] if type(value) in containers else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if type(node) is not list else node
        stack.extend((c, depth + 1) for c in children if type(c) in containers)
    return deepest


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
        The parsed value, within the limits (depth, numbers, no duplicate keys); the case
        itself is not checked (see :func:`check_case`).

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
    text = _decode(data, lim)
    if not text.strip():
        raise InvalidCaseError("case", "the input is empty; expected a JSON object such as "
                               '{"side": "left", "sensory": [...]}')
    parse_int, parse_float = _number_hooks(lim.max_number_length, lim.max_abs_number)
    marks = _MARKED[0]
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_int=parse_int, parse_float=parse_float,
                           parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InvalidCaseError("case", f"the input is not valid JSON: {exc.msg} (line {exc.lineno}, "
                               f"column {exc.colno})") from None
    except RecursionError:  # nested deeper than the parser goes, far beyond any depth limit
        raise LimitExceededError("case", f"the JSON is nested more than {lim.max_depth} levels deep") from None
    if _MARKED[0] == marks and text.count("{") + text.count("[") <= lim.max_depth:
        # JSON text gives string keys and JSON scalars only; the hooks marked no repeated key and
        # no bad number, and there are too few brackets to nest deeper than the limit: the tree
        # check below could find nothing
        return value
    try:
        _check_tree(value, lim)
    except LimitExceededError:
        depth = _depth(value)
        if depth > lim.max_depth:  # said of the whole text, as deep as it goes
            raise LimitExceededError("case", f"the JSON is nested {depth} levels deep, more than the limit of "
                                     f"{lim.max_depth}") from None
        raise
    return value


@lru_cache(maxsize=8)
def _number_hooks(max_length: int, max_abs: float) -> tuple[Callable[[str], Any], Callable[[str], Any]]:
    """The ``parse_int`` and ``parse_float`` of :func:`json.loads` that mark a bad number literal.

    Marked: a literal longer than *max_length*, and a number not finite or larger than *max_abs*.
    """
    def number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
        def parse(s: str) -> Any:
            if len(s) > max_length:
                return _BadNumber(s, f"the number has {len(s)} characters, more than the limit of {max_length}")
            v = kind(s)
            if not -max_abs <= v <= max_abs:  # also inf (a float literal too large to represent)
                return _BadNumber(s, f"expected a finite number, got {v!r}" if v != v or v in (math.inf, -math.inf)
                                  else f"the number {v!r:.30} is larger than the limit of {max_abs:g}")
            return v
        return parse
    return number(int), number(float)


#: where a value sits in a case: None for the case, else (where its parent sits, its key or index)
_Where = Any


def _path(where: _Where) -> str:
    """The field name of a place in a case: ``sensory[0].regions[1]``."""
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    path = "case"
    for key in reversed(keys):
        path = f"{path}[{key}]" if isinstance(key, int) else (key if path == "case" else f"{path}.{key}")
    return path


def _check_tree(value: Any, lim: JsonLimits) -> None:
    """Check a JSON-like tree: JSON types only, string keys, depth, finite bounded numbers, no duplicate keys."""
    stack: list[tuple[Any, _Where, int]] = [(value, None, 1)]
    m = lim.max_abs_number
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, Mapping):
            items: Iterable[tuple[str | int, Any]] = node.items()
            if isinstance(node, _DupDict):
                raise InvalidCaseError(_path((where, node.duplicate)),
                                       f"the key {node.duplicate!r} appears twice in one JSON object")
        elif isinstance(node, (list, tuple)):
            items = enumerate(node)
        else:
            _check_scalar(node, _path(where), lim)
            continue
        if depth > lim.max_depth:
            raise LimitExceededError(_path(where), f"nested more than {lim.max_depth} levels deep")
        is_map = isinstance(node, Mapping)
        for k, v in items:
            if is_map and type(k) is not str:
                raise InvalidCaseError(_path(where), f"object keys must be strings, got a {type(k).__name__} "
                                       f"({k!r:.40})")
            t = type(v)
            if t is str or t is bool or v is None:
                continue
            if t is float and math.isfinite(v) and -m <= v <= m or t is int and -m <= v <= m:
                continue
            if isinstance(v, (Mapping, list, tuple)):
                stack.append((v, (where, k), depth + 1))
            else:
                _check_scalar(v, _path((where, k)), lim)


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


def _read(case: Any, lim: JsonLimits) -> Mapping[str, Any]:
    """A case given as JSON text or as a mapping, within the JSON limits (not yet checked as a case)."""
    if isinstance(case, (str, bytes, bytearray, memoryview)):
        value: Mapping[str, Any] = parse_json(case, limits=lim)
        return value
    if isinstance(case, Mapping):
        _check_tree(case, lim)
        return case
    raise InvalidCaseError("case", f"expected JSON text or an object, got a {type(case).__name__}")


# ---------------------------------------------------------------------------------- checking
def check_case(case: Any, *, atlas: Atlas | None = None, limits: JsonLimits | Limits | None = None,
               strict: bool = False) -> None:
    """Check a parsed case (dict): the JSON limits, then everything :func:`neuromap.localize` checks.

    The tree must hold only JSON types within the limits (nesting depth, finite numbers of
    bounded size, string keys); the case is then checked by
    :func:`neuromap.inference.case.parse_case`: types, required and unknown keys, list sizes,
    and every name against the atlas.

    Parameters
    ----------
    case : dict
        The case.
    atlas : Atlas, optional
        The atlas whose names the case uses; defaults to the bundled one.
    limits : JsonLimits or Limits, optional
        Limits; :data:`DEFAULT_JSON_LIMITS` by default.
    strict : bool, default False
        Also refuse a finding whose name or grade cannot be read (by default
        :func:`neuromap.localize` sets it aside as not understood).

    Raises
    ------
    InvalidCaseError, LimitExceededError
        The first problem found, naming the field.
    UnknownNameError
        If *strict*: a name the atlas does not know.

    Examples
    --------
    >>> from neuromap.io import check_case
    >>> check_case({"side": "left", "sensory": [{"regions": ["heel"]}]})
    >>> check_case({"side": "left", "sensroy": []})
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'sensroy': unknown key 'sensroy'; allowed keys are 'side', \
'sensory', 'motor', 'reflexes', 'other', 'dermatome_map', 'id', 'notes', 'history', 'electrodiagnosis'. \
Did you mean 'sensory'?
    """
    from neuromap.atlas import load_atlas

    lim = JsonLimits.resolve(limits)
    _check_tree(case, lim)
    parse_case(case, atlas if atlas is not None else load_atlas(), limits=lim.case, strict=strict)


def load_case(case: str | bytes | bytearray | Mapping[str, Any], *, atlas: Atlas | None = None,
              limits: JsonLimits | Limits | None = None, strict: bool = False) -> Mapping[str, Any]:
    """Read a case from JSON text (or take a dict) and check it, without localizing it.

    Parameters
    ----------
    case : str, bytes or dict
        The case as JSON text (UTF-8 bytes) or an already parsed dict.
    atlas : Atlas, optional
        The atlas whose names the case uses; defaults to the bundled one.
    limits : JsonLimits or Limits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.
    strict : bool, default False
        Also refuse a finding whose name or grade cannot be read.

    Returns
    -------
    dict
        The case, ready for :func:`neuromap.localize`.

    Raises
    ------
    InvalidCaseError, LimitExceededError, UnknownNameError
        As :func:`parse_json` and :func:`check_case`.

    Examples
    --------
    >>> from neuromap.io import load_case
    >>> load_case(b'{"side": "left", "other": ["clonus"]}')["other"]
    ['clonus']
    """
    from neuromap.atlas import load_atlas

    lim = JsonLimits.resolve(limits)
    value = _read(case, lim)
    parse_case(value, atlas if atlas is not None else load_atlas(), limits=lim.case, strict=strict)
    return value


# ---------------------------------------------------------------------------------- localize
def localize_json(
    case: str | bytes | bytearray | Mapping[str, Any],
    *,
    atlas: Atlas | None = None,
    dermatome_map: str | None = None,
    limits: JsonLimits | Limits | None = None,
    strict: bool = False,
    prior: str = "clinical",
) -> dict[str, Any]:
    """Localize a case given as JSON text or a dict; return the JSON-safe result.

    Parameters
    ----------
    case : str, bytes or dict
        The case (see ``docs/schemas.md`` for the format), as JSON text (UTF-8 bytes) or as
        an already parsed dict. Text is parsed with :func:`parse_json`. A case may also be
        free text, ``{"text": "R leg: 4/5 EHL, absent AJ", "side": "right"}`` (``side``
        optional when the text names one), read by :func:`neuromap.case_from_text`.
    atlas : Atlas, optional
        Defaults to the bundled atlas.
    dermatome_map : str, optional
        The dermatome layer; overrides nothing the case sets itself (``dermatome_map`` key).
    limits : JsonLimits or Limits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.
    strict : bool, default False
        Refuse a case with a finding that cannot be read, instead of listing it in the
        result's ``not_understood``.
    prior : {"clinical", "uniform"}, optional
        The base rates (see :func:`neuromap.localize`): cited ones by default, none with
        ``"uniform"``.

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
        With *strict*: a name the atlas does not know.
    LimitExceededError
        Input too large or too deep, too many findings, regions, vertices or points.
    InvalidArgumentError
        An unknown ``prior``.

    Examples
    --------
    >>> from neuromap.io import localize_json
    >>> out = localize_json({"side": "left", "motor": [{"name": "great toe extension", "grade": 4},
    ...                                                 {"name": "hip abduction", "grade": 4}]})
    >>> out["hypotheses"][0]["id"]
    'L5'
    >>> localize_json({"side": "left", "sensory": [{"regions": ["heel", "frist web space"]}]})["not_understood"]
    []
    >>> localize_json({"side": "left", "sensory": [{"regions": ["heel", "webby bit"]}]}, strict=True)
    Traceback (most recent call last):
    ...
    neuromap.errors.UnknownNameError: Invalid value for 'sensory[0].regions[1]': 'webby bit' is not a region of the \
lower limb surface.
    """
    from neuromap.inference.localize import localize

    lim = JsonLimits.resolve(limits)
    value = read_case(case, atlas=atlas, limits=lim)
    return result_dict(localize(value, atlas=atlas, dermatome_map=dermatome_map, limits=lim.case, strict=strict,
                                prior=prior))


def result_dict(result: Any) -> dict[str, Any]:
    """The JSON output of a :class:`~neuromap.inference.Localization` or a ranking-only result."""
    out: dict[str, Any] = result.to_dict()
    out.setdefault("schema_version", _schema_version("localization"))
    out.setdefault("neuromap_version", __version__)
    return out


def read_case(case: str | bytes | bytearray | Mapping[str, Any], *, atlas: Atlas | None = None,
              limits: JsonLimits | Limits | None = None) -> Any:
    """Read a case as :func:`localize_json` does, ready for :func:`neuromap.localize`.

    JSON text is parsed with :func:`parse_json`; a dict is checked against the JSON limits; a
    text case (``{"text": ...}``) is read by :func:`neuromap.case_from_text`. The findings
    themselves are checked when the case is localized. Use it to localize a case the way
    :func:`localize_json` reads it while keeping the :class:`~neuromap.inference.Localization`
    (to draw it, say).

    Parameters
    ----------
    case : str, bytes or dict
        The case as :func:`localize_json` takes it.
    atlas : Atlas, optional
        The atlas a text case is read with; defaults to the bundled one.
    limits : JsonLimits or Limits, optional
        Size limits; :data:`DEFAULT_JSON_LIMITS` by default.

    Returns
    -------
    dict or TextCase
        What :func:`neuromap.localize` takes.

    Raises
    ------
    InvalidCaseError, LimitExceededError
        As :func:`parse_json`; a text case with another key than ``text``, ``side``, ``id``
        and ``dermatome_map``.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.io import read_case
    >>> case = read_case(b'{"text": "left foot: absent ankle jerk"}')
    >>> neuromap.localize(case).top.id
    'S1'
    """
    lim = JsonLimits.resolve(limits)
    value: Any = _read(case, lim)
    if isinstance(value, Mapping) and "text" in value:
        value = _text_case(value, atlas)
    return value


_TEXT_KEYS = ("text", "side", "id", "dermatome_map")


def _text_case(value: Mapping[str, Any], atlas: Atlas | None) -> Any:
    """A ``{"text": ...}`` case, read by :func:`neuromap.case_from_text`."""
    from neuromap.inference.text import TextCase, case_from_text

    for key in value:
        if key not in _TEXT_KEYS:
            raise InvalidCaseError(str(key)[:80], f"a text case takes the keys {', '.join(map(repr, _TEXT_KEYS))}")
    side = value.get("side")
    if side is not None and not isinstance(side, str):
        raise InvalidCaseError("side", f"expected a string, got a {type(side).__name__}")
    read = case_from_text(value["text"], side=side, atlas=atlas)
    extra = {k: value[k] for k in ("id", "dermatome_map") if k in value}
    return TextCase({**read.case, **extra}, read.unread, read.spans)


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
