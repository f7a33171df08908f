"""The scoring formula of docs/method.md §3, written out one candidate, side and finding at a time.

A reference for ``ScoringTable.score`` (which applies the same formula with numpy over every
option at once); it reads the candidates' territories directly, not the table's arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from neuromap.atlas import Atlas
from neuromap.inference.candidates import Candidate
from neuromap.inference.case import Finding
from neuromap.inference.scoring import finding_weight, involvement
from neuromap.weights import BILATERAL_COST, EPSILON, KAPPA, LAMBDA, SILENT_SIDE, TOLERANCE


def _size(c: Candidate) -> float:
    tol, t = TOLERANCE[c.kind], c.territory
    return (tol["region"] * sum(t.regions.values()) + tol["motor"] * sum(t.muscles.values())
            + tol["reflex"] * sum(t.reflexes.values()))


def reference_scores(cands: Sequence[Candidate], findings: Sequence[Finding],
                     atlas: Atlas) -> dict[tuple[int, str], tuple[float, float, float]]:
    """``(candidate index, side) -> (score, fit, evidence fit)`` for every option scored."""
    weights = [finding_weight(f, atlas) for f in findings]
    total = sum(weights) or 1.0
    largest = max(_size(c) for c in cands) or 1.0
    sides_present = {f.side for f in findings}
    out = {}
    for i, c in enumerate(cands):
        if c.bilateral:
            options = ["bilateral"]
        else:
            options = sorted(sides_present) + (["bilateral"] if len(sides_present) == 2 else [])
        discount = 1.0 - EPSILON * _size(c) / largest
        # a bilateral-by-nature lesion pays for the silent side when every finding lies on one side
        silent = SILENT_SIDE if c.bilateral and len(sides_present) == 1 else 0.0
        for side in options:
            evidence = fit = 0.0
            for f, w in zip(findings, weights, strict=True):
                p = involvement(c, f, atlas) if side in ("bilateral", f.side) else 0.0
                group = "motor" if f.kind in ("movement", "muscle") else f.kind
                if f.abnormal:
                    evidence += w * p - LAMBDA * w * (1.0 - p) - silent * w * p
                    fit += w * p * discount - LAMBDA * w * (1.0 - p) - silent * w * p
                else:
                    evidence += w - w * TOLERANCE[c.kind][group] * p
                    fit += w - w * TOLERANCE[c.kind][group] * p
            cost = c.cost + (BILATERAL_COST if side == "bilateral" and not c.bilateral else 0.0)
            fit_value = (fit - cost) / total
            out[(i, side)] = (min(math.exp(KAPPA * (fit_value - 1.0)), 1.0), fit_value, evidence / total)
    return out
