"""Read a case's short ``history``: onset, back pain, bilateral symptoms and context events.

The context events are data (``data/priors.json``, ``history``): each names the lesions it makes
more likely (by kind, nerve or plexus) and by how much, with its sources. Under
``prior="clinical"`` a candidate's base rate is multiplied by the factor of every event of the
case that raises it (:func:`neuromap.inference.terms.candidate_rate`). Onset, back pain and
bilateral symptoms are read and checked; the values that ``data/priors.json`` ties to lesions
(an event with a ``field`` and a ``value``: back pain raises the root lesions and the cauda
equina, symptoms in both legs the polyneuropathy and the cauda equina, symptoms since
childhood the polyneuropathy) become events of the case like the named ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import InvalidCaseError, check_option
from neuromap.inference.case import NotUnderstood

__all__ = ["ONSETS", "parse_history"]

#: The values of ``history.onset``.
ONSETS = ("sudden", "days", "weeks", "months", "years", "since_childhood")
_KEYS = ("onset", "back_pain", "bilateral_symptoms", "events")


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
        known = tuple(e["id"] for e in atlas.data.priors["history"] if "field" not in e)
        found = []
        for i, e in enumerate(events):
            try:
                found.append(check_option(f"history.events[{i}]", e.replace(" ", "_"), known, fold=normalize_name,
                                          error=InvalidCaseError))
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
