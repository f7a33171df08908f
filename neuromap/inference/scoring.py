"""Score candidate lesion sites against the findings of a case.

The method (written out for users in ``docs/method.md``):

* Each finding has an evidence weight: motor and reflex findings weigh most, sensory findings
  less (numbness and tingling above pain, which follows dermatomes poorly), scaled by severity
  (MRC grade, absent vs reduced reflex, how much of a region a drawing covers).
* Each candidate predicts an involvement ``p`` in [0, 1] for every target (its territory). An
  abnormal finding adds ``w * p`` and costs ``LAMBDA * w * (1 - p)``; an examined normal finding
  that the candidate predicts abnormal costs ``w * tolerance * p`` (tolerance is lower for roots,
  which often spare part of their territory, than for nerves).
* Parsimony: explanations that need several lesions or are rarer pay a fixed cost, and of two
  equal explanations the one with the smaller territory ranks higher.
* The raw evidence sum divided by the case's total evidence weight is the *fit*; the score is
  ``exp(KAPPA * (fit - 1))``, in (0, 1], 1 for a candidate that explains everything at no cost.
  All terms are additive, so adding a finding a candidate explains never lowers it relative to a
  candidate that does not explain it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from neuromap.atlas import Atlas
from neuromap.inference.candidates import KIND_ORDER, Candidate
from neuromap.inference.case import Finding

__all__ = ["Evaluation", "evaluate", "finding_weight", "involvement"]

LAMBDA = 0.5   #: cost of an unexplained abnormal finding, per unit of its weight
KAPPA = 2.0    #: steepness of the fit-to-score transform
EPSILON = 0.4  #: credit lost for explaining a finding with the largest territory (the size principle)
BILATERAL_COST = 1.5  #: extra cost of the same focal lesion on both sides (a second lesion)

SENSORY_WEIGHTS = {"numbness": 0.6, "tingling": 0.55, "burning": 0.45, "hypersensitivity": 0.45, "pain": 0.35}
NORMAL_WEIGHTS = {"region": 0.5, "movement": 1.0, "muscle": 1.0, "reflex": 0.9, "sign": 0.5}

#: How much an examined normal finding counts against a candidate that predicts it abnormal.
TOLERANCE = {
    "root": {"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5},
    "roots": {"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5},
    "nerve": {"region": 0.8, "motor": 0.85, "reflex": 0.85, "sign": 0.5},
    "plexus": {"region": 0.6, "motor": 0.7, "reflex": 0.7, "sign": 0.5},
    "cauda_equina": {"region": 0.4, "motor": 0.5, "reflex": 0.5, "sign": 0.8},
    "polyneuropathy": {"region": 0.6, "motor": 0.4, "reflex": 0.7, "sign": 0.5},
}


def is_scored(f: Finding, atlas: Atlas) -> bool:
    """Whether a finding takes part in scoring (upper motor neuron signs do not)."""
    if f.kind == "reflex" and f.modality == "brisk":
        return False
    if f.kind == "sign":
        sign = atlas.data.signs[atlas.ids("sign").index(f.target)]
        return bool(sign["points_to"])
    return True


def finding_weight(f: Finding, atlas: Atlas) -> float:
    """Evidence weight of a finding."""
    if not f.abnormal:
        return NORMAL_WEIGHTS[f.kind] * f.share
    if f.kind == "region":
        return SENSORY_WEIGHTS.get(f.modality or "numbness", 0.5) * f.severity * f.share
    if f.kind == "sign":
        sign = atlas.data.signs[atlas.ids("sign").index(f.target)]
        return 1.0 if sign.get("red_flag") else 0.6
    return f.severity


def involvement(c: Candidate, f: Finding, atlas: Atlas) -> float:
    """How strongly candidate *c* predicts the target of finding *f* to be involved."""
    t = c.territory
    if f.kind == "region":
        return t.regions.get(f.target, 0.0)
    if f.kind == "movement":
        return t.movements.get(f.target, 0.0)
    if f.kind == "muscle":
        return t.muscles.get(f.target, 0.0)
    if f.kind == "reflex":
        return t.reflexes.get(f.target, 0.0)
    if f.kind == "sign":
        sign = atlas.data.signs[atlas.ids("sign").index(f.target)]
        pt = sign["points_to"]
        keys = {f"root:{r}" for r in pt.get("roots", ())} | {f"kind:{k}" for k in pt.get("kinds", ())}
        keys |= {f"nerve:{n['nerve']}@{n['site']}" if n.get("site") else f"nerve:{n['nerve']}"
                 for n in pt.get("nerves", ())}
        return 1.0 if keys & c.points_to else 0.0
    return 0.0


def specificity(cands: Sequence[Candidate]) -> dict[int, float]:
    """Relative territory size of each candidate, in [0, 1].

    The size is the tolerance-weighted sum of the whole territory (skin, muscles, reflexes: a
    root's broad but often-spared dermatome weighs less than a nerve's autonomous zone) divided
    by the largest candidate's. Constant for an atlas and map: it never depends on the findings.
    """
    raw = {}
    for c in cands:
        tol = TOLERANCE[c.kind]
        t = c.territory
        raw[id(c)] = (tol["region"] * sum(t.regions.values()) + tol["motor"] * sum(t.muscles.values())
                      + tol["reflex"] * sum(t.reflexes.values()))
    top = max(raw.values(), default=1.0) or 1.0
    return {i: v / top for i, v in raw.items()}


def _tolerance(c: Candidate, f: Finding) -> float:
    group = "motor" if f.kind in ("movement", "muscle") else f.kind
    return TOLERANCE[c.kind][group]


@dataclass(frozen=True)
class Evaluation:
    """A candidate on one side (or both), with its score and per-finding involvement."""

    candidate: Candidate
    side: str                      # "left", "right" or "bilateral"
    score: float
    fit: float
    evidence_fit: float            # fit before parsimony and size costs: what the findings decide
    p: tuple[float, ...]           # involvement per scored finding, 0 where the side differs

    @property
    def sort_key(self) -> tuple[float, int, float, str, str]:
        """Best score first; ties go to the more local kind, then the smaller territory, then the id."""
        c = self.candidate
        return (-round(self.score, 12), KIND_ORDER.index(c.kind), c.size, c.id, self.side)


def evaluate(candidates: Sequence[Candidate], findings: Sequence[Finding], atlas: Atlas) -> list[Evaluation]:
    """Score every candidate on every side present in the findings.

    Parameters
    ----------
    candidates : sequence of Candidate
    findings : sequence of Finding
        The scored findings (see :func:`is_scored`).
    atlas : Atlas

    Returns
    -------
    list of Evaluation
        Sorted best first (ties broken by kind, id and side, so the order is deterministic).
    """
    weights = [finding_weight(f, atlas) for f in findings]
    total = sum(weights) or 1.0
    sides_present = sorted({f.side for f in findings})
    spec = specificity(candidates)
    out: list[Evaluation] = []
    for c in candidates:
        base = [involvement(c, f, atlas) for f in findings]
        tol = [_tolerance(c, f) for f in findings]
        discount = 1.0 - EPSILON * spec[id(c)]
        options: list[tuple[str, str | None]]
        if c.bilateral:
            options = [("bilateral", None)]
        else:
            options = [(s, s) for s in sides_present]
            if len(sides_present) == 2:
                options.append(("bilateral", None))
        for label, only in options:
            p = tuple(b if (only is None or f.side == only) else 0.0 for b, f in zip(base, findings, strict=True))
            evidence = 0.0
            fitted = 0.0
            for pi, w, f, t in zip(p, weights, findings, tol, strict=True):
                if f.abnormal:
                    fitted += w * pi - LAMBDA * w * (1.0 - pi)
                    evidence += w * pi * discount - LAMBDA * w * (1.0 - pi)
                else:
                    fitted -= w * t * pi
                    evidence -= w * t * pi
            cost = c.cost + (BILATERAL_COST if label == "bilateral" and not c.bilateral else 0.0)
            fit = (evidence - cost) / total
            score = math.exp(KAPPA * (fit - 1.0))
            out.append(Evaluation(c, label, min(1.0, max(0.0, score)), fit, fitted / total, p))
    out.sort(key=lambda e: e.sort_key)
    return out
