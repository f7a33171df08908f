"""Read a case's short ``history``: onset, back pain, bilateral symptoms and context events.

The context events are data (``data/priors.json``, ``history``): each names the lesions it makes
more likely (by kind, nerve -- at a site where the source names one -- or plexus) and by how
much, with its sources, and the names a case may give it: its id, its label and its aliases as
clinicians write them ("vaginal delivery", "THA", "crossed legs"), matched exactly after folding
(:func:`resolve_event`); nothing is guessed. Under
``prior="clinical"`` a candidate's base rate is multiplied by the factor of every event of the
case that raises it (:func:`neuromap.inference.terms.candidate_rate`). Onset, back pain and
bilateral symptoms are read and checked; the values that ``data/priors.json`` ties to lesions
(an event with a ``field`` and a ``value``: back pain raises the root lesions and the cauda
equina, symptoms in both legs the polyneuropathy and the cauda equina, symptoms since
childhood the polyneuropathy) become events of the case like the named ones.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import AtlasDataError, InvalidCaseError, check_option, quote, suggest
from neuromap.inference.case import NotUnderstood

__all__ = ["ONSETS", "event_names", "parse_history", "resolve_event"]

#: The values of ``history.onset``.
ONSETS = ("sudden", "days", "weeks", "months", "years", "since_childhood")
_KEYS = ("onset", "back_pain", "bilateral_symptoms", "events")
_ARTICLES = ("a ", "an ")


def _fold(text: str) -> str:
    """An event name folded for lookup: :func:`~neuromap.atlas.normalize_name`, without a leading 'a' or 'an'."""
    folded = normalize_name(text)
    for article in _ARTICLES:
        if folded.startswith(article):
            return folded[len(article):]
    return folded


@functools.lru_cache(maxsize=8)
def event_names(atlas: Atlas) -> dict[str, str]:
    """The names a case may give a context event, folded, each with the id of its one event.

    The names of an event are its id, its label and its aliases (``data/priors.json``,
    ``history``); the events read from a field (back pain, bilateral symptoms, onset) have none.

    Raises
    ------
    AtlasDataError
        When one name would stand for two events.

    Examples
    --------
    >>> import neuromap
    >>> names = event_names(neuromap.load_atlas())
    >>> names["squatting"], names["diabetes mellitus"]
    ('prolonged_kneeling', 'diabetes')
    """
    names: dict[str, str] = {}
    for i, event in enumerate(atlas.data.priors["history"]):
        if "field" in event:
            continue
        for name in (event["id"], event["label"], *event.get("aliases", ())):
            folded = _fold(name)
            if names.setdefault(folded, event["id"]) != event["id"]:
                raise AtlasDataError("priors.json", f"history[{i}] ({event['id']})",
                                     f"the name {name!r} is already a name of {names[folded]!r}")
    return names


def resolve_event(text: str, atlas: Atlas, *, field: str = "history.events") -> str:
    """The id of the context event *text* names: by its id, label or an alias, folded, exactly.

    Case, punctuation, hyphens and underscores, British 'ae' and a leading article are ignored;
    nothing is guessed: a name that is none of an event's names is refused with the closest.

    Raises
    ------
    InvalidCaseError
        When *text* names no event, with the closest event names as suggestions.

    Examples
    --------
    >>> import neuromap
    >>> resolve_event("Prolonged-kneeling", neuromap.load_atlas())
    'prolonged_kneeling'
    >>> resolve_event("fell off a ladder", neuromap.load_atlas())
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'history.events': 'fell off a ladder' is not a history \
event the priors know (they know an event by its id, label or alias, data/priors.json).
    """
    names = event_names(atlas)
    event = names.get(_fold(text))
    if event is not None:
        return event
    written: dict[str, tuple[str, str]] = {}   # folded -> (the name as written, its event)
    for e in atlas.data.priors["history"]:
        if "field" not in e:
            for name in (e["id"].replace("_", " "), *e.get("aliases", ())):
                written.setdefault(_fold(name), (name, e["id"]))
    close: dict[str, str] = {}   # the closest name of each event, best first
    for folded in suggest(_fold(text), written, n=6):
        close.setdefault(written[folded][1], written[folded][0])
    raise InvalidCaseError(field, f"{quote(text)} is not a history event the priors know (they know an event "
                           "by its id, label or alias, data/priors.json)", tuple(close.values())[:3])


def parse_history(case: Mapping[str, Any], atlas: Atlas, *,
                  strict: bool = False) -> tuple[dict[str, Any], tuple[NotUnderstood, ...]]:
    """The checked ``history`` of a case (empty when it has none), and the events not understood.

    An event the atlas does not know is set aside (not understood: it raises no base rate), so
    that one unknown word never refuses the case; with *strict* it is refused.

    Examples
    --------
    >>> import neuromap
    >>> history, unread = parse_history({"side": "left", "history": {"onset": "weeks",
    ...                                  "events": ["Diabetes", "fell off a ladder"]}}, neuromap.load_atlas())
    >>> history
    {'onset': 'weeks', 'events': ('diabetes',)}
    >>> unread[0].field, unread[0].text
    ('history.events[1]', 'fell off a ladder')
    """
    history = case.get("history")
    if history is None:
        return {}, ()
    if not isinstance(history, Mapping):
        raise InvalidCaseError("history", f"expected an object, got a {type(history).__name__}")
    for key in history:
        check_option("history", key, _KEYS, error=InvalidCaseError)
    out: dict[str, Any] = {}
    unread: list[NotUnderstood] = []
    if "onset" in history:
        out["onset"] = check_option("history.onset", history["onset"], ONSETS, fold=normalize_name,
                                    error=InvalidCaseError)
    for key in ("back_pain", "bilateral_symptoms"):
        if key in history:
            if not isinstance(history[key], bool):
                raise InvalidCaseError(f"history.{key}", f"expected true or false, got {history[key]!r}")
            out[key] = history[key]
    named: tuple[str, ...] = ()
    if "events" in history:
        events = history["events"]
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            raise InvalidCaseError("history.events", "expected a list of event names")
        found = []
        for i, e in enumerate(events):
            try:
                found.append(resolve_event(e, atlas, field=f"history.events[{i}]"))
            except InvalidCaseError as exc:
                if strict:
                    raise
                unread.append(NotUnderstood(exc.field, e, "not a history event the priors know (it raises no "
                                            "base rate)", exc.suggestions))
        named = tuple(found)
    read = tuple(e["id"] for e in atlas.data.priors["history"]
                 if "field" in e and e["field"] in out and out[e["field"]] == e["value"])
    if named or read:
        out["events"] = tuple(dict.fromkeys((*named, *read)))
    return out, tuple(unread)
