"""Fast constructors for the frozen dataclasses built in bulk on every call (findings, evaluations, hypotheses).

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, about 0.25 us
a field; these build the same object (the same ``__dict__``, in field order) in one step. The
class, its equality, hash, repr, pickling and immutability are unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["maker"]


def maker(cls: type[T]) -> Callable[..., T]:
    """A function taking every field of the frozen dataclass *cls* positionally, in order.

    Examples
    --------
    >>> from neuromap.inference.case import Finding
    >>> make = maker(Finding)
    >>> args = ("motor[0]", "movement", "hip_abduction", "left", True, "weakness", 0.7, "hip abduction", 1.0)
    >>> make(*args) == Finding(*args)
    True
    """
    params = dataclasses.fields(cls)  # type: ignore[arg-type]
    if any(not f.init or f.name.startswith("_") for f in params) or "__post_init__" in vars(cls):
        raise TypeError(f"{cls.__name__} needs its own __init__")  # pragma: no cover - guard
    names = [f.name for f in params]
    src = (f"def make({', '.join(names)}):\n"
           "    obj = _new(_cls)\n"
           f"    _set(obj, '__dict__', {{{', '.join(f'{n!r}: {n}' for n in names)}}})\n"
           "    return obj\n")
    scope: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    exec(src, scope)  # noqa: S102 - generated from the dataclass's own field names, like dataclasses does
    fn: Callable[..., T] = scope["make"]
    fn.__qualname__ = f"maker({cls.__name__})"
    return fn
