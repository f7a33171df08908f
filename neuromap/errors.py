"""The exceptions neuromap raises.

Every error derives from :class:`NeuromapError` and also from the builtin exception it refines,
so ``except ValueError`` keeps working for callers who do not know neuromap. Messages are one line
and follow one shape: what was wrong, where (the field or the file and entry), and the closest
valid values.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

__all__ = [
    "AmbiguousNameError",
    "AtlasDataError",
    "InvalidArgumentError",
    "InvalidCaseError",
    "InvalidTypeError",
    "LimitExceededError",
    "MissingDependencyError",
    "NeuromapError",
    "UnknownNameError",
    "check_option",
    "quote",
    "suggest",
]

T = TypeVar("T")


class NeuromapError(Exception):
    """Base class of every error neuromap raises on purpose."""


class AtlasDataError(NeuromapError, ValueError):
    """A data file of the atlas is malformed or breaks an invariant.

    Parameters
    ----------
    file : str
        The data file (as named in the manifest, e.g. ``"nerves.json"``).
    entry : str
        The entry in that file (an id, or a JSON path such as ``"regions[3].view"``).
    problem : str
        What is wrong, in a short clause.
    """

    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        super().__init__(f"{file}: {entry}: {problem}")


class UnknownNameError(NeuromapError, KeyError):
    """A name does not resolve to anything in the atlas.

    Parameters
    ----------
    name : str
        The name that was looked up.
    kind : str or None
        The kind of entity that was expected (``"region"``, ``"nerve"``, ...), if any.
    suggestions : sequence of str
        The closest valid names, best first.
    field : str or None
        Where the name came from in a case (e.g. ``"sensory[0].regions[1]"``).
    reason : str or None
        A more specific explanation replacing the default "is not a ..." clause.
    """

    def __init__(
        self,
        name: str,
        kind: str | None = None,
        suggestions: Sequence[str] = (),
        *,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = tuple(suggestions)
        self.field = field
        where = f"Invalid value for {quote(field, FIELD_LIMIT)}: " if field else ""
        what = reason or _KIND_PHRASES.get(kind or "", f"is not a known {kind}" if kind else "is not a known name")
        hint = f" Did you mean {_or_list(self.suggestions)}?" if self.suggestions else ""
        self.message = f"{where}{quote(name)} {what}.{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class AmbiguousNameError(UnknownNameError):
    """A name reads as two or more different entities once it is normalised: none is picked.

    Parameters
    ----------
    name : str
        The name that was looked up.
    candidates : sequence of str
        The labels of the entities it could name.
    field : str or None
        Where the name came from in a case.
    """

    def __init__(self, name: str, candidates: Sequence[str], *, field: str | None = None) -> None:
        self.candidates = tuple(candidates)
        super().__init__(name, None, self.candidates, field=field,
                         reason="names more than one thing of the atlas; write the one you mean")


class InvalidArgumentError(NeuromapError, ValueError):
    """An argument of a neuromap function has a value it does not accept.

    Parameters
    ----------
    field : str
        The argument at fault (``"side"``), or a path into it (``"motor[1].grade"``).
    problem : str
        What is wrong with it.
    suggestions : sequence of str
        The closest valid values, best first.
    """

    def __init__(self, field: str, problem: str, suggestions: Sequence[str] = ()) -> None:
        self.field = field
        self.problem = problem
        self.suggestions = tuple(suggestions)
        hint = f" Did you mean {_or_list(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Invalid value for {quote(field, FIELD_LIMIT)}: {problem}.{hint}")


class InvalidTypeError(InvalidArgumentError, TypeError):
    """An argument of a neuromap function has a type it does not accept (also a :class:`TypeError`).

    Parameters
    ----------
    field : str
        The argument at fault (``"path"``).
    problem : str
        What is wrong with it (the type expected and the type given).
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)


class MissingDependencyError(NeuromapError, ImportError):
    """An optional package a feature needs is not installed (also an :class:`ImportError`).

    Parameters
    ----------
    package : str
        The package to install (``"pandas"``).
    feature : str
        What needs it (``"Localization.to_frame()"``).
    extra : str
        The extra of the distribution that installs it (``"pandas"``).
    """

    def __init__(self, package: str, feature: str, extra: str) -> None:
        self.package = package
        super().__init__(f"{feature} needs {package}, which is not installed: pip install {package} "
                         f"(or the '{extra}' extra of neuromap-atlas).")


class InvalidCaseError(InvalidArgumentError):
    """A case (the findings passed to :func:`neuromap.localize`) is invalid.

    Parameters
    ----------
    field : str
        The field at fault, as a path into the case (``"motor[1].grade"``).
    problem : str
        What is wrong with it.
    suggestions : sequence of str
        The closest valid values, best first.
    """


class LimitExceededError(InvalidCaseError):
    """An input is larger than a configured limit (size, count, depth or vertices)."""


_KIND_PHRASES = {
    "region": "is not a region of the lower limb surface",
    "region or group": "is not a region of the lower limb surface",
    "group": "is not a named area of the lower limb surface",
    "nerve": "is not a nerve of the atlas",
    "root": "is not a spinal root of the atlas (L1-S5)",
    "movement or muscle": "is not a movement or muscle of the atlas",
    "movement": "is not a movement of the atlas",
    "muscle": "is not a muscle of the atlas",
    "reflex": "is not a reflex of the atlas",
    "sign": "is not a sign neuromap knows",
}


def _or_list(items: Sequence[str]) -> str:
    quoted = [quote(i) for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]



#: How many characters of a value a message quotes (a message stays one short line whatever the input).
QUOTE_LIMIT = 80
#: ... and of a field (a path such as ``sensory[0].regions[1]``; a key a caller made up is cut too).
FIELD_LIMIT = 100


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """*text* quoted as a message shows it: its ``repr``, cut after *limit* characters.

    Examples
    --------
    >>> quote("heel")
    "'heel'"
    >>> quote("x" * 100, limit=5)
    "'xxxxx'... (100 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def allowed_text(allowed: Sequence[Any]) -> str:
    """The allowed values as a message says them: ``'a', 'b' and 'c'``.

    Examples
    --------
    >>> allowed_text(["left", "right", "bilateral"])
    "'left', 'right' and 'bilateral'"
    """
    quoted = [repr(a) for a in allowed]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def check_option(name: str, value: Any, allowed: Sequence[T], *, fold: Callable[[str], str] | None = None,
                 error: type[InvalidArgumentError] = InvalidArgumentError) -> T:
    """Return *value* if it is one of *allowed*, else raise *error* naming *name* and the allowed values.

    The one check behind every "allowed values are ..." message (MNE's ``_check_option``).

    Parameters
    ----------
    name : str
        The argument or field, as the message names it.
    value : object
        The value given.
    allowed : sequence
        The values accepted.
    fold : callable, optional
        For string values: a normalisation (such as case folding) under which a value matches
        an allowed string; the allowed value is returned.
    error : type, optional
        The :class:`InvalidArgumentError` subclass to raise (:class:`InvalidCaseError` for a
        field of a case).

    Returns
    -------
    object
        The allowed value matched.

    Raises
    ------
    InvalidArgumentError
        (or *error*) when *value* is not allowed, with the closest allowed strings as suggestions.

    Examples
    --------
    >>> check_option("side", "left", ("left", "right"))
    'left'
    >>> check_option("side", "middle", ("left", "right"))
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidArgumentError: Invalid value for 'side': allowed values are 'left' and 'right', but \
got 'middle'.
    """
    for a in allowed:
        if a == value and type(a) is type(value):
            return a
    if fold is not None and isinstance(value, str):
        folded = fold(value)
        for a in allowed:
            if isinstance(a, str) and fold(a) == folded:
                return a
    got = quote(value) if isinstance(value, str) else f"a {type(value).__name__}"
    close = suggest(value, [a for a in allowed if isinstance(a, str)]) if isinstance(value, str) else []
    raise error(name, f"allowed values are {allowed_text(allowed)}, but got {got}", close)


def suggest(name: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.5) -> list[str]:
    """Return up to *n* entries of *choices* closest to *name*, best first.

    Examples
    --------
    >>> suggest("hallx", ["hallux", "heel", "little toe"])
    ['hallux']
    """
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=cutoff)
