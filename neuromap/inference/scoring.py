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
* Examined normal findings a candidate does not contradict count in its favour.
* The raw evidence sum divided by the case's total evidence weight is the *fit*; the score is
  ``exp(KAPPA * (fit - 1))``, in (0, 1], 1 for a candidate that explains everything at no cost.
  All terms are additive, so adding a finding a candidate explains never lowers it relative to a
  candidate that does not explain it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuromap.atlas import Atlas
from neuromap.inference._fast import maker
from neuromap.inference.candidates import KIND_ORDER, Candidate
from neuromap.inference.case import Finding

__all__ = ["Evaluation", "ScoringTable", "evaluate", "finding_weight", "involvement", "scoring_table"]

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


def _sign(atlas: Atlas, sign: str) -> Mapping[str, Any]:
    return atlas._signs[sign]


def is_scored(f: Finding, atlas: Atlas) -> bool:
    """Whether a finding takes part in scoring (upper motor neuron signs do not)."""
    if f.kind == "reflex" and f.modality == "brisk":
        return False
    if f.kind == "sign":
        return bool(_sign(atlas, f.target)["points_to"])
    return True


def finding_weight(f: Finding, atlas: Atlas) -> float:
    """Evidence weight of a finding."""
    if not f.abnormal:
        return NORMAL_WEIGHTS[f.kind] * f.share
    if f.kind == "region":
        return SENSORY_WEIGHTS.get(f.modality or "numbness", 0.5) * f.severity * f.share
    if f.kind == "sign":
        return 1.0 if _sign(atlas, f.target).get("red_flag") else 0.6
    return f.severity


def _sign_keys(sign: Mapping[str, Any]) -> set[str]:
    pt = sign["points_to"]
    keys = {f"root:{r}" for r in pt.get("roots", ())} | {f"kind:{k}" for k in pt.get("kinds", ())}
    keys |= {f"nerve:{n['nerve']}@{n['site']}" if n.get("site") else f"nerve:{n['nerve']}"
             for n in pt.get("nerves", ())}
    return keys


def involvement(c: Candidate, f: Finding, atlas: Atlas) -> float:
    """How strongly candidate *c* predicts the target of finding *f* to be involved."""
    if f.kind == "sign":
        return 1.0 if _sign_keys(_sign(atlas, f.target)) & c.points_to else 0.0
    return c.territory.get(f.kind, f.target)


def _group(kind: str) -> str:
    return "motor" if kind in ("movement", "muscle") else kind


class ScoringTable:
    """Every candidate's predicted involvement of every target, as arrays (built once per atlas and map).

    Attributes
    ----------
    candidates : tuple of Candidate
    columns : dict
        ``(kind, target) -> column`` of :attr:`p` for regions, movements, muscles, reflexes and signs.
    p : numpy.ndarray
        ``(n_candidates, n_targets)`` involvement.
    tolerance : numpy.ndarray
        ``(n_candidates, n_targets)`` how much an examined normal target counts against the candidate.
    discount : numpy.ndarray
        ``(n_candidates,)`` credit kept for an explained finding after the size principle.
    cost : numpy.ndarray
        ``(n_candidates,)`` parsimony cost.
    """

    def __init__(self, atlas: Atlas, cands: Sequence[Candidate]) -> None:
        self.candidates = tuple(cands)
        kinds = ("region", "movement", "muscle", "reflex", "sign")
        self.columns = {(k, t): i for i, (k, t) in enumerate((k, t) for k in kinds for t in atlas.ids(k))}
        n, m = len(self.candidates), len(self.columns)
        p = np.zeros((n, m))
        tol = np.zeros((n, m))
        sign_keys = {s: _sign_keys(_sign(atlas, s)) for s in atlas.ids("sign")}
        columns = self.columns
        # the column block of each kind (columns are laid out kind by kind)
        blocks = {k: [j for (kk, _), j in columns.items() if kk == k] for k in kinds}
        spans = {k: slice(b[0], b[-1] + 1) for k, b in blocks.items() if b}
        sign_cols = [(columns[("sign", t)], sk) for t, sk in sign_keys.items()]
        territory_of = (("region", "regions"), ("movement", "movements"), ("muscle", "muscles"), ("reflex", "reflexes"))
        for i, c in enumerate(self.candidates):
            # p[i, j] = c.territory.get(k, t): the territory's own weights, 0 elsewhere
            terr = c.territory
            for k, attr in territory_of:
                for t, w in getattr(terr, attr).items():
                    j = columns.get((k, t))
                    if j is not None:
                        p[i, j] = w
            for j, sk in sign_cols:
                p[i, j] = 1.0 if sk & c.points_to else 0.0
            tol_kind = TOLERANCE[c.kind]
            for k, span in spans.items():
                tol[i, span] = tol_kind[_group(k)]
        self.p = p
        self.tolerance = tol
        spec = specificity(self.candidates)
        self.discount = np.array([1.0 - EPSILON * spec[id(c)] for c in self.candidates])
        self.cost = np.array([c.cost for c in self.candidates])
        self.bilateral = np.array([c.bilateral for c in self.candidates])
        order = {k: i for i, k in enumerate(KIND_ORDER)}
        ids = sorted({c.id for c in self.candidates})
        id_rank = {x: i for i, x in enumerate(ids)}
        self.kind_rank = np.array([order[c.kind] for c in self.candidates])
        self.size = np.array([c.size for c in self.candidates])
        self.id_rank = np.array([id_rank[c.id] for c in self.candidates])
        keys: dict[tuple[str, str], int] = {}
        #: hypothesis group of each candidate: the sites of one nerve share a group
        self.group = [keys.setdefault((c.kind, c.id), len(keys)) for c in self.candidates]
        self.tie_rank = np.empty(len(self.candidates), dtype=np.intp)
        self.tie_rank[np.lexsort((self.id_rank, self.size, self.kind_rank))] = np.arange(len(self.candidates))
        #: explanations already assembled for this atlas and map (see ``localize._explanation``)
        self.explanations: dict[tuple, tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = {}
        #: other pieces of explanations (rounded strengths, reasons, per-candidate labels)
        self.memo: dict[tuple, Any] = {}
        self.p_tolerance = self.p * self.tolerance
        #: :attr:`p` as nested Python lists (for the few evaluations a case builds)
        self.p_rows: list[list[float]] = self.p.tolist()
        self._p_and_tolerance = np.stack([self.p, self.p_tolerance])
        #: explained weight earns discount (size principle) plus LAMBDA back (it is not unexplained)
        self.discount_lambda = (self.discount + LAMBDA - 1.0)[:, None]
        self.option_cost = self.cost[:, None] + np.array([0.0, 0.0, BILATERAL_COST]) * ~self.bilateral[:, None]
        self._options = {}
        self._option_cache: dict[tuple[bool, bool], _Options] = {}
        #: per pattern of examined (column, side) pairs: columns, side masks, gathered p, options
        self._patterns: dict[tuple[tuple[int, ...], tuple[bool, ...]],
                             tuple[np.ndarray, np.ndarray, np.ndarray, _Options]] = {}
        self._pattern_bytes = 0
        self._exam_cache: dict[tuple, tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]] = {}
        for has_left in (False, True):
            for has_right in (False, True):
                valid = np.zeros((len(self.candidates), 3), dtype=bool)
                valid[~self.bilateral, 0] = has_left
                valid[~self.bilateral, 1] = has_right
                valid[~self.bilateral, 2] = has_left and has_right
                valid[self.bilateral, 2] = True
                flat = np.flatnonzero(valid.ravel())
                position = np.full(valid.size, -1, dtype=np.intp)
                position[flat] = np.arange(len(flat))
                self._options[(has_left, has_right)] = (flat, position)
        #: row of each candidate, by ``id(candidate)`` (the table holds the candidates)
        self.row_of = {id(c): i for i, c in enumerate(self.candidates)}
        self._targets: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        for k in kinds:
            ts = tuple(t for kk, t in self.columns if kk == k)
            cols_k = np.array([self.columns[(k, t)] for t in ts], dtype=np.intp)
            cols_k.flags.writeable = False
            self._targets[k] = (ts, cols_k)
        rows_by_nerve: dict[str, list[int]] = {}
        for i, c in enumerate(self.candidates):
            if c.nerve is not None:
                rows_by_nerve.setdefault(c.nerve, []).append(i)
        self.nerve_rows = {k: np.array(v) for k, v in rows_by_nerve.items()}
        self.nerve_rows_list = {k: list(v) for k, v in rows_by_nerve.items()}
        for a in (self.p, self.tolerance, self.discount, self.cost, self.bilateral, self.kind_rank, self.size,
                  self.id_rank):
            a.flags.writeable = False

    def evaluate(self, findings: Sequence[Finding], weights: Sequence[float]) -> Scores:
        """Score every candidate on every side option; see :class:`Scores`.

        Only the options valid for the case's sides are computed; every value is the same
        elementwise arithmetic as scoring all of them (see ``_side_options``).
        """
        columns = self.columns
        col_list = tuple([columns[(f.kind, f.target)] for f in findings])
        right = tuple([f.side == "right" for f in findings])
        # what depends only on which targets were examined on which side (not on the weights)
        pattern = self._patterns.get((col_list, right))
        if pattern is None:
            cols = np.array(col_list, dtype=np.intp)
            # one column per side option: the findings on the left, on the right, on both sides
            masks = _SIDE_MASKS[np.array(right, dtype=np.intp)]
            gathered = self._p_and_tolerance[:, :, cols]
            for a in (cols, masks, gathered):
                a.flags.writeable = False
            pattern = (cols, masks, gathered, self._side_options(not all(right), any(right)))
            if self._pattern_bytes + gathered.nbytes <= _PATTERN_CACHE_BYTES:
                self._patterns[(col_list, right)] = pattern
                self._pattern_bytes += gathered.nbytes + masks.nbytes + cols.nbytes
        cols, masks, gathered, opt = pattern
        # rows: every weight; the abnormal findings' weights; the normal findings' weights
        # (w - w_abnormal, which is the weight itself or 0)
        wa = [x if f.abnormal else 0.0 for f, x in zip(findings, weights, strict=True)]
        ww = np.array([weights, wa, [x - y for x, y in zip(weights, wa, strict=True)]], dtype=float)
        total, sum_wa, sum_wn = ww.sum(axis=1).tolist()
        total = total or 1.0
        # an examined normal finding the candidate predicts normal is consistent with it: crediting
        # every candidate with the normal findings' weight changes no ranking, and lets a candidate
        # that explains everything and contradicts nothing reach a fit of 1
        # explained (abnormal weight times p) and contradicted (normal weight times p * tolerance)
        # per candidate and side option, as one stacked matrix product: (2, n_candidates, 3)
        both = gathered @ (ww[1:, :, None] * masks)
        e, contradicted = both.reshape(2, -1)[:, opt.flat]
        base = e - LAMBDA * sum_wa - contradicted
        # row 0: the evidence fit ((base + LAMBDA * e) + sum_wn) / total; row 1: the fit
        # ((base + discount_lambda * e) + (sum_wn - cost)) / total (sum_wn - 0.0 is sum_wn)
        fits = ((base + e * opt.lambdas) + (sum_wn - opt.costs)) / total
        f = fits[1]
        score = np.minimum(np.exp(KAPPA * (f - 1.0)), 1.0)  # exp >= 0: the same as clipping to [0, 1]
        return _scores(self, cols, opt.rows, opt.codes, score, f, fits[0], masks, opt.position, opt.tie)

    def targets_of(self, kind: str) -> tuple[tuple[str, ...], np.ndarray]:
        """The targets of one kind, in atlas order, and their columns of :attr:`p`."""
        return self._targets[kind]

    def exam_columns(self, weights: tuple[tuple[str, float], ...]
                     ) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]:
        """Kind, target, column and weight of every target of the weighted kinds, kind by kind (cached)."""
        got = self._exam_cache.get(weights)
        if got is None:
            kinds: list[str] = []
            targets: list[str] = []
            w: list[float] = []
            for kind, wk in weights:
                ts = self._targets[kind][0]
                kinds += [kind] * len(ts)
                targets += ts
                w += [wk] * len(ts)
            cols = np.array([self.columns[(k, t)] for k, t in zip(kinds, targets, strict=True)], dtype=np.intp)
            wa = np.array(w, dtype=float)
            cols.flags.writeable = False
            wa.flags.writeable = False
            got = (tuple(kinds), tuple(targets), cols, wa)
            self._exam_cache[weights] = got
        return got

    def _side_options(self, has_left: bool, has_right: bool) -> _Options:
        """The (candidate, side) options scored for a case with findings on these sides (cached)."""
        key = (has_left, has_right)
        got = self._option_cache.get(key)
        if got is None:
            flat, position = self._options[key]
            rows = flat // 3
            dl = self.discount_lambda[rows, 0]
            cost = self.option_cost.ravel()[flat]
            got = _Options(flat, position, rows, flat % 3, dl, cost, self.tie_rank[rows],
                           np.stack([np.full(len(flat), LAMBDA), dl]), np.stack([np.zeros(len(flat)), cost]))
            for a in (got.flat, got.position, got.rows, got.codes, got.discount_lambda, got.cost, got.tie,
                      got.lambdas, got.costs):
                a.flags.writeable = False
            self._option_cache[key] = got
        return got

    def option(self, scores: Scores, row: int, side: str) -> int | None:
        """Index of the option of candidate *row* on *side* in *scores*, or None if not scored there."""
        k = int(scores.position[row * 3 + SIDE_NAMES.index(side)])
        return k if k >= 0 else None


SIDE_NAMES = ("left", "right", "bilateral")
#: memory the per-table cache of examined-target patterns may hold (gathered p columns)
_PATTERN_CACHE_BYTES = 2_000_000
#: side-option mask of a finding on the left (row 0) or the right (row 1): left, right, both
_SIDE_MASKS = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
_SIDE_MASKS.flags.writeable = False


@dataclass(frozen=True)
class _Options:
    """The options scored for one pattern of sides, with their per-option constants."""

    flat: np.ndarray             # index into the (n_candidates, 3) option grid
    position: np.ndarray         # grid index -> option index, -1 where not scored
    rows: np.ndarray             # candidate row of each option
    codes: np.ndarray            # side code of each option (index into SIDE_NAMES)
    discount_lambda: np.ndarray  # discount + LAMBDA - 1 of each option's candidate
    cost: np.ndarray             # parsimony (and bilateral) cost of each option
    tie: np.ndarray              # tie rank of each option's candidate
    lambdas: np.ndarray          # (2, n): LAMBDA (evidence fit) and discount_lambda (fit)
    costs: np.ndarray            # (2, n): 0 (evidence fit) and cost (fit)


@dataclass(frozen=True)
class Scores:
    """Scores of every (candidate, side) option for one case, with the order to rank them."""

    table: ScoringTable
    cols: np.ndarray
    rows: np.ndarray
    side_codes: np.ndarray
    score: np.ndarray
    fit: np.ndarray
    evidence_fit: np.ndarray
    masks: np.ndarray
    position: np.ndarray
    tie: np.ndarray | None = None  # tie rank of each option's candidate (table.tie_rank[rows])

    @functools.cached_property
    def sides(self) -> np.ndarray:
        """Side name of each option."""
        return np.array(SIDE_NAMES)[self.side_codes]

    @functools.cached_property
    def order(self) -> np.ndarray:
        """Option indices best first: score, then the more local kind, the smaller territory, the id, the side."""
        tie = self.table.tie_rank[self.rows] if self.tie is None else self.tie
        return np.lexsort((self.side_codes, tie, -np.round(self.score, 12)))

    def evaluation(self, k: int) -> Evaluation:
        """The :class:`Evaluation` of option *k*."""
        row = int(self.rows[k])
        code = int(self.side_codes[k])
        p = self.table.p[row, self.cols] * self.masks[:, code]
        return Evaluation(self.table.candidates[row], SIDE_NAMES[code], float(self.score[k]), float(self.fit[k]),
                          float(self.evidence_fit[k]), tuple(p.tolist()))

    @functools.cached_property
    def position_list(self) -> list[int]:
        """:attr:`position` as a Python list."""
        return self.position.tolist()

    @functools.cached_property
    def lists(self) -> tuple[list[int], list[int], list[float], list[float], list[float]]:
        """``rows``, ``side_codes``, ``score``, ``fit`` and ``evidence_fit`` as Python lists."""
        return (self.rows.tolist(), self.side_codes.tolist(), self.score.tolist(), self.fit.tolist(),
                self.evidence_fit.tolist())

    def evaluations(self, ks: Sequence[int]) -> list[Evaluation]:
        """The :class:`Evaluation` of each option in *ks*.

        A few options: Python floats multiplied as numpy would (``p * mask``, the same IEEE
        products), without numpy's per-call overhead.
        """
        if not len(ks):
            return []
        rows, codes, score, fit, evidence_fit = self.lists
        cols = self.cols.tolist()
        masks = self.masks.T.tolist()
        p_rows = self.table.p_rows
        cands = self.table.candidates
        make = _evaluation
        out = []
        for k in ks:
            r, c = rows[k], codes[k]
            prow = p_rows[r]
            p = tuple([prow[j] * m for j, m in zip(cols, masks[c], strict=True)])
            out.append(make(cands[r], SIDE_NAMES[c], score[k], fit[k], evidence_fit[k], p))
        return out


#: builds Scores from every field, positionally (see :mod:`neuromap.inference._fast`)
_scores = maker(Scores)


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


@dataclass(frozen=True)
class Evaluation:
    """A candidate on one side (or both), with its score and per-finding involvement."""

    candidate: Candidate
    side: str                      # "left", "right" or "bilateral"
    score: float
    fit: float
    evidence_fit: float            # fit before parsimony and size costs: what the findings decide
    p: tuple[float, ...]           # involvement per scored finding, 0 where the side differs


#: builds an Evaluation from every field, positionally (see :mod:`neuromap.inference._fast`)
_evaluation = maker(Evaluation)


@functools.lru_cache(maxsize=32)
def scoring_table(atlas: Atlas, dermatome_map: str) -> ScoringTable:
    """The cached :class:`ScoringTable` of an atlas under one dermatome layer."""
    from neuromap.inference.candidates import candidates

    return ScoringTable(atlas, candidates(atlas, dermatome_map))


def evaluate(cands: Sequence[Candidate], findings: Sequence[Finding], atlas: Atlas) -> list[Evaluation]:
    """Score every candidate on every side present in the findings.

    Parameters
    ----------
    cands : sequence of Candidate
    findings : sequence of Finding
        The scored findings (see :func:`is_scored`).
    atlas : Atlas

    Returns
    -------
    list of Evaluation
        Sorted best first (ties broken by kind, territory size, id and side, so the order is
        deterministic).
    """
    table = ScoringTable(atlas, cands)
    scores = table.evaluate(findings, [finding_weight(f, atlas) for f in findings])
    return [scores.evaluation(int(k)) for k in scores.order]
