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
        #: per pattern of examined (column, side) pairs: see :meth:`_pattern`
        self._patterns: dict[tuple[tuple[int, ...], tuple[bool, ...]],
                             tuple[np.ndarray, np.ndarray, list[int], list[int], list[int], list[int]]] = {}
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
        """Score every candidate on every side option valid for the case's sides; see :class:`Scores`.

        The fits are linear in the findings' weights, so, per pattern of examined targets and
        sides (cached, see :meth:`_pattern`), one matrix turns the weights into both fits of
        every option in a single matrix-vector product: the case itself costs a handful of
        numpy calls. The arithmetic is that of :meth:`evaluate_arrays` regrouped (the same
        sums, in another order: the results agree to the last few bits).
        """
        columns = self.columns
        cols: list[int] = []
        right: list[bool] = []
        wa: list[float] = []
        wn: list[float] = []
        sum_wa = sum_wn = 0.0
        for f, w in zip(findings, weights, strict=True):
            cols.append(columns[(f.kind, f.target)])
            right.append(f.side == "right")
            if f.abnormal:
                sum_wa += w
                wa.append(w)
                wn.append(0.0)
            else:
                sum_wn += w
                wa.append(0.0)
                wn.append(w)
        return self._scores(cols, right, wa, wn, sum_wa, sum_wn)

    def evaluate_case(self, findings: Sequence[Finding], atlas: Atlas
                      ) -> tuple[list[Finding], list[Finding], Scores | None]:
        """Split a case's findings into scored and not scored and score the scored ones, in one pass.

        The same as ``evaluate(scored, [finding_weight(f, atlas) for f in scored])`` with
        ``scored`` the findings :func:`is_scored` keeps (None when there are none).

        Parameters
        ----------
        findings : sequence of Finding
            Every finding of the case.
        atlas : Atlas
            The atlas of the table.

        Returns
        -------
        scored, not_scored : list of Finding
        scores : Scores or None
        """
        columns = self.columns
        signs = atlas._signs
        scored: list[Finding] = []
        not_scored: list[Finding] = []
        cols: list[int] = []
        right: list[bool] = []
        wa: list[float] = []
        wn: list[float] = []
        sum_wa = sum_wn = 0.0
        for f in findings:
            kind = f.kind
            if kind == "reflex" and f.modality == "brisk":
                not_scored.append(f)
                continue
            if kind == "sign" and not signs[f.target]["points_to"]:
                not_scored.append(f)
                continue
            scored.append(f)
            cols.append(columns[(kind, f.target)])
            right.append(f.side == "right")
            # finding_weight, inline
            if not f.abnormal:
                w = NORMAL_WEIGHTS[kind] * f.share
                sum_wn += w
                wa.append(0.0)
                wn.append(w)
                continue
            if kind == "region":
                w = SENSORY_WEIGHTS.get(f.modality or "numbness", 0.5) * f.severity * f.share
            elif kind == "sign":
                w = 1.0 if signs[f.target].get("red_flag") else 0.6
            else:
                w = f.severity
            sum_wa += w
            wa.append(w)
            wn.append(0.0)
        if not scored:
            return scored, not_scored, None
        return scored, not_scored, self._scores(cols, right, wa, wn, sum_wa, sum_wn)

    def _scores(self, cols_list: list[int], right_list: list[bool], wa: list[float], wn: list[float],
                sum_wa: float, sum_wn: float) -> Scores:
        """The :class:`Scores` of findings in these columns and sides with these weights (see :meth:`evaluate`)."""
        key = (tuple(cols_list), tuple(right_list))
        pattern = self._patterns.get(key)
        if pattern is None:
            pattern = self._pattern(*key)
        g, static, opt_rows, opt_codes, position, group_keys = pattern
        total = (sum_wa + sum_wn) or 1.0
        # v = (abnormal weights, -normal weights, 1, the constant sum_wn - LAMBDA * sum_wa, 1) / total,
        # the last 1 not divided (see _pattern)
        v = [w / total for w in wa]
        v += [-w / total for w in wn]
        v += (1.0 / total, (sum_wn - LAMBDA * sum_wa) / total, 1.0)
        # rows 0..n-1: the fit; n..2n-1: the evidence fit; 2n..3n-1: KAPPA * (fit - 1)
        out = g @ np.array(v)
        n = len(opt_rows)
        score = out[2 * n:3 * n]
        np.exp(score, out=score)
        np.minimum(score, 1.0, out=score)
        # best first: score rounded to 12 decimals (rint(score * 1e12) is what np.round(score, 12)
        # rounds to), then tie rank, then side: one exact key per option, -rint(score * 1e12)
        # plus the static rank / _KEY_SCALE (static holds that fraction): an integer below 2**40
        # plus a multiple of 2**-12 below 1, exact in a float64 (the integer key this was, over _KEY_SCALE)
        key_ = np.rint(score * -1e12)
        key_ += static
        ranks = key_.argsort(kind="stable")
        order = ranks.tolist()
        listed = order
        explained = None
        if sum_wa > 0.0:
            # rows 3n..4n-1: the explained abnormal weight (products of non-negative numbers: 0
            # exactly when the option explains no abnormal finding)
            kept = ranks[out[3 * n:][ranks] > 0.0]
            if 0 < len(kept) < n:
                listed = kept.tolist()
                explained = out[3 * n:]
        # the fits become lists when first read (most cases read a few of them, or none)
        return Scores(self, key[0], key[1], opt_rows, opt_codes, score.tolist(), None, None, position, order,
                      group_keys, out[:2 * n], listed, explained)

    def _pattern(self, cols: tuple[int, ...], right: tuple[bool, ...]
                 ) -> tuple[np.ndarray, np.ndarray, list[int], list[int], list[int], list[int]]:
        """What depends only on the examined (target, side) pairs, not on the weights (cached, bounded).

        ``g @ v``, ``v = (w_abnormal, -w_normal, 1, sum_wn - LAMBDA * sum_wa) / total`` and a
        final 1, is the fit (rows ``0..n-1``), the evidence fit (rows ``n..2n-1``) and
        ``KAPPA * (fit - 1)`` (rows ``2n..3n-1``) of every option: explained weight ``e``
        earns ``1 + LAMBDA + discount - 1`` (``1 + LAMBDA`` without the size principle),
        contradicted weight costs its ``p * tolerance``, the option's cost is paid once. Rows
        ``3n..4n-1`` are ``e / total`` itself (which options explain an abnormal finding).
        """
        opt = self._side_options(not all(right), any(right))
        c = np.array(cols, dtype=np.intp)
        masks = _SIDE_MASKS[np.array(right, dtype=np.intp)].T[opt.codes]   # (n, k): finding in option
        p = self.p[opt.rows[:, None], c] * masks
        pt = self.p_tolerance[opt.rows[:, None], c] * masks
        n = len(opt.rows)
        k = len(cols)
        g = np.zeros((4 * n, 2 * k + 3))
        g[:n, :k] = p * (1.0 + opt.discount_lambda)[:, None]
        g[n:2 * n, :k] = p * (1.0 + LAMBDA)
        g[:n, k:2 * k] = pt
        g[n:2 * n, k:2 * k] = pt
        g[:n, 2 * k] = -opt.cost
        g[:2 * n, 2 * k + 1] = 1.0
        g[2 * n:3 * n] = KAPPA * g[:n]
        g[2 * n:3 * n, 2 * k + 2] = -KAPPA
        g[3 * n:, :k] = p
        static = opt.static / _KEY_SCALE  # exact: a power of two
        rows_list, codes_list = opt.rows.tolist(), opt.codes.tolist()
        group = self.group
        # one int per (hypothesis group, side) of each option (see Scores.group_keys)
        group_keys = [group[r] * 3 + c for r, c in zip(rows_list, codes_list, strict=True)]
        got = (g, static, rows_list, codes_list, opt.position.tolist(), group_keys)
        size = g.nbytes + static.nbytes
        if self._pattern_bytes + size <= _PATTERN_CACHE_BYTES:
            for arr in (g, static):
                arr.flags.writeable = False
            self._patterns[(cols, right)] = got
            self._pattern_bytes += size
        return got

    def evaluate_arrays(self, findings: Sequence[Finding], weights: Sequence[float]) -> dict[str, np.ndarray]:
        """The scores of :meth:`evaluate` computed with numpy over every candidate (a reference).

        Returns
        -------
        dict
            ``rows``, ``side_codes``, ``score``, ``fit`` and ``evidence_fit`` per option, in the
            option order of :meth:`evaluate`.
        """
        cols = np.array([self.columns[(f.kind, f.target)] for f in findings], dtype=np.intp)
        right = np.array([f.side == "right" for f in findings], dtype=np.intp)
        masks = _SIDE_MASKS[right]
        gathered = self._p_and_tolerance[:, :, cols]
        opt = self._side_options(not right.all(), bool(right.any()))
        wa = [x if f.abnormal else 0.0 for f, x in zip(findings, weights, strict=True)]
        ww = np.array([weights, wa, [x - y for x, y in zip(weights, wa, strict=True)]], dtype=float)
        total, sum_wa, sum_wn = ww.sum(axis=1).tolist()
        total = total or 1.0
        both = gathered @ (ww[1:, :, None] * masks)
        e, contradicted = both.reshape(2, -1)[:, opt.flat]
        base = e - LAMBDA * sum_wa - contradicted
        fits = ((base + e * opt.lambdas) + (sum_wn - opt.costs)) / total
        score = np.minimum(np.exp(KAPPA * (fits[1] - 1.0)), 1.0)
        return {"rows": opt.rows, "side_codes": opt.codes, "score": score, "fit": fits[1], "evidence_fit": fits[0]}

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
            codes = flat % 3
            tie = self.tie_rank[rows]
            static = np.empty(len(flat), dtype=np.intp)
            static[np.lexsort((codes, tie))] = np.arange(len(flat))
            if len(flat) >= _KEY_SCALE:  # pragma: no cover - guard: the rank must fit below the score key
                raise ValueError("too many candidates for the ranking key")
            got = _Options(flat, position, rows, codes, dl, cost, tie,
                           np.stack([np.full(len(flat), LAMBDA), dl]), np.stack([np.zeros(len(flat)), cost]), static)
            for a in (got.flat, got.position, got.rows, got.codes, got.discount_lambda, got.cost, got.tie,
                      got.lambdas, got.costs, got.static):
                a.flags.writeable = False
            self._option_cache[key] = got
        return got

    def option(self, scores: Scores, row: int, side: str) -> int | None:
        """Index of the option of candidate *row* on *side* in *scores*, or None if not scored there."""
        k = int(scores.position[row * 3 + SIDE_NAMES.index(side)])
        return k if k >= 0 else None


SIDE_NAMES = ("left", "right", "bilateral")
#: memory the per-table cache of examined-target patterns may hold
_PATTERN_CACHE_BYTES = 4_000_000
#: a static rank / this is a multiple of 2**-12 below 1: added to -rint(score * 1e12) (an integer
#: below 2**40) it stays exact
_KEY_SCALE = 4096.0
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
    static: np.ndarray           # rank of each option by (tie rank, side code): the order among equal scores


class Scores:
    """Scores of every (candidate, side) option for one case, with the order to rank them.

    Every per-option field is a Python list indexed by option.

    Attributes
    ----------
    table : ScoringTable
    cols : tuple of int
        The column of :attr:`ScoringTable.p` of each scored finding.
    right : tuple of bool
        Whether each scored finding is on the right.
    rows, side_codes : list of int
        The candidate row and side code (index into ``SIDE_NAMES``) of each option.
    score, fit, evidence_fit : list of float
        Per option.
    position : list of int
        ``row * 3 + side code -> option``, -1 where the option is not scored.
    order : list of int
        Option indices best first: score, then the more local kind, the smaller territory,
        the id, the side.
    listed : list of int
        :attr:`order` without the options that explain none of the abnormal findings (all of
        :attr:`order` when the case has no abnormal finding, or when no option explains one).
    group_keys : list of int
        ``group * 3 + side code`` of each option (``group`` the hypothesis group of its
        candidate, :attr:`ScoringTable.group`): equal for the sites of one nerve on one side.
    """

    __slots__ = ("table", "cols", "right", "rows", "side_codes", "score", "_fit", "_evidence_fit", "position",
                 "order", "group_keys", "_fits", "listed", "_explained")

    def __init__(self, table: ScoringTable, cols: tuple[int, ...], right: tuple[bool, ...], rows: list[int],
                 side_codes: list[int], score: list[float], fit: list[float] | None,
                 evidence_fit: list[float] | None, position: list[int], order: list[int],
                 group_keys: list[int] | None = None, fits: np.ndarray | None = None,
                 listed: list[int] | None = None, explained: np.ndarray | None = None) -> None:
        self.table = table
        self.cols = cols
        self.right = right
        self.rows = rows
        self.side_codes = side_codes
        self.score = score
        # fit and evidence fit as lists, or None until read from fits (fit, then evidence fit)
        self._fit = fit
        self._evidence_fit = evidence_fit
        self._fits = fits
        if (fit is None or evidence_fit is None) and fits is None:
            raise ValueError("Scores needs fit and evidence_fit, or the array of both")
        self.position = position
        self.order = order
        self.listed = order if listed is None else listed
        # explained abnormal weight of each option (an array; once read, whether it is > 0, as a
        # list), None when every option is listed
        self._explained: np.ndarray | list[bool] | None = explained
        if group_keys is None:
            group = table.group
            group_keys = [group[r] * 3 + c for r, c in zip(rows, side_codes, strict=True)]
        self.group_keys = group_keys

    @property
    def fit(self) -> list[float]:
        """Fit of each option."""
        got = self._fit
        if got is None:
            assert self._fits is not None
            got = self._fit = self._fits[:len(self.rows)].tolist()
        return got

    @property
    def evidence_fit(self) -> list[float]:
        """Evidence fit of each option (the fit before parsimony and size costs)."""
        got = self._evidence_fit
        if got is None:
            assert self._fits is not None
            got = self._evidence_fit = self._fits[len(self.rows):].tolist()
        return got

    def is_listed(self, ks: Sequence[int]) -> list[bool]:
        """Whether each option in *ks* is in :attr:`listed` (explains an abnormal finding)."""
        flags = self._explained
        if flags is None:
            return [True] * len(ks)
        if isinstance(flags, np.ndarray):  # the array, read once per case
            flags = self._explained = (flags > 0.0).tolist()
        return [flags[k] for k in ks]

    @property
    def sides(self) -> list[str]:
        """Side name of each option."""
        return [SIDE_NAMES[c] for c in self.side_codes]

    @property
    def position_list(self) -> list[int]:
        """:attr:`position` (kept for callers of the array form)."""
        return self.position

    @property
    def lists(self) -> tuple[list[int], list[int], list[float], list[float], list[float]]:
        """``rows``, ``side_codes``, ``score``, ``fit`` and ``evidence_fit``."""
        return (self.rows, self.side_codes, self.score, self.fit, self.evidence_fit)

    def evaluation(self, k: int) -> Evaluation:
        """The :class:`Evaluation` of option *k*."""
        return self.evaluations([k])[0]

    def evaluations(self, ks: Sequence[int]) -> list[Evaluation]:
        """The :class:`Evaluation` of each option in *ks*.

        ``p`` is the candidate's involvement of each finding's target times the finding's side
        mask (1 where the finding's side is in the option, else 0), as floats.
        """
        if not len(ks):
            return []
        rows, codes = self.rows, self.side_codes
        score, fit, evidence_fit = self.score, self.fit, self.evidence_fit
        cols = self.cols
        masks = _SIDE_MASK_LISTS[self.right]
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


class _MaskLists(dict[tuple[bool, ...], tuple[list[float], list[float], list[float]]]):
    """``right flags -> (left mask, right mask, both mask)`` as lists, built on first use."""

    def __missing__(self, right: tuple[bool, ...]) -> tuple[list[float], list[float], list[float]]:
        got = ([0.0 if r else 1.0 for r in right], [1.0 if r else 0.0 for r in right], [1.0] * len(right))
        if len(self) < 4096:
            self[right] = got
        return got


_SIDE_MASK_LISTS = _MaskLists()


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
