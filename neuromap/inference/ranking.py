"""A ranking-only result: the top hypotheses of a case, without their explanations.

For registries, where the reasons and atlas paths of every hypothesis of every case are not
read: :func:`neuromap.io.localize_many` with ``explain=False`` returns :meth:`Ranking.to_dict`
for each case, the shape ``neuromap/schemas/ranking.schema.json`` publishes. Every field is
the same as in the full result of the same case (:class:`~neuromap.inference.result.Localization`),
whose hypotheses it cuts to the first ``top``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neuromap.atlas import Atlas, plain_data
from neuromap.inference.case import NotUnderstood
from neuromap.inference.explain import heading
from neuromap.inference.rank import cut
from neuromap.inference.result import DISCLAIMER, Localization, RankedHypothesis, leaders_line
from neuromap.inference.scoring import Scores

__all__ = ["RANKING_SCHEMA_VERSION", "RankedHypothesis", "Ranking", "ranking"]

#: Version of the ranking-only output (``neuromap/schemas/ranking.schema.json``).
RANKING_SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class Ranking:
    """The top hypotheses of a case with its red flags, warnings and what was not understood.

    Attributes
    ----------
    case_side : str
        The case's side.
    hypotheses : tuple of RankedHypothesis
        Best first: the first ``top`` hypotheses of the full result (a tie at the cut kept whole).
    red_flags : tuple of dict
        Urgent warnings (cauda equina), to be read before anything else.
    warnings : tuple of str
        As in the full result.
    not_understood : tuple of NotUnderstood
        The findings that could not be read.
    pattern_kind : str
        The read of the sensory findings (``pattern["kind"]`` of the full result).
    separable : bool
        Whether the findings separate the top hypothesis from the next ones.
    dermatome_map : dict
        The layer used (``id``, ``label``).
    atlas_version, atlas_status, neuromap_version : str
        Where the result comes from.
    prior : str
        The base rates the ranking weighed: ``clinical`` (the cited ones) or ``uniform`` (none).
    """

    case_side: str
    hypotheses: tuple[RankedHypothesis, ...]
    red_flags: tuple[Mapping[str, Any], ...]
    warnings: tuple[str, ...]
    not_understood: tuple[NotUnderstood, ...]
    pattern_kind: str
    separable: bool
    dermatome_map: Mapping[str, str]
    atlas_version: str
    atlas_status: str
    neuromap_version: str
    prior: str = "clinical"

    @property
    def top(self) -> RankedHypothesis | None:
        """The best hypothesis, or None when no finding could be scored."""
        return self.hypotheses[0] if self.hypotheses else None

    def to_dict(self) -> dict[str, Any]:
        """The ranking as JSON-safe data (``neuromap/schemas/ranking.schema.json``)."""
        return {
            "schema_version": RANKING_SCHEMA_VERSION,
            "ranking_only": True,
            "neuromap_version": self.neuromap_version,
            "atlas_version": self.atlas_version,
            "atlas_status": self.atlas_status,
            "dermatome_map": dict(self.dermatome_map),
            "side": self.case_side,
            "red_flags": [plain_data(r) for r in self.red_flags],
            "warnings": list(self.warnings),
            "pattern": self.pattern_kind,
            "separable": self.separable,
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "not_understood": [u.to_dict() for u in self.not_understood],
            "prior": self.prior,
            "disclaimer": DISCLAIMER,
        }

    def __repr__(self) -> str:
        return f"<Ranking | {leaders_line(self.hypotheses, self.red_flags)}>"


def ranking(result: Localization, scores: Scores | None, ranked: Sequence[int], top: int, atlas: Atlas) -> Ranking:
    """The ranking-only view of a result: its first *top* hypotheses (never cutting a tie), named only.

    Parameters
    ----------
    result : Localization
        The case's result (its explanations are not assembled).
    scores : Scores or None
        The case's scores (None when nothing was scored).
    ranked : sequence of int
        The ranked options (:func:`~neuromap.inference.rank.ranked_options`).
    top : int
        How many hypotheses to keep.
    atlas : Atlas

    Returns
    -------
    Ranking
    """
    shown = cut(ranked, scores, top) if scores is not None else []
    return Ranking(
        case_side=result.case_side,
        hypotheses=tuple(RankedHypothesis(**heading(scores, k, atlas)) for k in shown) if scores is not None else (),
        red_flags=result.red_flags, warnings=result.warnings, not_understood=result.not_understood,
        pattern_kind=str(result.pattern["kind"]), separable=result.separable, dermatome_map=result.dermatome_map,
        atlas_version=result.atlas_version, atlas_status=result.atlas_status,
        neuromap_version=result.neuromap_version, prior=result.prior)
