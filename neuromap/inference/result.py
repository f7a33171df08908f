"""The result of :func:`neuromap.localize`."""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from neuromap._version import __version__
from neuromap.atlas import Territory, plain_data
from neuromap.errors import MissingDependencyError
from neuromap.inference.case import Finding, NotUnderstood

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.plotting import CaseDisplay

_T = TypeVar("_T")

__all__ = ["OUTPUT_SCHEMA_VERSION", "Hypothesis", "Localization", "RankedHypothesis"]

#: Version of the output format (the JSON schema in ``neuromap/schemas``).
OUTPUT_SCHEMA_VERSION = "1.5"

DISCLAIMER = ("neuromap is decision support for education and research, not a diagnosis. Scores rank "
              "hypotheses; they are not clinical probabilities.")


@dataclass(frozen=True)
class RankedHypothesis:
    """One ranked lesion site, without its reasons.

    What a ranking-only result lists, and the first fields of every :class:`Hypothesis`.

    Attributes
    ----------
    kind, id, label : str
        As in :class:`~neuromap.inference.result.Hypothesis`.
    levels : tuple of str
        Spinal levels (root kinds and the cauda equina).
    nerve, site, site_label : str or None
        The nerve, and its lesion site when the findings decide it.
    candidate_sites : tuple of str
        The sites the findings cannot tell apart, when ``site`` is None.
    side : str
        ``left``, ``right`` or ``bilateral``.
    score : float
        In [0, 1], rounded to 4 decimals as in the full result.
    """

    kind: str
    id: str
    label: str
    levels: tuple[str, ...]
    nerve: str | None
    site: str | None
    site_label: str | None
    candidate_sites: tuple[str, ...]
    side: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the hypothesis."""
        return {"kind": self.kind, "id": self.id, "label": self.label, "levels": list(self.levels),
                "nerve": self.nerve, "site": self.site, "site_label": self.site_label,
                "candidate_sites": list(self.candidate_sites), "side": self.side, "score": self.score}


@dataclass(frozen=True)
class Hypothesis(RankedHypothesis):
    """One candidate lesion site, ranked, with the reasons for and against it.

    Attributes
    ----------
    kind : str
        ``root``, ``roots`` (contiguous levels), ``nerve``, ``plexus``, ``cauda_equina`` or
        ``polyneuropathy``.
    id : str
        ``"L5"``, ``"L5-S1"``, a nerve or plexus id, ``"cauda_equina"`` or ``"polyneuropathy"``.
    label : str
        A readable name.
    levels : tuple of str
        Spinal levels for root kinds and the cauda equina; empty otherwise.
    nerve : str or None
        The nerve id for nerve kinds.
    site : str or None
        The lesion site along the nerve when the findings decide it (e.g. ``"fibular_head"``).
    candidate_sites : tuple of str
        The sites the findings cannot tell apart, when ``site`` is None.
    side : str
        ``left``, ``right`` or ``bilateral``.
    score : float
        In [0, 1]; ranks hypotheses, not a probability.
    explains, unexplained, contradicts : tuple of dict
        Findings the hypothesis explains, leaves unexplained, or predicts abnormal although they
        were examined normal, each with the reason.
    paths : tuple of dict
        The atlas path behind each explained finding: its ``finding``, ``target`` and ``path``
        (a tuple of node ids, from the lesion site down to the target).
    sources : tuple of str
        Source keys (see ``data/sources.json``).
    prior : dict or None
        How much of the score is prior: the base rate of the candidate's kind and site
        (``rate``, in ``unit``, with its ``sources``, a tuple), the part of the fit that is the prior term
        (``fit_term``, 0 with ``prior="uniform"`` or for the commonest lesion) and the score the
        hypothesis would have without it (``score_without_prior``).
    territory : Territory or None
        What a lesion at this site is expected to involve (regions, muscles, movements,
        reflexes, each weighted in [0, 1]): what figures draw for it. Not part of the JSON
        output.
    """

    explains: tuple[Mapping[str, Any], ...]
    unexplained: tuple[Mapping[str, Any], ...]
    contradicts: tuple[Mapping[str, Any], ...]
    paths: tuple[Mapping[str, Any], ...]
    sources: tuple[str, ...]
    prior: Mapping[str, Any] | None = field(default=None, repr=False)
    territory: Territory | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the hypothesis."""
        return {
            **RankedHypothesis.to_dict(self),
            "explains": list(map(dict, self.explains)), "unexplained": list(map(dict, self.unexplained)),
            "contradicts": list(map(dict, self.contradicts)),
            "paths": [{**p, "path": list(p["path"])} for p in self.paths], "sources": list(self.sources),
            "prior": {**self.prior, "sources": list(self.prior["sources"])} if self.prior is not None else None,
        }


@dataclass(frozen=True)
class Localization:
    """Ranked lesion sites for a case, red flags first.

    Use :meth:`to_dict` for JSON, :meth:`plot` for a figure; in Jupyter it shows as a table.
    A result pickles and deep-copies (its hypotheses are assembled first), so it can travel
    through multiprocessing queues and caches.

    Attributes
    ----------
    hypotheses : tuple of Hypothesis
        Best first, by score (assembled on first access); :attr:`best_of_kind` names the best
        root, nerve, plexus, cauda equina and polyneuropathy hypotheses, wherever they rank.
    red_flags : tuple of dict
        Urgent warnings (cauda equina), to be read before anything else.
    warnings : tuple of str
        Everything else the reader should know: upper motor neuron signs, leaders that the
        findings cannot separate, a sensory picture with no anatomical pattern, drawings partly
        off the foot, a low-confidence dermatome layer.
    pattern : dict
        The read of the sensory findings: ``kind`` is dermatomal, single_nerve,
        dermatomal_or_single_nerve, stocking, none or no_sensory.
    separable : bool
        Whether the findings separate the top hypothesis from the next ones.
    next_examination : tuple of dict
        The untested movements, reflexes or regions that would best separate the leaders.
    next_studies : tuple of dict
        The electrodiagnostic studies (SNAPs, needle EMG of muscles and paraspinal levels, the H
        reflex, motor studies) that would best separate the leaders, or confirm the top hypothesis
        against the next, each with what every leader predicts and why; never one already reported
        (:func:`neuromap.inference.plan.next_studies`).
    findings : tuple of Finding
        Every finding as read from the case.
    not_scored : tuple of Finding
        The findings that do not enter the scores (upper motor neuron signs), and
        ``not_scored_reasons`` why, in the same order; every other finding is scored.
    atlas_version : str
        The version of the atlas the result was computed from.
    atlas_status : str
        Where that atlas comes from: ``bundled``, ``custom`` (a user atlas) or ``modified`` (a
        data file changed since its manifest was written); see :attr:`neuromap.atlas.Atlas.status`.
    not_understood : tuple of NotUnderstood
        The findings of the case that could not be read (an unknown name or grade), each with
        its field, text, reason and the closest names; the ranking ignores them and a warning
        says so, but the red-flag screen read their words.
    prior : str
        The base rates the ranking weighed: ``clinical`` (the cited ones) or ``uniform`` (none).
    """

    case_side: str
    #: ``explain()`` assembles the ranked hypotheses (called once, by :attr:`hypotheses`)
    explain: Callable[[], tuple[Hypothesis, ...]] = field(repr=False, compare=False)
    red_flags: tuple[Mapping[str, Any], ...]
    warnings: tuple[str, ...]
    pattern: Mapping[str, Any]
    separable: bool
    next_examination: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...]
    not_scored: tuple[Finding, ...]
    not_scored_reasons: tuple[str, ...]
    drawings: tuple[Mapping[str, Any], ...]
    dermatome_map: Mapping[str, str]
    atlas_version: str
    atlas_status: str
    neuromap_version: str = field(default=__version__)
    not_understood: tuple[NotUnderstood, ...] = ()
    #: ``plan()`` proposes the studies that would separate the leaders (called once, by :attr:`next_studies`)
    plan: Callable[[], tuple[Mapping[str, Any], ...]] = field(default=tuple, repr=False, compare=False)
    #: ``best()`` names the best hypothesis of each kind (called once, by :attr:`best_of_kind`)
    best: Callable[[], tuple[Mapping[str, Any], ...]] = field(default=tuple, repr=False, compare=False)
    prior: str = "clinical"

    @functools.cached_property
    def best_of_kind(self) -> tuple[Mapping[str, Any], ...]:
        """The best hypothesis of each kind that explains a finding, with its rank: the differential.

        One entry per kind that has one (a root, a nerve, a plexus, the cauda equina, a
        polyneuropathy), in rank order: the fields that name a hypothesis (kind, id, label,
        levels, nerve, site, side, score) and ``rank``, its place in the full ranking (1 for the
        top). The ranking stays in score order; this names the root alternative of a nerve-led
        list, and the nerve alternative of a root-led one, however far down it ranks.

        Examples
        --------
        >>> import neuromap
        >>> result = neuromap.localize({"side": "left", "sensory": [
        ...     {"regions": ["lateral border", "lateral malleolus"], "modality": "pain"}]})
        >>> [(b["kind"], b["id"], b["rank"]) for b in result.best_of_kind][:2]
        [('nerve', 'sural', 1), ('root', 'S1', 2)]
        """
        return self.best()

    @functools.cached_property
    def next_studies(self) -> tuple[Mapping[str, Any], ...]:
        """The electrodiagnostic studies that would separate the leaders, best first.

        Planned by :func:`neuromap.inference.plan.next_studies` on first access and then kept (a
        ranking that is never read for its plan does not pay for one).
        """
        return self.plan()

    @functools.cached_property
    def hypotheses(self) -> tuple[Hypothesis, ...]:
        """The ranked hypotheses, best first, each with its explanation.

        The ranking is computed by :func:`neuromap.localize`; the explanations (reasons, paths,
        sources) are assembled on first access and then kept.
        """
        return self.explain()

    @property
    def top(self) -> Hypothesis | None:
        """The best hypothesis, or None when no finding could be scored."""
        return self.hypotheses[0] if self.hypotheses else None

    def __getitem__(self, ident: str) -> Hypothesis:
        """The best-ranked hypothesis with this id."""
        for h in self.hypotheses:
            if h.id == ident:
                return h
        raise KeyError(ident)

    def __iter__(self) -> Iterator[Hypothesis]:
        """The hypotheses, best first."""
        return iter(self.hypotheses)

    def to_frame(self) -> Any:
        """The ranking as a pandas DataFrame, one row per hypothesis, indexed by rank.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``kind``, ``label``, ``levels`` (comma-separated), ``nerve``,
            ``site``, ``side``, ``score`` and the counts ``explains``, ``unexplained`` and
            ``contradicts``; the index ``rank`` starts at 1.

        Raises
        ------
        MissingDependencyError
            pandas is not installed (it is optional: the ``pandas`` extra installs it).

        Examples
        --------
        >>> import neuromap
        >>> result = neuromap.localize({"side": "left", "reflexes": {"achilles": "absent"}})
        >>> [h.id for h in result][:1] == [result.top.id]
        True
        >>> frame = result.to_frame()
        >>> frame.loc[1, "id"] == result.top.id
        True
        >>> list(frame.columns)[:4]
        ['id', 'kind', 'label', 'levels']
        """
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "Localization.to_frame()", "pandas") from None
        rows = [{"rank": i, "id": h.id, "kind": h.kind, "label": h.label, "levels": ",".join(h.levels),
                 "nerve": h.nerve, "site": h.site, "side": h.side, "score": h.score, "explains": len(h.explains),
                 "unexplained": len(h.unexplained), "contradicts": len(h.contradicts)}
                for i, h in enumerate(self.hypotheses, 1)]
        columns = ["rank", "id", "kind", "label", "levels", "nerve", "site", "side", "score", "explains",
                   "unexplained", "contradicts"]
        return pd.DataFrame(rows, columns=columns).set_index("rank")

    def rank(self, ident: str) -> int | None:
        """1-based rank of the first hypothesis with this id, or None."""
        for i, h in enumerate(self.hypotheses, 1):
            if h.id == ident:
                return i
        return None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe data (the output schema of ``neuromap.schemas``)."""
        return {
            "schema_version": OUTPUT_SCHEMA_VERSION,
            "neuromap_version": self.neuromap_version,
            "atlas_version": self.atlas_version,
            "atlas_status": self.atlas_status,
            "dermatome_map": dict(self.dermatome_map),
            "side": self.case_side,
            "red_flags": [plain_data(r) for r in self.red_flags],
            "warnings": list(self.warnings),
            "pattern": plain_data(self.pattern),
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "best_of_kind": [plain_data(b) for b in self.best_of_kind],
            "separable": self.separable,
            "next_examination": [plain_data(x) for x in self.next_examination],
            "next_studies": [plain_data(x) for x in self.next_studies],
            "findings": [f.to_dict() for f in self.findings],
            "not_scored": [{**f.to_dict(), "reason": reason}
                           for f, reason in zip(self.not_scored, self.not_scored_reasons, strict=True)],
            "not_understood": [u.to_dict() for u in self.not_understood],
            "prior": self.prior,
            "disclaimer": DISCLAIMER,
        }

    def __repr__(self) -> str:
        atlas = "" if self.atlas_status == "bundled" else f"{self.atlas_status} atlas | "
        return f"<Localization | {atlas}{leaders_line(self.hypotheses, self.red_flags)}>"

    def _repr_html_(self) -> str:
        rows = []
        for i, h in enumerate(self.hypotheses, 1):
            rows.append(
                "<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in (
                    i, h.label, h.side, f"{h.score:.2f}", len(h.explains), len(h.unexplained), len(h.contradicts)))
                + "</tr>")
        flags = "".join(f"<p style='color:#b00;font-weight:bold'>{html.escape(r['message'])}</p>"
                        for r in self.red_flags)
        warns = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        head = "".join(f"<th>{h}</th>" for h in ("#", "hypothesis", "side", "score", "explains", "unexplained",
                                                  "contradicts"))
        return (f"{flags}<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
                f"{'<ul>' + warns + '</ul>' if warns else ''}<p><small>{html.escape(DISCLAIMER)}</small></p>")

    def __reduce__(self) -> tuple[Any, ...]:
        # the ranking's explanations are assembled now: what is pickled or copied is the
        # result itself, not the engine's tables behind its lazy explanations
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                 if f.name not in ("explain", "plan", "best")}
        return (_restore, (self.hypotheses, self.next_studies, self.best_of_kind, state))

    def plot(self, **kwargs: Any) -> CaseDisplay:
        """Draw the case on the foot, limb or saddle; see :func:`neuromap.plotting.plot_localization`."""
        from neuromap.plotting import plot_localization

        return plot_localization(self, **kwargs)


    def to_html(self, **kwargs: Any) -> str:
        """The result as a standalone HTML page; see :func:`neuromap.interactive.to_html`."""
        from neuromap.interactive.page import to_html

        return to_html(self, **kwargs)


def leaders_line(hypotheses: Sequence[RankedHypothesis], red_flags: Sequence[Any]) -> str:
    """The first three hypotheses with their scores, after a red-flag mark: the body of a result's repr."""
    lead = ", ".join(f"{h.id}{'@' + h.site if h.site else ''} {h.score:.2f}" for h in hypotheses[:3])
    more = ", ..." if len(hypotheses) > 3 else ""
    flag = "RED FLAG cauda equina | " if red_flags else ""
    return f"{flag}{lead}{more}"


def _restore(hypotheses: tuple[Hypothesis, ...], studies: tuple[Mapping[str, Any], ...],
             best: tuple[Mapping[str, Any], ...], state: dict[str, Any]) -> Localization:
    """Rebuild a pickled or copied :class:`Localization` around its assembled hypotheses, plan and differential."""
    result = Localization(explain=functools.partial(_assembled, hypotheses),
                          plan=functools.partial(_assembled, studies), best=functools.partial(_assembled, best),
                          **state)
    result.__dict__["hypotheses"] = hypotheses  # what the cached properties would hold
    result.__dict__["next_studies"] = studies
    result.__dict__["best_of_kind"] = best
    return result


def _assembled(value: _T) -> _T:
    return value
