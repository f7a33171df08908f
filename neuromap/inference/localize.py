"""Localize a case: from reported foot findings to ranked lesion sites, each explained."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from neuromap._version import __version__
from neuromap.atlas import Atlas, load_atlas
from neuromap.datasets import ROOT_IDS
from neuromap.inference.candidates import Candidate
from neuromap.inference.case import DEFAULT_LIMITS, Finding, Limits, ParsedCase, parse_case
from neuromap.inference.result import Localization, make_hypothesis, make_localization
from neuromap.inference.scoring import (
    SIDE_NAMES,
    Evaluation,
    Scores,
    involvement,
    scoring_table,
)

__all__ = ["localize"]

#: Hypotheses whose fit is within this margin of the top fit are not separated from it
#: (a tenth of the case's evidence weight).
LEADER_MARGIN = 0.1
#: Hypotheses scoring at least this fraction of the top score are not separated from it either.
LEADER_RATIO = 0.85
MAX_HYPOTHESES = 12
#: A site along a nerve is decided only when its evidence fit beats every other site's by this much.
SITE_MARGIN = 0.02
_NON_PAIN = ("numbness", "tingling", "burning", "hypersensitivity")


def localize(case: Any, *, atlas: Atlas | None = None, dermatome_map: str | None = None,
             limits: Limits = DEFAULT_LIMITS, max_hypotheses: int = MAX_HYPOTHESES) -> Localization:
    """Rank the lesion sites that could explain a case's findings.

    Parameters
    ----------
    case : dict or Case
        The findings: ``side``, and any of ``sensory``, ``motor``, ``reflexes``, ``other``
        (see :mod:`neuromap.inference.case` for the format).
    atlas : Atlas, optional
        The atlas to use; defaults to the bundled one (:func:`neuromap.load_atlas`).
    dermatome_map : str, optional
        The dermatome layer for root hypotheses; defaults to the atlas's default layer.
    limits : Limits, optional
        Size limits for the case.
    max_hypotheses : int, optional
        How many hypotheses to return at most (more only to keep a tie whole). Hypotheses
        that explain none of the abnormal findings are not returned (unless none explains
        one); see ``docs/method.md``.

    Returns
    -------
    Localization
        Red flags, warnings, the sensory pattern, the ranked hypotheses (each with what it
        explains, leaves unexplained and contradicts, and the atlas paths behind it), and the
        examination that would best separate the leaders.

    Raises
    ------
    InvalidCaseError, UnknownNameError
        Invalid input; the message names the field and the closest valid values.

    Notes
    -----
    Scores rank hypotheses; they are not clinical probabilities. neuromap is decision support
    for education and research, not a diagnosis. The method is in ``docs/method.md``.

    Examples
    --------
    >>> import neuromap
    >>> result = neuromap.localize({
    ...     "side": "left",
    ...     "sensory": [{"regions": ["first dorsal web space"], "modality": "numbness"}],
    ...     "motor": [{"name": "great toe extension", "grade": 4},
    ...               {"name": "hip abduction", "grade": 4},
    ...               {"name": "foot inversion", "grade": 4}],
    ...     "reflexes": {"achilles": "normal"}})
    >>> result.top.id
    'L5'
    """
    atlas = atlas if atlas is not None else load_atlas()
    if dermatome_map is None and (type(case) is dict or isinstance(case, Mapping)) and "dermatome_map" in case:
        dermatome_map = case["dermatome_map"]
    parsed = parse_case(case, atlas, limits=limits)  # first: it checks the case's own dermatome_map is a string
    map_id = atlas.check_map(dermatome_map)
    table = scoring_table(atlas, map_id)
    # scored / not scored (is_scored) and the scores of the scored (finding_weight), in one pass
    scored, not_scored, scores = table.evaluate_case(parsed.findings, atlas)
    shown = _ranked_options(scores, max_hypotheses) if scores is not None else []
    ranked_scores = [scores.score[k] for k in shown] if scores is not None else []
    warnings = list(parsed.notes)
    red_flags, umn = _flags(parsed, atlas)
    warnings.extend(umn)
    pattern = _pattern(parsed, atlas)
    if pattern["kind"] == "none" and pattern.get("message"):
        warnings.append(pattern["message"])
    cut = min(max_hypotheses, len(shown))
    while 0 < cut < len(shown) and abs(ranked_scores[cut] - ranked_scores[cut - 1]) < 1e-12:
        cut += 1  # never cut through a tie: the order inside a tie is only a convention
    # Evaluations (per-finding involvement) are built for the leaders now and for the shown
    # hypotheses only when their explanations are asked for
    explain = functools.partial(_explain_options, tuple(shown[:cut]), tuple(scored), atlas, map_id, scores)
    leader_ks = _leader_options(scores, shown[:4]) if scores is not None else []
    separable = len(leader_ks) <= 1
    next_exam: list[dict[str, Any]] = []
    if not separable and scores is not None:  # a lone leader needs no Evaluation
        leaders = scores.evaluations(leader_ks)
        next_exam = _next_examination(leaders, parsed, atlas, scores)
        names = ", ".join(_name(e, leaders) for e in leaders)
        tip = f"; examine {', '.join(x['label'].lower() for x in next_exam)} to separate them" if next_exam else ""
        warnings.append(f"The findings given do not separate {names}{tip}.")
    label, low_confidence = _map_notes(atlas, map_id)
    if low_confidence is not None and pattern["kind"] not in ("no_sensory", "stocking"):
        warnings.append(low_confidence)
    # the fields of Localization, in order
    return make_localization(
        parsed.side, explain, tuple(red_flags), tuple(warnings), pattern, separable, tuple(next_exam),
        parsed.findings, tuple(not_scored),
        parsed.drawings, {"id": map_id, "label": label}, atlas.version, __version__)


@functools.lru_cache(maxsize=64)
def _map_notes(atlas: Atlas, map_id: str) -> tuple[str, str | None]:
    """A dermatome layer's label and, if it is encoded with low confidence, the warning that says so."""
    info = atlas.dermatome_map_info(map_id)
    warning = None
    if info.get("confidence") == "low":
        warning = (f"The {info['label']} dermatome layer is encoded with low confidence at foot level; "
                   f"see its caveats (atlas.dermatome_map_info({map_id!r})) and compare the other layers.")
    return info["label"], warning


def _leaders(ranked: Sequence[Evaluation]) -> list[Evaluation]:
    """The top hypothesis and those the findings do not separate from it.

    A hypothesis among the next three is a leader when its score is within
    :data:`LEADER_RATIO` of the top score, or when the findings alone do not separate it (its
    evidence fit is within :data:`LEADER_MARGIN` of the top's: parsimony and size break ties in
    the ranking, but they are not findings) and its score is at least half the top's.
    """
    if not ranked:
        return []
    top = ranked[0]
    return [top, *(e for e in ranked[1:4]
                   if e.score >= LEADER_RATIO * top.score
                   or (e.evidence_fit >= top.evidence_fit - LEADER_MARGIN and e.score >= 0.5 * top.score))]


def _leader_options(scores: Scores, ks: Sequence[int]) -> list[int]:
    """The options of :func:`_leaders` among the ranked options *ks*, read from the score lists."""
    if not ks:
        return []
    score, evidence_fit = scores.score, scores.evidence_fit
    top = ks[0]
    top_score, top_fit = score[top], evidence_fit[top]
    return [top, *(k for k in ks[1:4]
                   if score[k] >= LEADER_RATIO * top_score
                   or (evidence_fit[k] >= top_fit - LEADER_MARGIN and score[k] >= 0.5 * top_score))]


def _ranked(scores: Scores, max_hypotheses: int) -> list[Evaluation]:
    """The best option per hypothesis (best site per nerve, each side once), best first.

    Enough are returned to fill ``max_hypotheses`` and keep the tie at the cut whole.
    """
    return scores.evaluations(_ranked_options(scores, max_hypotheses))


def _ranked_options(scores: Scores, max_hypotheses: int) -> list[int]:
    """The option indices (into *scores*) of :func:`_ranked`, best first."""
    seen: set[int] = set()
    out: list[int] = []
    score = scores.score
    group_keys = scores.group_keys  # (hypothesis group, side) of each option, as one int
    last = None
    for k in scores.listed:  # hypotheses that explain no abnormal finding are not listed
        key = group_keys[k]
        if key in seen:
            continue
        if len(out) > max_hypotheses and last is not None and abs(score[k] - last) >= 1e-12:
            break
        seen.add(key)
        out.append(k)
        last = score[k]
    return out


def _explain_options(ks: Sequence[int], findings: Sequence[Finding], atlas: Atlas, map_id: str,
                     scores: Scores | None, as_dicts: bool = False) -> tuple[Any, ...]:
    """Explain the shown hypotheses.

    :class:`~neuromap.inference.result.Hypothesis` objects, or with *as_dicts* the dicts of
    their ``to_dict()`` built directly (what ``Localization.to_dict`` needs).
    """
    if scores is None:
        return ()
    return _hypotheses(scores.evaluations(ks), findings, atlas, map_id, scores, as_dicts)


def _hypotheses(ranked: Sequence[Evaluation], findings: Sequence[Finding], atlas: Atlas, map_id: str,
                scores: Scores | None, as_dicts: bool = False) -> tuple[Any, ...]:
    if scores is None:
        return ()
    # the reference part of each finding's entry is the same for every hypothesis
    refs = [{"finding": f.field, "text": f.text, "kind": f.kind, "target": f.target, "side": f.side}
            for f in findings]
    return tuple(_hypothesis(e, findings, atlas, map_id, scores, refs, as_dicts) for e in ranked)


def _site_decided(e: Evaluation, scores: Scores) -> tuple[str | None, tuple[str, ...]]:
    """The site of a nerve hypothesis if the findings decide it, else None and the tied sites."""
    c = e.candidate
    if c.kind != "nerve":
        return None, ()
    table = scores.table
    # what table.option(scores, r, e.side) gives for each row of the nerve, the unscored left out
    position = scores.position_list
    code = SIDE_NAMES.index(e.side)
    same = [k for k in (position[r * 3 + code] for r in table.nerve_rows_list[c.nerve or ""]) if k >= 0]
    if len(same) > 1:  # only the sites that explain an abnormal finding compete (see Scores.listed)
        same = [k for k, listed in zip(same, scores.is_listed(same), strict=True) if listed]
    if len(same) <= 1:
        return c.site, ()
    rows, _, _, _, evidence_fit = scores.lists
    fits = [evidence_fit[k] for k in same]
    best = max(fits)
    tied = tuple(table.candidates[rows[k]].site or "" for k, fit in zip(same, fits, strict=True)
                 if fit >= best - SITE_MARGIN)
    if len(tied) == 1 and tied[0] == c.site:
        return c.site, ()
    return None, tied


def _hypothesis(e: Evaluation, findings: Sequence[Finding], atlas: Atlas, map_id: str,
                scores: Scores, refs: Sequence[Mapping[str, Any]] | None = None, as_dict: bool = False) -> Any:
    """Build the hypothesis of *e*.

    A :class:`~neuromap.inference.result.Hypothesis`, or with *as_dict* its ``to_dict()``
    (every entry is built fresh for each call, so the dict shares nothing and needs no copy).
    """
    c = e.candidate
    site, tied = _site_decided(e, scores)
    if refs is None:
        refs = [{"finding": f.field, "text": f.text, "kind": f.kind, "target": f.target, "side": f.side}
                for f in findings]
    memo = scores.table.explanations
    other = scores.table.memo
    explains, unexplained, contradicts, paths = [], [], [], []
    sources: dict[str, None] = dict.fromkeys(c.sources)
    cid = id(c)
    for f, p, ref in zip(findings, e.p, refs, strict=True):
        if f.abnormal:
            if p > 0:
                # (strength, why, path, its sources) of this candidate explaining this target at p
                key = (cid, f.kind, f.target, f.text if f.kind == "sign" else "", p)
                hit = other.get(key)
                if hit is None:
                    why, path, path_sources = _explanation(atlas, c, f.kind, f.target, f.text, map_id, p < 0.5,
                                                           memo)
                    hit = (_round3(p, other), why, path, dict.fromkeys(path_sources))
                    if len(other) < 200_000:
                        other[key] = hit
                explains.append({**ref, "strength": hit[0], "why": hit[1]})
                if hit[2]:
                    paths.append({"finding": f.field, "target": f.target, "path": list(hit[2])})
                    sources.update(hit[3])
            else:
                unexplained.append({**ref, "why": _why_not_memo(c, f, e.side, other)})
        elif p >= 0.5:
            contradicts.append({**ref, "strength": _round3(p, other),
                                "why": f"examined normal, but a lesion here predicts it involved (weight {p:.2f})"})
    head = other.get(("head", id(c)))
    if head is None:
        multi_site = c.nerve is not None and len(atlas.sites(c.nerve)) > 1
        nerve_attrs = atlas.node(c.nerve) if c.nerve is not None else None
        site_labels = {s["id"]: s["label"] for s in nerve_attrs["sites"]} if nerve_attrs is not None else {}
        nerve_label = nerve_attrs["label"] if c.kind == "nerve" and nerve_attrs is not None else None
        head = (multi_site, site_labels, nerve_label, frozenset(atlas.data.sources))
        other[("head", id(c))] = head  # one per candidate of the table: bounded
    multi_site, site_labels, nerve_label, known = head
    site_label = None
    if site is not None and multi_site:
        site_label = site_labels[site]
    label = c.label
    if nerve_label is not None:
        label = nerve_label + (f" {site_label}" if site_label else "")
    source_keys = list(sources) if known.issuperset(sources) else [s for s in sources if s in known]
    if as_dict:  # the keys and values of Hypothesis.to_dict, in its order
        return {"kind": c.kind, "id": c.id, "label": label, "levels": list(c.levels), "nerve": c.nerve,
                "site": site if multi_site else None, "site_label": site_label, "candidate_sites": list(tied),
                "side": e.side, "score": round(e.score, 4), "explains": explains, "unexplained": unexplained,
                "contradicts": contradicts, "paths": paths, "sources": source_keys}
    # the fields of Hypothesis, in order
    return make_hypothesis(
        c.kind, c.id, label, c.levels, c.nerve, site if multi_site else None, site_label, tied, e.side,
        round(e.score, 4), tuple(explains), tuple(unexplained), tuple(contradicts), tuple(paths),
        tuple(source_keys), c.territory)


def _round3(p: float, memo: dict) -> float:
    """``round(p, 3)``, memoized (involvements take few distinct values)."""
    key = ("r3", p)
    hit = memo.get(key)
    if hit is None:
        hit = round(p, 3)
        if len(memo) < 200_000:
            memo[key] = hit
    return hit


def _why_not_memo(c: Candidate, f: Finding, side: str, memo: dict) -> str:
    key = ("why_not", c.label, f.side, f.kind, side)
    hit = memo.get(key)
    if hit is None:
        hit = _why_not(c, f, side)
        if len(memo) < 200_000:
            memo[key] = hit
    return hit


def _explanation(atlas: Atlas, c: Candidate, kind: str, target: str, text: str, map_id: str,
                 partly: bool, memo: dict) -> tuple[str, tuple[str, ...] | None, tuple[str, ...]]:
    """Why a candidate explains a target, the atlas path behind it and the path's sources.

    Memoized in *memo*, the scoring table's own dict: it lives as long as its atlas and map.
    """
    key = (c.kind, c.id, c.site, kind, target, text if kind == "sign" else "", partly)
    hit = memo.get(key)
    if hit is None:
        f = Finding("", kind, target, "left", True, None, 1.0, text)
        why = _why(c, f, atlas, map_id, 0.25 if partly else 1.0)
        path = _path(c, f, atlas, map_id)
        srcs: dict[str, None] = {}
        for u, v in zip(path or (), (path or ())[1:], strict=False):
            srcs.update(dict.fromkeys(atlas.edge(u, v)["sources"]))
        hit = (why, tuple(path) if path else None, tuple(srcs))
        if len(memo) < 200_000:
            memo[key] = hit
    return hit


def _why(c: Candidate, f: Finding, atlas: Atlas, map_id: str, p: float) -> str:
    partly = " (partly)" if p < 0.5 else ""
    if f.kind == "sign":
        return f"{f.text} points to this lesion"
    if c.kind in ("root", "roots", "cauda_equina"):
        if f.kind == "region":
            roots = [r for r in c.levels if atlas.root_territory(r, map_id).regions.get(f.target)]
            return f"in the {'/'.join(roots) or c.id} dermatome{partly}"
        return f"{'/'.join(r for r in c.levels if _root_reaches(atlas, r, f)) or c.id} supplies it{partly}"
    if c.kind == "nerve":
        return f"in the territory of the {atlas.node(str(c.nerve))['label'].lower()}{partly}"
    if c.kind == "polyneuropathy":
        return f"involved early in a length-dependent neuropathy{partly}"
    return f"supplied through the {c.label.replace(' lesion', '').lower()}{partly}"


def _root_reaches(atlas: Atlas, root: str, f: Finding) -> bool:
    return involvement_of_root(atlas, root, f) > 0


def involvement_of_root(atlas: Atlas, root: str, f: Finding) -> float:
    """Weight of *root* on the target of a motor or reflex finding."""
    t = atlas.root_territory(root)
    return t.get(f.kind, f.target)


def _why_not(c: Candidate, f: Finding, side: str) -> str:
    if side not in ("bilateral", f.side):
        return f"on the {f.side} side; this hypothesis is a {side} lesion"
    what = {"region": "skin region", "movement": "movement", "muscle": "muscle", "reflex": "reflex",
            "sign": "sign"}[f.kind]
    return f"this {what} lies outside the territory of the {c.label.lower()}"


def _path(c: Candidate, f: Finding, atlas: Atlas, map_id: str) -> list[str] | None:
    if f.kind == "sign" or c.kind == "polyneuropathy":
        return None
    path = _cached_path(atlas, c.kind, c.nerve or c.id, c.levels, f.kind, f.target, map_id)
    return list(path) if path is not None else None


@functools.lru_cache(maxsize=65536)
def _cached_path(atlas: Atlas, kind: str, ident: str, levels: tuple[str, ...], tkind: str, target: str,
                 map_id: str) -> tuple[str, ...] | None:
    """The atlas path behind one explained finding (cached: the atlas is immutable)."""
    if kind == "nerve":
        p = atlas.path(ident, target, dermatome_map=map_id)
        return tuple(p) if p else None
    if kind == "plexus":
        for v in atlas.successors(ident):
            p = atlas.path(v, target, dermatome_map=map_id) if atlas.node(v)["kind"] == "nerve" else None
            if p:
                return (ident, *p)
        p = atlas.path(ident, target, dermatome_map=map_id)
        return tuple(p) if p else None
    for r in sorted(levels, key=lambda r: -atlas.root_territory(r, map_id).get(tkind, target)):
        p = atlas.path(r, target, dermatome_map=map_id)
        if p:
            return tuple(p)
    return None


@functools.lru_cache(maxsize=8)
def _saddle_regions(atlas: Atlas) -> frozenset[str]:
    """The regions of the saddle view (empty if the template has none)."""
    return frozenset(atlas.template.regions("saddle")) if "saddle" in atlas.template.views else frozenset()


#: what a finding must be to raise the cauda equina flag (anything else is skipped at once)
_FLAG_REFLEXES = ("anal_wink", "bulbocavernosus")
_FLAG_MOTOR = ("voluntary_anal_contraction", "external_anal_sphincter")


def _red_flags(parsed: ParsedCase, atlas: Atlas) -> list[dict[str, Any]]:
    """The red flags of a case (cauda equina)."""
    return _flags(parsed, atlas)[0]


def _flags(parsed: ParsedCase, atlas: Atlas) -> tuple[list[dict[str, Any]], list[str]]:
    """The red flags and the upper motor neuron warnings of a case, in one pass over its findings."""
    triggers: list[str] = []
    umn_signs: list[str] = []  # what _umn_warnings reads, in finding order
    saddle = _saddle_regions(atlas)
    motor_sides: set[str] = set()
    for f in parsed.findings:
        if not f.abnormal:
            continue
        kind = f.kind
        if kind == "region":
            if f.target in saddle and f.modality != "pain":
                triggers.append(f"saddle sensory change: {f.text} ({f.field})")
            continue
        if kind in ("movement", "muscle"):
            motor_sides.add(f.side)
            if f.target in _FLAG_MOTOR:
                triggers.append(f"{f.text} weak ({f.field})")
            continue
        if kind == "reflex":
            if f.modality == "brisk":
                umn_signs.append(f.text)
            if f.target not in _FLAG_REFLEXES:
                continue
        if kind == "sign":
            sign = atlas._signs[f.target]
            if sign.get("warning") == "umn":
                umn_signs.append(f.text)
            if sign.get("red_flag") == "cauda_equina":
                triggers.append(f"{f.text} ({f.field})")
        if kind == "reflex" and f.modality in ("reduced", "absent"):
            triggers.append(f"{f.text} {f.modality} ({f.field})")
    umn = _umn_message(umn_signs)
    if len(motor_sides) == 2:  # {"left", "right"}
        triggers.append("weakness in both legs (bilateral motor deficit)")
    if not triggers:
        return [], umn
    unique = list(dict.fromkeys(triggers))
    return [{
        "id": "cauda_equina",
        "severity": "urgent",
        "message": ("Possible cauda equina syndrome: " + "; ".join(unique) + ". This needs same-day emergency "
                    "assessment and imaging; do not wait for the ranking below."),
        "triggers": unique,
        "sources": ["bmj_bp_ces", "nice_cks_sciatica", "gardner_2011"],
    }], umn


def _umn_warnings(parsed: ParsedCase, atlas: Atlas) -> list[str]:
    """The upper motor neuron warning of a case (brisk reflexes, upper motor neuron signs), if any."""
    return _flags(parsed, atlas)[1]


def _umn_message(signs: list[str]) -> list[str]:
    """The upper motor neuron warning naming these signs (each once), or none."""
    if not signs:
        return []
    return [f"Upper motor neuron signs ({', '.join(dict.fromkeys(signs))}): the lesion may lie above the cauda "
            "equina (spinal cord or brain), outside this lower motor neuron model; these findings are not scored."]


@functools.lru_cache(maxsize=8)
def _pattern_index(atlas: Atlas) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, int]]:
    """Per region: the roots any area layer gives it and the nerves that supply it; per nerve: its size."""
    area_maps = [m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"]
    roots = {reg: frozenset(r for m in area_maps for r in atlas.dermatome(reg, m)) for reg in atlas.ids("region")}
    nerves: dict[str, set[str]] = {reg: set() for reg in atlas.ids("region")}
    sizes = {}
    for n in atlas.ids("nerve"):
        terr = [k for k, w in atlas.nerve_territory(n).regions.items() if w >= 0.5]
        sizes[n] = len(terr)
        for reg in terr:
            nerves[reg].add(n)
    return roots, {k: frozenset(v) for k, v in nerves.items()}, sizes


_ROOT_INDEX = {r: i for i, r in enumerate(ROOT_IDS)}


@functools.lru_cache(maxsize=8)
def _nerve_index(atlas: Atlas) -> dict[str, int]:
    """Position of each nerve in ``atlas.ids("nerve")``."""
    return {n: i for i, n in enumerate(atlas.ids("nerve"))}


@functools.lru_cache(maxsize=8)
def _pattern_fits(atlas: Atlas) -> dict[frozenset[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per atlas: the :func:`_fitting` roots and nerves of region sets already read (bounded)."""
    return {}


def _fitting(regions: frozenset[str], atlas: Atlas) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roots (``ROOT_IDS`` order) and nerves (atlas order) whose territory fits every region.

    A nerve fits when it supplies every region (at least half) and the regions are at least a
    quarter of its territory; a root when an area layer gives it every region.
    """
    region_roots, region_nerves, nerve_size = _pattern_index(atlas)
    fitting_roots = frozenset.intersection(*(region_roots[r] for r in regions))
    dermatomes = sorted(fitting_roots, key=_ROOT_INDEX.__getitem__)  # ROOT_IDS order
    fitting_nerves = frozenset.intersection(*(region_nerves[r] for r in regions))
    nerve_index = _nerve_index(atlas)
    nerves = [n for n in sorted(fitting_nerves, key=nerve_index.__getitem__)  # atlas order
              if len(regions) / nerve_size[n] >= 0.25]
    return tuple(dermatomes), tuple(nerves)


def _pattern(parsed: ParsedCase, atlas: Atlas) -> dict[str, Any]:
    """Read the sensory findings: dermatomal, single nerve, stocking, none or no sensory findings."""
    by_side: dict[str, set[str]] = {}  # the abnormal sensory findings' regions, per side
    pain_only = True  # every abnormal finding is sensory, and pain
    for f in parsed.findings:
        if f.abnormal:
            if f.kind == "region":
                side_regions = by_side.get(f.side)
                if side_regions is None:
                    by_side[f.side] = {f.target}
                else:
                    side_regions.add(f.target)
                if f.modality != "pain":
                    pain_only = False
            else:
                pain_only = False
    if not by_side:
        return {"kind": "no_sensory", "dermatomes": [], "nerves": [],
                "message": "No abnormal sensory findings: the ranking rests on motor, reflex and other findings."}
    if len(by_side) == 2:
        left, right = by_side["left"], by_side["right"]
        overlap = len(left & right) / len(left | right)
        if overlap >= 0.5 and (left | right) & set(atlas.regions_of("toes")):
            return {"kind": "stocking", "dermatomes": [], "nerves": [],
                    "message": "Symmetric distal sensory change in both feet: a stocking (length-dependent) pattern."}
    regions = frozenset().union(*by_side.values())
    fits = _pattern_fits(atlas)
    fit = fits.get(regions)
    if fit is None:
        fit = _fitting(regions, atlas)
        if len(fits) < 65536:
            fits[regions] = fit
    dermatomes, nerves = list(fit[0]), list(fit[1])
    if pain_only:
        return {"kind": "none", "dermatomes": dermatomes, "nerves": nerves,
                "message": ("Pain alone, without sensory loss, weakness or reflex change, follows no reliable "
                            "neural pattern (radicular pain is mostly non-dermatomal); local causes such as plantar "
                            "fasciitis for heel pain should be considered before a nerve or root.")}
    if dermatomes and nerves:
        kind = "dermatomal_or_single_nerve"
    elif dermatomes:
        kind = "dermatomal"
    elif nerves:
        kind = "single_nerve"
    else:
        return {"kind": "none", "dermatomes": [], "nerves": [],
                "message": ("The sensory findings fit no single dermatome and no single nerve territory; "
                            "no level is forced from them.")}
    return {"kind": kind, "dermatomes": dermatomes, "nerves": nerves, "message": None}


def _name(e: Evaluation, among: Sequence[Evaluation]) -> str:
    """A hypothesis's id, with its side when the group holds more than one side."""
    if len({x.side for x in among}) > 1:
        return f"{e.candidate.id} ({e.side})"
    return e.candidate.id


#: How much each kind of examination is worth when it separates the leaders: a reflex is the most
#: objective sign of root compression (MSD Manual), strength next, sensation least.
EXAM_WEIGHTS = (("reflex", 1.0), ("movement", 0.95), ("region", 0.5))


def _next_examination(leaders: Sequence[Evaluation], parsed: ParsedCase, atlas: Atlas,
                      scores: Scores | None = None) -> list[dict[str, Any]]:
    """Untested examinations that best separate the leaders, best first (at most three).

    With *scores* the leaders' involvement of every examinable target is read from the scoring
    table (the same numbers as :func:`~neuromap.inference.scoring.involvement`), vectorized
    over the targets.
    """
    examined = frozenset([(f.kind, f.target, f.side) for f in parsed.findings])
    sides = frozenset([f.side for f in parsed.findings])
    names = [_name(e, leaders) for e in leaders]
    side = sorted(sides)[0]
    options: list[tuple[float, str, str, dict[str, float]]] = []
    rows = _table_rows(leaders, scores) if scores is not None and len(set(names)) == len(names) else None
    memo_key = None
    if rows is not None and scores is not None:
        # a pure function of the leaders' table rows and names and of what was examined on
        # which sides: remembered per table (the entries are rebuilt, callers may change them)
        memo_key = ("next_exam", tuple(rows.tolist()), tuple(names), examined, sides)
        hit = scores.table.memo.get(memo_key)
        if hit is not None:
            return [{**x, "predictions": dict(x["predictions"])} for x in hit]
        table = scores.table
        found: list[tuple[float, str, str, list[float]]] = []
        kinds, targets, cols, weights = table.exam_columns(EXAM_WEIGHTS)
        v = table.p[rows[:, None], cols]                         # (leaders, examinable targets)
        top_two = np.abs(v[0] - v[1])
        ok = weights * top_two >= 0.4
        # targets examined on every side of the case are not proposed
        done = {(k, t) for k, t, _ in examined if all((k, t, s) in examined for s in sides)}
        if done:
            position = table.memo.get(("exam_position", EXAM_WEIGHTS))
            if position is None:
                position = {kt: j for j, kt in enumerate(zip(kinds, targets, strict=True))}
                table.memo[("exam_position", EXAM_WEIGHTS)] = position
            for kt in done:
                j = position.get(kt)
                if j is not None:
                    ok[j] = False
        keep = np.flatnonzero(ok)
        if len(keep):
            v = v[:, keep]
            spread = v.max(axis=0) - v.min(axis=0)
            vals = weights[keep] * (top_two[keep] + 0.1 * spread)
            if len(keep) > 3:
                # only the best three are shown: round(val, 9) is monotone in val and moves it by
                # at most 5e-10, so the best three by the rounded key are among those within
                # 2e-9 of the third best by value; only those are sorted by the exact key
                third = np.partition(vals, len(vals) - 3)[len(vals) - 3]
                sel = np.flatnonzero(vals >= third - 2e-9)
                keep, vals, v = keep[sel], vals[sel], v[:, sel]
            found = [(val, kinds[j], targets[j], ps_row)
                     for j, val, ps_row in zip(keep.tolist(), vals.tolist(), v.T.tolist(), strict=True)]
        found.sort(key=lambda o: (-round(o[0], 9), o[1], o[2]))
        options = [(val, kind, target, dict(zip(names, ps_row, strict=True)))
                   for val, kind, target, ps_row in found[:3]]
    else:
        for kind, w in EXAM_WEIGHTS:
            for target in atlas.ids(kind):
                if all((kind, target, s) in examined for s in sides):
                    continue
                probe = Finding("", kind, target, side, True, None, 1.0, target)
                ps = {name: involvement(e.candidate, probe, atlas) for name, e in zip(names, leaders, strict=True)}
                values = list(ps.values())
                top_two = abs(values[0] - values[1])
                spread = max(values) - min(values)
                value = w * (top_two + 0.1 * spread)
                if w * top_two >= 0.4:
                    options.append((value, kind, target, ps))
    options.sort(key=lambda o: (-round(o[0], 9), o[1], o[2]))
    out = []
    for value, kind, target, ps in options[:3]:
        hi = [k for k, v in ps.items() if v >= 0.5]
        lo = [k for k, v in ps.items() if v < 0.5]
        out.append({"kind": kind, "id": target, "label": atlas.node(target)["label"], "value": round(value, 3),
                    "predictions": {k: round(v, 3) for k, v in ps.items()},
                    "why": (f"expected abnormal under {', '.join(hi) or 'none'}; "
                            f"normal under {', '.join(lo) or 'none'}")})
    if memo_key is not None and scores is not None and len(scores.table.memo) < 200_000:
        scores.table.memo[memo_key] = tuple({**x, "predictions": dict(x["predictions"])} for x in out)
    return out


def _table_rows(leaders: Sequence[Evaluation], scores: Scores) -> np.ndarray | None:
    """The scoring-table row of each leader's candidate, or None if one is not in the table."""
    index = scores.table.row_of
    rows = [index.get(id(e.candidate)) for e in leaders]
    if any(r is None for r in rows):
        return None
    return np.array(rows, dtype=np.intp)
