"""Score candidate lesion sites against the findings of a case.

The method (written out for users in ``docs/method.md``; every number is in
:mod:`neuromap.weights`):

* Each finding has an evidence weight (:func:`finding_weight`): motor and reflex findings weigh
  most, sensory findings less (numbness and tingling above pain, which follows dermatomes
  poorly), scaled by severity (MRC grade, absent vs reduced reflex, how much of a region a
  drawing covers) and by the finding's share of its entry.
* Each candidate predicts an involvement ``p`` in [0, 1] for every target (its territory). An
  abnormal finding adds ``w * p`` and costs ``LAMBDA * w * (1 - p)``; an examined normal finding
  that the candidate predicts abnormal costs ``w * tolerance * p`` (tolerance is lower for roots,
  which often spare part of their territory, than for nerves).
* Parsimony: explanations that need several lesions or are rarer pay a fixed cost, and of two
  equal explanations the one with the smaller territory earns more (the size principle).
* Examined normal findings a candidate does not contradict count in its favour.
* The evidence sum divided by the case's total evidence weight is the *fit*; the score is
  ``exp(KAPPA * (fit - 1))``, in (0, 1], 1 for a candidate that explains everything at no cost.
  All terms are additive, so adding a finding a candidate explains never lowers it relative to a
  candidate that does not explain it.

:class:`ScoringTable` holds every candidate's involvement of every target as arrays, built once
per atlas and dermatome layer; :meth:`ScoringTable.score_many` applies the formula above to many
cases at once with numpy, over every (candidate, side) option; :meth:`ScoringTable.score` is its
batch of one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import electrodiagnosis
from neuromap.inference.candidates import Candidate, candidates
from neuromap.inference.case import Finding
from neuromap.inference.studies import STUDY_KINDS, study_columns, study_involvement
from neuromap.weights import (
    BILATERAL_COST,
    EDX_EVIDENCE,
    EPSILON,
    KAPPA,
    KIND_ORDER,
    LAMBDA,
    NORMAL_WEIGHTS,
    PRIOR_EVIDENCE_FLOOR,
    SENSORY_DEFAULT_WEIGHT,
    SENSORY_WEIGHTS,
    SIGN_WEIGHT,
    SIGN_WEIGHT_RED_FLAG,
    SILENT_SIDE,
    TOLERANCE,
)

__all__ = [
    "SIDE_NAMES",
    "Evaluation",
    "ScoreInput",
    "Scores",
    "ScoringTable",
    "evaluate",
    "finding_weight",
    "involvement",
    "is_scored",
    "not_scored_reason",
    "scoring_table",
    "sign_keys",
    "specificity",
]

#: The sides an option (a candidate on a side) can take; a side code indexes this tuple.
SIDE_NAMES = ("left", "right", "bilateral")
#: The target kinds a finding can have, in the order of the table's columns.
TARGET_KINDS = ("region", "movement", "muscle", "reflex", "sign")
#: Which side options a finding on the left (row 0) or on the right (row 1) takes part in.
_SIDE_MASKS = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
_SIDE_MASKS.flags.writeable = False
#: Added to the sort key of an option a case does not score (past every scored one's: see score_many).
_UNSCORED_KEY = 1 << 60


def is_scored(f: Finding, atlas: Atlas) -> bool:
    """Whether a finding takes part in scoring (upper motor neuron signs do not).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.case import parse_case
    >>> atlas = neuromap.load_atlas()
    >>> [is_scored(f, atlas) for f in parse_case({"side": "left", "reflexes": {"patellar": "brisk"}}, atlas).findings]
    [False]
    """
    return not_scored_reason(f, atlas) is None


def not_scored_reason(f: Finding, atlas: Atlas) -> str | None:
    """Why a finding takes no part in scoring, or None when it is scored.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.case import parse_case
    >>> atlas = neuromap.load_atlas()
    >>> f = parse_case({"side": "left", "other": ["babinski"]}, atlas).findings[0]
    >>> not_scored_reason(f, atlas)
    'an upper motor neuron sign: the lesion may lie above the cauda equina, outside this lower motor neuron model'
    """
    umn = "the lesion may lie above the cauda equina, outside this lower motor neuron model"
    if f.kind == "reflex" and f.modality == "brisk":
        return f"a brisk reflex is an upper motor neuron sign: {umn}"
    if f.kind == "sign" and not atlas.sign(f.target)["points_to"]:
        if atlas.sign(f.target).get("warning") == "umn":
            return f"an upper motor neuron sign: {umn}"
        return "this sign points to no lesion site of the atlas"
    return None


def finding_weight(f: Finding, atlas: Atlas) -> float:
    """Evidence weight of a finding (see :mod:`neuromap.weights`).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.case import parse_case
    >>> atlas = neuromap.load_atlas()
    >>> f = parse_case({"side": "left", "motor": [{"name": "hip abduction", "grade": 4}]}, atlas).findings[0]
    >>> finding_weight(f, atlas)
    0.7
    """
    if not f.abnormal:
        return NORMAL_WEIGHTS[f.kind] * f.share
    if f.kind == "region":
        return SENSORY_WEIGHTS.get(f.modality or "numbness", SENSORY_DEFAULT_WEIGHT) * f.severity * f.share
    if f.kind == "sign":
        return SIGN_WEIGHT_RED_FLAG if atlas.sign(f.target).get("red_flag") else SIGN_WEIGHT
    if f.kind in STUDY_KINDS:
        return EDX_EVIDENCE[f.kind] * f.severity
    return f.severity


def sign_keys(sign: Mapping[str, Any]) -> frozenset[str]:
    """The :attr:`Candidate.points_to` keys a sign points to (``root:L5``, ``nerve:tibial@...``, ``kind:...``)."""
    pt = sign["points_to"]
    keys = {f"root:{r}" for r in pt.get("roots", ())} | {f"kind:{k}" for k in pt.get("kinds", ())}
    keys |= {f"nerve:{n['nerve']}@{n['site']}" if n.get("site") else f"nerve:{n['nerve']}"
             for n in pt.get("nerves", ())}
    return frozenset(keys)


def involvement(c: Candidate, f: Finding, atlas: Atlas) -> float:
    """How strongly candidate *c* predicts the target of finding *f* to be involved, in [0, 1]."""
    if f.kind in STUDY_KINDS:
        return study_involvement(atlas, c, electrodiagnosis(atlas).study(f.kind, f.target))
    if f.kind == "sign":
        return 1.0 if sign_keys(atlas.sign(f.target)) & c.points_to else 0.0
    return c.territory.get(f.kind, f.target)


def specificity(cands: Sequence[Candidate]) -> list[float]:
    """Relative territory size of each candidate, in [0, 1].

    The size is the tolerance-weighted sum of the whole territory (skin, muscles, reflexes: a
    root's broad but often-spared dermatome weighs less than a nerve's autonomous zone) divided
    by the largest candidate's. Constant for an atlas and map: it never depends on the findings.
    """
    raw = []
    for c in cands:
        tol = TOLERANCE[c.kind]
        t = c.territory
        raw.append(tol["region"] * sum(t.regions.values()) + tol["motor"] * sum(t.muscles.values())
                   + tol["reflex"] * sum(t.reflexes.values()))
    top = max(raw, default=1.0) or 1.0
    return [v / top for v in raw]


def _group(kind: str) -> str:
    """The tolerance group of a target kind."""
    return "motor" if kind in ("movement", "muscle") else kind


class ScoringTable:
    """Every candidate's predicted involvement of every target, as arrays (built once per atlas and map).

    Parameters
    ----------
    atlas : Atlas
    cands : sequence of Candidate

    Attributes
    ----------
    candidates : tuple of Candidate
    columns : dict
        ``(kind, target) -> column`` of :attr:`p`, for regions, movements, muscles, reflexes and
        signs, then the electrodiagnostic studies (:mod:`neuromap.inference.studies`).
    p : numpy.ndarray
        ``(n_candidates, n_targets)`` involvement.
    p_tolerance : numpy.ndarray
        :attr:`p` times how much an examined normal target counts against the candidate.
    discount : numpy.ndarray
        ``(n_candidates,)`` credit kept for an explained finding after the size principle.
    cost : numpy.ndarray
        ``(n_candidates,)`` parsimony cost.
    bilateral : numpy.ndarray
        ``(n_candidates,)`` whether the lesion is bilateral by nature.
    tie_rank : numpy.ndarray
        ``(n_candidates,)`` the order among equal scores: the more local kind, the smaller
        territory, the id.
    group : numpy.ndarray
        ``(n_candidates,)`` the hypothesis each candidate belongs to (the sites of one nerve
        share one).
    nerve_rows : dict
        ``nerve -> rows`` of its sites.
    """

    def __init__(self, atlas: Atlas, cands: Sequence[Candidate]) -> None:
        self.candidates = tuple(cands)
        self.columns = {(k, t): j for j, (k, t) in enumerate((k, t) for k in TARGET_KINDS for t in atlas.ids(k))}
        bedside = len(self.columns)
        # the electrodiagnostic studies (issue 18) are columns after the bedside targets
        study_keys, study_p = study_columns(atlas, self.candidates)
        self.columns.update((key, bedside + j) for j, key in enumerate(study_keys))
        n, m = len(self.candidates), len(self.columns)
        p = np.zeros((n, m))
        p[:, bedside:] = study_p
        tolerance = np.zeros((n, m))
        signs = [(self.columns[("sign", s)], sign_keys(atlas.sign(s))) for s in atlas.ids("sign")]
        territory_of = (("region", "regions"), ("movement", "movements"), ("muscle", "muscles"), ("reflex", "reflexes"),
                        ("muscle", "composites"))
        kind_of_column = [k for k, _ in self.columns]
        for i, c in enumerate(self.candidates):
            for kind, attr in territory_of:
                for target, w in getattr(c.territory, attr).items():
                    j = self.columns.get((kind, target))
                    if j is not None:
                        p[i, j] = w
            for j, keys in signs:
                p[i, j] = 1.0 if keys & c.points_to else 0.0
            tolerance[i] = [TOLERANCE[c.kind][_group(k)] for k in kind_of_column]
        self.p = p
        self.p_tolerance = p * tolerance
        self.discount = 1.0 - EPSILON * np.array(specificity(self.candidates))
        self.cost = np.array([c.cost for c in self.candidates])
        self.bilateral = np.array([c.bilateral for c in self.candidates], dtype=bool)
        kind_rank = [KIND_ORDER.index(c.kind) for c in self.candidates]
        ids = sorted({c.id for c in self.candidates})
        self.tie_rank = np.empty(n, dtype=np.intp)
        self.tie_rank[np.lexsort(([ids.index(c.id) for c in self.candidates], [c.size for c in self.candidates],
                                  kind_rank))] = np.arange(n)
        groups: dict[tuple[str, str], int] = {}
        self.group = np.array([groups.setdefault(c.group, len(groups)) for c in self.candidates],
                              dtype=np.intp)
        self.nerve_rows: dict[str, tuple[int, ...]] = {}
        for i, c in enumerate(self.candidates):
            if c.nerve is not None:
                self.nerve_rows[c.nerve] = (*self.nerve_rows.get(c.nerve, ()), i)
        for a in (self.p, self.p_tolerance, self.discount, self.cost, self.bilateral, self.tie_rank, self.group):
            a.flags.writeable = False
        self._options = {(left, right): self._side_options(left, right) for left in (False, True)
                         for right in (False, True)}
        # the grid of every (candidate, side code) option, ``row * 3 + side code``, for score_many
        # per (target column, side of the finding): the involvement under every grid option, 0 off
        # that side (row ``column * 2 + is_right``), so a chunk's findings gather their rows at once
        self._p_sided = (self.p.T[:, None, :, None] * _SIDE_MASKS[None, :, None, :]).reshape(2 * m, 3 * n)
        self._p_tolerance_sided = (self.p_tolerance.T[:, None, :, None]
                                   * _SIDE_MASKS[None, :, None, :]).reshape(2 * m, 3 * n)
        codes = np.tile(np.arange(3), n)
        self._discount_lambda = np.repeat(self.discount + LAMBDA - 1.0, 3)
        self._cost = np.repeat(self.cost, 3) + BILATERAL_COST * ((codes == 2) & ~np.repeat(self.bilateral, 3))
        self._grid_tie = np.repeat(self.tie_rank, 3) * 3 + codes
        self._bilateral_grid = np.repeat(self.bilateral, 3).astype(float)
        # which grid options a case scores, by its sides' pattern: has_left * 2 + has_right
        self._valid_by_pattern = np.array([np.isin(np.arange(3 * n), self._options[(left, right)].grid)
                                           for left in (False, True) for right in (False, True)])
        for a in (self._p_sided, self._p_tolerance_sided, self._discount_lambda, self._cost, self._grid_tie,
                  self._valid_by_pattern, self._bilateral_grid):
            a.flags.writeable = False

    def options(self, has_left: bool, has_right: bool) -> Options:
        """The (candidate, side) options scored for a case with findings on these sides.

        A one-sided candidate is scored on each side that has findings and, where both sides
        have findings, on both; a bilateral candidate (cauda equina, polyneuropathy) on both
        sides only. Options come in (row, side code) order.
        """
        return self._options[(has_left, has_right)]

    def _side_options(self, has_left: bool, has_right: bool) -> Options:
        valid = np.zeros((len(self.candidates), 3), dtype=bool)
        one_sided = ~self.bilateral
        valid[one_sided, 0] = has_left
        valid[one_sided, 1] = has_right
        valid[one_sided, 2] = has_left and has_right
        valid[self.bilateral, 2] = True
        flat = np.flatnonzero(valid.ravel())
        rows, codes = flat // 3, flat % 3
        position = np.full(valid.size, -1, dtype=np.intp)
        position[flat] = np.arange(len(flat))
        tie = np.empty(len(flat), dtype=np.intp)
        tie[np.lexsort((codes, self.tie_rank[rows]))] = np.arange(len(flat))
        options = Options(rows, codes, self.discount[rows] + LAMBDA - 1.0,
                          self.cost[rows] + BILATERAL_COST * ((codes == 2) & ~self.bilateral[rows]), tie, position,
                          flat)
        for a in options:
            a.flags.writeable = False
        return options

    def score(self, findings: Sequence[Finding], weights: Sequence[float], *, prior: np.ndarray | None = None,
              support: np.ndarray | None = None, contradiction_scale: float = 1.0) -> Scores:
        """Score every candidate on every side option valid for the findings' sides.

        The batch of one of :meth:`score_many`, which holds the formula.

        Parameters
        ----------
        findings : sequence of Finding
            The scored findings (see :func:`is_scored`), at least one.
        weights : sequence of float
            The weight of each finding (:func:`finding_weight`).
        prior, support : numpy.ndarray, optional
            Per candidate: the prior term and the pattern support, in evidence units
            (:mod:`neuromap.inference.terms`); none by default.
        contradiction_scale : float, optional
            What examined normal findings cost a candidate that predicts them abnormal, as a
            fraction of the full cost (lower for an irritative, pain-only picture).

        Returns
        -------
        Scores
        """
        return self.score_many([ScoreInput(tuple(findings), tuple(weights), prior, support, contradiction_scale)])[0]

    def score_many(self, cases: Sequence[ScoreInput]) -> list[Scores]:
        """Score many cases at once: the formula of the module docstring, over every case of a chunk.

        Every case is scored over the whole grid of (candidate, side code) options: each
        finding gathers its row of a precomputed ``(target x side, grid)`` table (0 off its
        side), stacked with the other cases' findings into one ``(findings, grid)`` array and
        summed per case (:func:`numpy.add.reduceat`, in finding order); each case then keeps the
        options valid for its sides (:meth:`options`). A case's numbers depend only on its own
        inputs, never on the other cases of the chunk.

        Parameters
        ----------
        cases : sequence of ScoreInput
            Each case's scored findings (at least one), their weights and its other terms.

        Returns
        -------
        list of Scores
            One per case, in order.
        """
        if not cases:
            return []
        n_cases = len(cases)
        counts = [len(c.findings) for c in cases]
        if min(counts) < 1:
            raise ValueError("every case scored needs at least one finding")
        findings = [f for c in cases for f in c.findings]
        cols = np.fromiter((self.columns[(f.kind, f.target)] for f in findings), np.intp, len(findings))
        right = np.fromiter((f.side == "right" for f in findings), np.intp, len(findings))
        weight = np.fromiter((w for c in cases for w in c.weights), float, len(findings))
        abnormal = np.fromiter((f.abnormal for f in findings), bool, len(findings))
        starts = np.zeros(n_cases, dtype=np.intp)
        np.cumsum(counts[:-1], out=starts[1:])
        # each finding's involvement under every option of the grid, 0 off its side: (findings, grid)
        sided = cols * 2 + right
        p = self._p_sided[sided]
        w_abnormal = np.where(abnormal, weight, 0.0)
        w_normal = weight - w_abnormal
        case_of = np.repeat(np.arange(n_cases), counts)
        explained = _weighted_sums(p, w_abnormal, case_of, n_cases)
        against = _weighted_sums(self._p_tolerance_sided, w_normal, case_of, n_cases, rows=sided)
        sum_abnormal = np.add.reduceat(w_abnormal, starts)
        sum_normal = np.add.reduceat(w_normal, starts)
        total = sum_abnormal + sum_normal
        total[total == 0.0] = 1.0
        scale = np.array([c.contradiction_scale for c in cases])
        base = explained - LAMBDA * sum_abnormal[:, None] - scale[:, None] * against  # abnormal weight explained
        right_any = np.logical_or.reduceat(right.astype(bool), starts)
        right_all = np.logical_and.reduceat(right.astype(bool), starts)
        pattern = (~right_all) * 2 + right_any      # has_left * 2 + has_right
        # a bilateral-by-nature lesion where every finding of the case lies on one side: the other side
        # is silent, and it pays for predicting the same findings there (patterns 1 and 2: one side only)
        one_sided = ((pattern == 1) | (pattern == 2)).astype(float)
        explained_silent = explained * (SILENT_SIDE * one_sided[:, None] * self._bilateral_grid)
        evidence_fit = (base + explained * LAMBDA - explained_silent + sum_normal[:, None]) / total[:, None]
        # the prior weighs against the case's evidence, but never against less than the floor:
        # with one faint finding the base rates must not decide alone
        floor = np.maximum(total, PRIOR_EVIDENCE_FLOOR)[:, None]
        prior = np.repeat(self._stack([c.prior for c in cases]), 3, axis=1) / floor
        support = np.repeat(self._stack([c.support for c in cases]), 3, axis=1) / total[:, None]
        fit = ((base + explained * self._discount_lambda - explained_silent + (sum_normal[:, None] - self._cost))
               / total[:, None]
               + (prior + support))
        score = np.minimum(np.exp(KAPPA * (fit - 1.0)), 1.0)
        # best first: the score to 12 decimals, then the tie rank of the candidate, then the side;
        # the options a case does not score go last. One int64 key holds the three (the score in
        # units of 1e-12 is at most 1e12, the tie rank below the grid's size), and no two options
        # of a case share a key, so one sort gives the order of the three.
        valid = self._valid_by_pattern[pattern]
        key = (np.rint(score * -1e12).astype(np.int64) * len(self._grid_tie) + self._grid_tie
               + np.where(valid, 0, _UNSCORED_KEY))
        order = np.argsort(key, axis=-1)
        is_listed = explained > 0.0
        is_listed[(sum_abnormal == 0.0) | ~(is_listed & valid).any(axis=1)] = True
        out: list[Scores | None] = [None] * n_cases
        for code in np.unique(pattern).tolist():
            opt = self.options(code >= 2, code % 2 == 1)
            g = opt.grid
            idx = np.flatnonzero(pattern == code)
            orders = opt.position[order[idx, :len(g)]]
            listed = np.take_along_axis(is_listed[idx][:, g], orders, axis=1)
            values = [a[idx][:, g] for a in (score, fit, evidence_fit, prior, is_listed)]
            # the same values as lists, for reading one option at a time: converted for the chunk at once
            shared = opt.rows.tolist(), opt.side_codes.tolist(), opt.position.tolist()
            as_lists = [values[a].tolist() for a in (0, 1, 2, 4)]
            for j, i in enumerate(idx.tolist()):
                lo = int(starts[i])
                lists = OptionLists(shared[0], shared[1], as_lists[0][j], as_lists[1][j], as_lists[2][j],
                                    as_lists[3][j], shared[2])
                out[i] = Scores(self, cases[i].findings, opt.rows, opt.side_codes, values[0][j], values[1][j],
                                values[2][j], np.ascontiguousarray(p[lo:lo + counts[i], g].T), orders[j],
                                orders[j][listed[j]], values[4][j], opt.position, values[3][j], lists)
        return out  # type: ignore[return-value]

    def _stack(self, terms: Sequence[np.ndarray | None]) -> np.ndarray:
        """Per-candidate terms of many cases as a ``(cases, candidates)`` array, 0 for a case without one."""
        out = np.zeros((len(terms), len(self.candidates)))
        for i, t in enumerate(terms):
            if t is not None:
                out[i] = t
        return out


def _weighted_sums(values: np.ndarray, weight: np.ndarray, case_of: np.ndarray, n_cases: int,
                   rows: np.ndarray | None = None) -> np.ndarray:
    """Per case, the sum over its findings of ``weight * values[row]``, in finding order: ``(cases, grid)``.

    Findings of weight 0 add nothing and are skipped (their rows are not gathered); *rows* picks
    each finding's row of *values* (by default row *i* is finding *i*'s).
    """
    keep = np.flatnonzero(weight)
    out = np.zeros((n_cases, values.shape[1]))
    if len(keep):
        owner = case_of[keep]
        starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        picked = values[keep if rows is None else rows[keep]]
        out[owner[starts]] = np.add.reduceat(picked * weight[keep][:, None], starts, axis=0)
    return out


class ScoreInput(NamedTuple):
    """What :meth:`ScoringTable.score_many` scores for one case: its findings and its other terms.

    The terms beside the findings are per-case inputs, so new ones join here (and in the
    formula of :meth:`ScoringTable.score_many`) without changing the callers' loop.
    """

    findings: tuple[Finding, ...]          #: the scored findings (at least one)
    weights: tuple[float, ...]             #: each finding's weight (:func:`finding_weight`)
    prior: np.ndarray | None = None        #: per candidate, the prior term (evidence units)
    support: np.ndarray | None = None      #: per candidate, the pattern support (evidence units)
    contradiction_scale: float = 1.0       #: the share of the cost of contradicted normal findings


class Options(NamedTuple):
    """The (candidate, side) options of one pattern of sides, with their constants (per option)."""

    rows: np.ndarray             #: candidate row
    side_codes: np.ndarray       #: side code (index into SIDE_NAMES)
    discount_lambda: np.ndarray  #: what explained weight earns beyond 1: the size discount + LAMBDA - 1
    cost: np.ndarray             #: parsimony cost, plus the bilateral cost of a one-sided lesion on both sides
    tie: np.ndarray              #: rank by (tie rank of the candidate, side code): the order among equal scores
    position: np.ndarray         #: ``row * 3 + side code -> option``, -1 where not scored
    grid: np.ndarray             #: each option's place in the grid of all options, ``row * 3 + side code``


@dataclass(frozen=True, eq=False)
class Scores:
    """The scores of every (candidate, side) option for one case, and their order.

    Every per-option array is indexed by option.

    Attributes
    ----------
    table : ScoringTable
    findings : tuple of Finding
        The scored findings.
    rows, side_codes : numpy.ndarray
        The candidate row and side code (index into :data:`SIDE_NAMES`) of each option.
    score, fit, evidence_fit : numpy.ndarray
        Per option; the evidence fit is the fit before parsimony and size costs.
    p : numpy.ndarray
        ``(options, findings)``: the candidate's involvement of each finding's target, 0 where
        the finding's side is not in the option.
    order : numpy.ndarray
        Option indices best first: score, then the more local kind, the smaller territory,
        the id, the side.
    listed : numpy.ndarray
        :attr:`order` without the options that explain none of the abnormal findings (all of
        :attr:`order` when the case has no abnormal finding, or when no option explains one).
    is_listed : numpy.ndarray
        Whether each option is in :attr:`listed`.
    position : numpy.ndarray
        ``row * 3 + side code -> option``, -1 where that option was not scored.
    prior_fit : numpy.ndarray
        The part of each option's fit that is its prior (0 or less; 0 with the uniform prior).
    lists : OptionLists
        The per-option arrays as Python lists, for reading one option at a time (the lists of
        ``rows``, ``side_codes`` and ``position`` are shared by the cases of one pattern of
        sides: read-only).
    """

    table: ScoringTable
    findings: tuple[Finding, ...]
    rows: np.ndarray
    side_codes: np.ndarray
    score: np.ndarray
    fit: np.ndarray
    evidence_fit: np.ndarray
    p: np.ndarray
    order: np.ndarray
    listed: np.ndarray
    is_listed: np.ndarray
    position: np.ndarray
    prior_fit: np.ndarray
    lists: OptionLists = field(repr=False)

    def evaluation(self, k: int) -> Evaluation:
        """The :class:`Evaluation` of option *k*."""
        v = self.lists
        return Evaluation(self.table.candidates[v.rows[k]], SIDE_NAMES[v.side_codes[k]], v.score[k], v.fit[k],
                          v.evidence_fit[k], tuple(self.p[k].tolist()), float(self.prior_fit[k]))


class OptionLists(NamedTuple):
    """The per-option values of :class:`Scores` as lists (see :attr:`Scores.lists`)."""

    rows: list[int]
    side_codes: list[int]
    score: list[float]
    fit: list[float]
    evidence_fit: list[float]
    is_listed: list[bool]
    position: list[int]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A candidate on one side (or both), with its score and per-finding involvement."""

    candidate: Candidate
    side: str                      # "left", "right" or "bilateral"
    score: float
    fit: float
    evidence_fit: float            # fit before parsimony and size costs: what the findings decide
    p: tuple[float, ...]           # involvement per scored finding, 0 where the side differs
    prior_fit: float = 0.0         # the part of the fit that is the prior (0 or less)


@functools.lru_cache(maxsize=32)
def scoring_table(atlas: Atlas, dermatome_map: str) -> ScoringTable:
    """The cached :class:`ScoringTable` of an atlas under one dermatome layer."""
    return ScoringTable(atlas, candidates(atlas, dermatome_map))


def evaluate(cands: Sequence[Candidate], findings: Sequence[Finding], atlas: Atlas) -> list[Evaluation]:
    """Score every candidate on every side present in the findings, best first.

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
    scores = ScoringTable(atlas, cands).score(findings, [finding_weight(f, atlas) for f in findings])
    return [scores.evaluation(int(k)) for k in scores.order]
