"""Localize a case: from reported findings to ranked lesion sites, each explained.

The stages, each in its own module: read the case (:mod:`~neuromap.inference.case`), score
every candidate lesion site (:mod:`~neuromap.inference.candidates`,
:mod:`~neuromap.inference.scoring`), rank them into hypotheses (:mod:`~neuromap.inference.rank`),
read the red flags and the sensory pattern (:mod:`~neuromap.inference.flags`), and explain the
hypotheses (:mod:`~neuromap.inference.explain`) into a
:class:`~neuromap.inference.result.Localization`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from neuromap._version import __version__
from neuromap.atlas import Atlas, load_atlas
from neuromap.errors import InvalidArgumentError, InvalidTypeError, NeuromapError, check_option
from neuromap.inference._drawing import overlays_of
from neuromap.inference.case import DEFAULT_LIMITS, Case, Finding, Limits, NotUnderstood, ParsedCase, parse_case
from neuromap.inference.explain import heading, hypotheses, next_examination
from neuromap.inference.flags import flags, pattern, saddle_and_sphincter
from neuromap.inference.history import parse_history
from neuromap.inference.mentions import red_flag_mentions
from neuromap.inference.plan import next_studies
from neuromap.inference.rank import best_of_kind, cut, leader_options, names, ranked_options
from neuromap.inference.ranking import Ranking, ranking
from neuromap.inference.result import Localization
from neuromap.inference.scoring import ScoreInput, Scores, finding_weight, not_scored_reason, scoring_table
from neuromap.inference.studies import length_dependent_support
from neuromap.inference.terms import PRIORS, pattern_support, prior_terms
from neuromap.inference.text import TextCase
from neuromap.weights import MAX_HYPOTHESES, MAX_PLAN_HYPOTHESES, PAIN_ONLY_CONTRADICTION, PLAN_ALTERNATIVES_WITHIN

__all__ = ["localize", "localize_cases"]


def localize(case: Any, *, atlas: Atlas | None = None, dermatome_map: str | None = None,
             limits: Limits = DEFAULT_LIMITS, max_hypotheses: int = MAX_HYPOTHESES,
             strict: bool = False, prior: str = "clinical") -> Localization:
    """Rank the lesion sites that could explain a case's findings.

    Parameters
    ----------
    case : dict, Case or TextCase
        The findings: ``side``, and any of ``sensory``, ``motor``, ``reflexes``, ``other``,
        ``electrodiagnosis`` (see :mod:`neuromap.inference.case` and
        :mod:`neuromap.inference.edx` for the format), and an optional ``history``
        (:mod:`neuromap.inference.history`): its context events raise the base rates of the
        lesions they are tied to (``data/priors.json``). Or a case read from free text
        (:func:`neuromap.case_from_text`), whose unread spans join ``not_understood``.
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
    strict : bool, default False
        Refuse the case when any finding cannot be read (an unknown name, grade or modality
        word). By default such findings are set aside in the result's ``not_understood``, a
        warning says the ranking ignores them, and the red-flag screen still reads their
        words.
    prior : {"clinical", "uniform"}, optional
        ``"clinical"`` (default) weighs each candidate by the cited base rate of its kind and
        site (``data/priors.json``); ``"uniform"`` leaves base rates out. Each hypothesis says
        how much of its score is prior (:attr:`Hypothesis.prior`).

    Returns
    -------
    Localization
        Red flags, warnings, the sensory pattern, the ranked hypotheses (each with what it
        explains, leaves unexplained and contradicts, and the atlas paths behind it), the
        examination that would best separate the leaders, and the electrodiagnostic studies that
        would (``next_studies``, :mod:`neuromap.inference.plan`).

    Raises
    ------
    InvalidCaseError
        An invalid case structure (a wrong type, an unknown key, a size over the limits); the
        message names the field and the closest valid values.
    UnknownNameError
        With ``strict=True``: a name the atlas does not know (and InvalidCaseError for an
        unreadable grade or modality word).
    InvalidTypeError
        If *atlas* is not an :class:`~neuromap.atlas.Atlas` (also a :class:`TypeError`).

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
    atlas = _check_atlas(atlas)
    prior = check_option("prior", prior, PRIORS)
    with overlays_of([case], atlas, limits):
        read = _prepare(case, atlas, dermatome_map, limits, strict, prior)
    return _finish(read, _score([read], atlas)[0], atlas, max_hypotheses)[0]


def localize_cases(cases: Iterable[Any], *, atlas: Atlas | None = None, dermatome_map: str | None = None,
                   limits: Limits = DEFAULT_LIMITS, max_hypotheses: int = MAX_HYPOTHESES, strict: bool = False,
                   prior: str = "clinical", explain: bool = True,
                   top: int | None = None) -> list[Localization | Ranking | NeuromapError]:
    """Localize many cases at once: :func:`localize` over a chunk, the scoring done for all of them together.

    Each case is read and checked as :func:`localize` reads it (names resolved through a
    cache shared by the cases), then every case's findings are scored in one
    :meth:`~neuromap.inference.scoring.ScoringTable.score_many` call per dermatome layer.
    :func:`localize` is this function's batch of one, so the two cannot disagree.

    Parameters
    ----------
    cases : iterable of dict, Case or TextCase
        The cases (as :func:`localize` takes them).
    atlas, dermatome_map, limits, max_hypotheses, strict, prior
        As :func:`localize`, for every case.
    explain : bool, default True
        ``True``: each result is the :class:`Localization` :func:`localize` returns.
        ``False``: a :class:`~neuromap.inference.ranking.Ranking`, the top hypotheses without
        their explanations and paths.
    top : int, optional
        With ``explain=False``: how many hypotheses each ranking keeps (more only to keep a
        tie whole); ``max_hypotheses`` by default.

    Returns
    -------
    list
        One entry per case, in order: its result, or the :class:`~neuromap.errors.NeuromapError`
        that refused it (returned, not raised, so one bad case does not stop the others).

    Raises
    ------
    InvalidTypeError
        If *atlas* is not an :class:`~neuromap.atlas.Atlas`.
    InvalidArgumentError
        An unknown ``prior`` or a ``top`` that is not a whole number of at least 1.

    Examples
    --------
    >>> from neuromap.inference import localize_cases
    >>> out = localize_cases([{"side": "left", "reflexes": {"achilles": "absent"}}, {"side": "middle"}],
    ...                      explain=False, top=3)
    >>> out[0].hypotheses[0].id, type(out[1]).__name__
    ('S1', 'InvalidCaseError')
    """
    atlas = _check_atlas(atlas)
    prior = check_option("prior", prior, PRIORS)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidArgumentError("top", f"expected a whole number of at least 1 or None, got {top!r}")
    cases = list(cases)
    read: list[_Read | NeuromapError] = []
    with overlays_of(cases, atlas, limits):  # every drawing of the chunk overlaid at once
        for case in cases:
            try:
                read.append(_prepare(case, atlas, dermatome_map, limits, strict, prior))
            except NeuromapError as exc:
                # returned, not raised: without its traceback, whose frames hold this list (a cycle)
                read.append(exc.with_traceback(None))
    ok = [r for r in read if isinstance(r, _Read)]
    scored = dict(zip(map(id, ok), _score(ok, atlas), strict=True))
    if not explain and top is not None:
        max_hypotheses = max(max_hypotheses, top)  # the ranking's head is the same, however long its tail
    out: list[Localization | Ranking | NeuromapError] = []
    for r in read:
        if not isinstance(r, _Read):
            out.append(r)
            continue
        result, ranked = _finish(r, scored[id(r)], atlas, max_hypotheses)
        out.append(result if explain else ranking(result, scored[id(r)], ranked, top or max_hypotheses, atlas))
    return out


def _check_atlas(atlas: Atlas | None) -> Atlas:
    if atlas is not None and not isinstance(atlas, Atlas):
        raise InvalidTypeError("atlas", f"expected an Atlas (see neuromap.load_atlas), got {type(atlas).__name__}")
    return atlas if atlas is not None else load_atlas()


@dataclasses.dataclass
class _Read:
    """A case read and checked, with everything its scoring needs (``inputs`` None: nothing to score)."""

    parsed: ParsedCase
    map_id: str
    history: Mapping[str, Any]
    sensory: dict[str, Any]
    not_scored: list[tuple[Finding, str]]
    inputs: ScoreInput | None
    prior: str


def _prepare(case: Any, atlas: Atlas, dermatome_map: str | None, limits: Limits, strict: bool, prior: str) -> _Read:
    """Read and check a case, and gather the terms of its score (per case: prior, pattern support, scale)."""
    case, parsed = _read(case, atlas, limits, strict)
    if dermatome_map is None and isinstance(case, Mapping) and "dermatome_map" in case:
        dermatome_map = case["dermatome_map"]
    map_id = atlas.check_map(dermatome_map)
    history, unread = parse_history(case, atlas, strict=strict) if isinstance(case, Mapping) else ({}, ())
    if unread:
        parsed = _with_unread(parsed, unread, atlas, "history.events: {} not understood (see not_understood): "
                              "they raise no base rate; the red-flag screen read those words.")
    reasons = [not_scored_reason(f, atlas) for f in parsed.findings]
    scored = tuple(f for f, reason in zip(parsed.findings, reasons, strict=True) if reason is None)
    not_scored = [(f, reason) for f, reason in zip(parsed.findings, reasons, strict=True) if reason is not None]
    sensory = pattern(parsed, atlas)
    inputs = None
    if scored and sensory["kind"] != "normal_examination":
        table = scoring_table(atlas, map_id)
        # an irritative picture (pain and signs only): a normal examination is expected under every lesion
        irritative = all(f.kind == "sign" or (f.kind == "region" and f.modality == "pain")
                         for f in scored if f.abnormal)
        support = pattern_support(table.candidates, sensory, saddle_and_sphincter(parsed, atlas))
        edx_support = length_dependent_support(atlas, table.candidates, scored)
        inputs = ScoreInput(
            scored, tuple(finding_weight(f, atlas) for f in scored),
            prior=prior_terms(atlas, table.candidates, history.get("events", ()))[0] if prior == "clinical" else None,
            support=support if edx_support is None else support + edx_support,
            contradiction_scale=PAIN_ONLY_CONTRADICTION if irritative else 1.0)
    return _Read(parsed, map_id, history, sensory, not_scored, inputs, prior)


def _score(read: Sequence[_Read], atlas: Atlas) -> list[Scores | None]:
    """The scores of every case (None for a case with nothing to score), one batch per dermatome layer."""
    out: list[Scores | None] = [None] * len(read)
    by_map: dict[str, list[int]] = {}
    for i, r in enumerate(read):
        if r.inputs is not None:
            by_map.setdefault(r.map_id, []).append(i)
    for map_id, idx in by_map.items():
        table = scoring_table(atlas, map_id)
        for i, s in zip(idx, table.score_many([read[i].inputs for i in idx]), strict=True):  # type: ignore[misc]
            out[i] = s
    return out


def _finish(read: _Read, scores: Scores | None, atlas: Atlas, max_hypotheses: int) -> tuple[Localization, list[int]]:
    """Rank a scored case, read its red flags and warnings: its result, and its ranked options."""
    parsed, map_id, history, sensory = read.parsed, read.map_id, read.history, read.sensory
    ranked = ranked_options(scores, max_hypotheses) if scores is not None else []
    warnings = list(parsed.notes)
    red_flags, notes = flags(parsed, atlas)
    warnings.extend(notes)
    if sensory["kind"] in ("none", "normal_examination") and sensory.get("message"):
        warnings.append(sensory["message"])
    leader_ks, next_exam = _leaders(scores, ranked, parsed, atlas, warnings)
    label, low_confidence = _map_notes(atlas, map_id)
    if low_confidence is not None and sensory["kind"] not in ("no_sensory", "stocking", "normal_examination"):
        warnings.append(low_confidence)
    shown = cut(ranked, scores, max_hypotheses) if scores is not None else []
    not_scored = read.not_scored
    result = Localization(
        case_side=parsed.side,
        # the explanations (reasons, paths, sources) are assembled when first asked for
        explain=functools.partial(hypotheses, scores, tuple(shown), atlas, map_id, tuple(history.get("events", ()))),
        red_flags=tuple(red_flags), warnings=tuple(warnings), pattern=sensory, separable=len(leader_ks) <= 1,
        next_examination=tuple(next_exam), findings=parsed.findings,
        not_scored=tuple(f for f, _ in not_scored), not_scored_reasons=tuple(r for _, r in not_scored),
        drawings=parsed.drawings, not_understood=parsed.not_understood,
        dermatome_map={"id": map_id, "label": label}, atlas_version=atlas.version, atlas_status=atlas.status,
        neuromap_version=__version__,
        # the study plan is proposed when first asked for, like the explanations
        plan=functools.partial(_study_plan, scores, tuple(ranked), tuple(leader_ks), parsed, atlas),
        best=functools.partial(_best_of_kind, scores, atlas), prior=read.prior)
    return result, ranked


def _leaders(scores: Any, ranked: list[int], parsed: ParsedCase, atlas: Atlas,
             warnings: list[str]) -> tuple[list[int], list[dict[str, Any]]]:
    """The leaders the findings do not separate and the examination that would; a warning names them."""
    leader_ks = leader_options(scores, ranked[:4]) if scores is not None else []
    if scores is None or len(leader_ks) <= 1:
        return leader_ks, []
    leader_names = names(scores, leader_ks)
    next_exam = next_examination(scores, leader_ks, leader_names, parsed, atlas)
    tip = f"; examine {', '.join(x['label'].lower() for x in next_exam)} to separate them" if next_exam else ""
    warnings.append(f"The findings given do not separate {', '.join(leader_names)}{tip}.")
    return leader_ks, next_exam


#: The kinds of hypothesis a study plan separates: a root (or roots, the cauda equina), a nerve, a
#: plexus, a polyneuropathy.
_KIND_GROUP = {"root": "root", "roots": "root", "cauda_equina": "root", "nerve": "nerve", "plexus": "plexus",
               "polyneuropathy": "polyneuropathy"}


def _study_plan(scores: Any, ranked: Sequence[int], leader_ks: Sequence[int], parsed: ParsedCase,
                atlas: Atlas) -> tuple[dict[str, Any], ...]:
    """The electrodiagnostic studies that would separate the leaders and the best alternative of each other kind.

    The hypotheses a plan separates are the leaders (the top alone when the findings separate
    it) and, among the first :data:`~neuromap.weights.PLAN_ALTERNATIVES_WITHIN` listed, the best
    hypothesis of each kind the leaders lack (a root, a nerve, a plexus, a polyneuropathy): the
    alternatives an electromyographer rules out (S1 or a tibial lesion, L5 or the lumbosacral
    trunk), at most :data:`~neuromap.weights.MAX_PLAN_HYPOTHESES` in all.
    """
    if scores is None or not ranked:
        return ()
    ks = list(leader_ks) or list(ranked[:1])
    cands, options = scores.table.candidates, scores.lists
    kinds = {_KIND_GROUP[cands[options.rows[k]].kind] for k in ks}
    for k in [k for k in ranked if options.is_listed[k]][:PLAN_ALTERNATIVES_WITHIN]:
        group = _KIND_GROUP[cands[options.rows[k]].kind]
        if group not in kinds and len(ks) < MAX_PLAN_HYPOTHESES:
            ks.append(k)
            kinds.add(group)
    if len(ks) < 2:
        return ()
    return tuple(next_studies(scores, ks, names(scores, ks), parsed, atlas))


def _best_of_kind(scores: Any, atlas: Atlas) -> tuple[dict[str, Any], ...]:
    """The best hypothesis of each kind that explains a finding, as a result names it, with its rank."""
    if scores is None:
        return ()
    return tuple({**heading(scores, k, atlas), "rank": rank} for k, rank in best_of_kind(scores))


def _read(case: Any, atlas: Atlas, limits: Limits, strict: bool) -> tuple[Any, ParsedCase]:
    """The case as a dict (from a Case or a TextCase) and its parsed findings.

    Parsing comes first: it checks the case's own ``dermatome_map`` is a string.
    """
    text = case if isinstance(case, TextCase) else None
    if text is not None:
        case = text.case
    if isinstance(case, Case):
        case = case.to_dict()
    parsed = parse_case(case, atlas, limits=limits, strict=strict)
    return case, parsed if text is None else _with_unread_text(parsed, text, atlas)


def _with_unread_text(parsed: ParsedCase, text: TextCase, atlas: Atlas) -> ParsedCase:
    """A case read from text, with the spans the reader did not understand as not-understood findings."""
    if not text.unread:
        return parsed
    unread = tuple(NotUnderstood(f"text[{a}:{b}]", words, "not read from the text") for a, b, words in text.unread)
    return _with_unread(parsed, unread, atlas, "The text was read in part: {} not understood (see not_understood); "
                        "the red-flag screen read those words.")


def _with_unread(parsed: ParsedCase, unread: tuple[NotUnderstood, ...], atlas: Atlas, note: str) -> ParsedCase:
    """*parsed* with more entries not understood, screened for red flags, and *note* naming them (at ``{}``)."""
    mentions = tuple((sign, u.field, u.text) for u in unread for sign in red_flag_mentions(u.text, atlas))
    note = note.format(f"{', '.join(repr(u.text) for u in unread[:5])}{', ...' if len(unread) > 5 else ''}")
    return dataclasses.replace(parsed, not_understood=parsed.not_understood + unread,
                               red_flag_mentions=parsed.red_flag_mentions + mentions,
                               notes=(*parsed.notes, note))


@functools.lru_cache(maxsize=64)
def _map_notes(atlas: Atlas, map_id: str) -> tuple[str, str | None]:
    """A dermatome layer's label and, if it is encoded with low confidence, the warning that says so."""
    info = atlas.dermatome_map_info(map_id)
    warning = None
    if info.get("confidence") == "low":
        warning = (f"The {info['label']} dermatome layer is encoded with low confidence at foot level; "
                   f"see its caveats (atlas.dermatome_map_info({map_id!r})) and compare the other layers.")
    return info["label"], warning
