"""Checks of the values of a case's fields: types, lengths, keys and choices.

Each raises :class:`~neuromap.errors.InvalidCaseError` (or
:class:`~neuromap.errors.LimitExceededError`) naming the field, in the one message shape of
:mod:`neuromap.errors`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from neuromap.atlas import normalize_name
from neuromap.errors import QUOTE_LIMIT, InvalidCaseError, LimitExceededError, check_option, quote, suggest

__all__ = ["choice", "free_text", "got", "keys", "list_of", "name_text", "number", "string"]


def choice(value: Any, allowed: Sequence[str], field: str) -> str:
    return check_option(field, value, allowed, fold=normalize_name, error=InvalidCaseError)


def got(value: Any) -> str:
    """A value as a message names it: a JSON scalar as written, an object or a list by kind."""
    if value is None or isinstance(value, (str, int, float)):
        return json.dumps(value)[:60]
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def string(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidCaseError(field, f"expected a string, got {got(value)}")
    return value


def free_text(value: Any, field: str, max_length: int, *, limit: bool = False, empty: bool = True) -> str:
    """A string of at most *max_length* characters (longer: LimitExceededError if *limit*)."""
    text = string(value, field)
    if not empty and not text:
        raise InvalidCaseError(field, "the text is empty")
    if len(text) > max_length:
        raise (LimitExceededError if limit else InvalidCaseError)(
            field, f"the text is longer than {max_length} characters")
    return text


def name_text(value: Any, field: str, max_length: int) -> str:
    """A name: a non-empty string of at most *max_length* characters."""
    string(value, field)
    if not value.strip():
        raise InvalidCaseError(field, "the name is empty")
    if len(value) > max_length:
        raise LimitExceededError(field, f"the name is longer than {max_length} characters")
    return value


def list_of(value: Any, field: str, max_items: int | None = None) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InvalidCaseError(field, f"expected a list, got {got(value)}")
    if max_items is not None and len(value) > max_items:
        raise LimitExceededError(field, f"more than {max_items} items")
    return list(value)


def keys(d: Any, field: str, allowed: Sequence[str], required: Sequence[str] = ()) -> Mapping[str, Any]:
    if type(d) is not dict and not isinstance(d, Mapping):
        raise InvalidCaseError(field, f"expected an object, got {got(d)}")
    for k in d:
        if k not in allowed:
            where = f"{field}.{k}" if field != "case" else str(k)
            key = str(k)[:QUOTE_LIMIT]
            close = suggest(key, allowed) or suggest(key, allowed, n=len(allowed), cutoff=0.0)
            raise InvalidCaseError(
                where, f"unknown key {quote(str(k))}; allowed keys are {', '.join(map(repr, allowed))}", close[:3])
    for k in required:
        if k not in d:
            raise InvalidCaseError(f"{field}.{k}" if field != "case" else k, "this key is required")
    return d


def number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidCaseError(field, f"expected a number, got {got(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise InvalidCaseError(field, f"expected a finite number, got {value!r:.30}")
    return number
