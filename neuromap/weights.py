"""Every weight and constant of the localization method, in one place.

``docs/method.md`` explains the method; this module holds its numbers, each with what it
does and where it comes from. The numbers are modelling choices, set by reasoning from the
cited sources (keys of ``data/sources.json``) and checked against the cited case suite
(``tests/cases/``) and the round trip over every lesion site (``tests/test_roundtrip.py``);
they are not fitted to patient data. Changing one changes outputs: regenerate the
equivalence fixture (``python tools/gen_equivalence.py``) in the same commit and say why
(see ``CONTRIBUTING.md``, "Change a scoring weight").

This module sits at the bottom of the package (beside :mod:`neuromap.errors`), so the graph
and the engine read the same numbers.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "BILATERAL_COST",
    "DERMATOME_AGREEMENT_SHARE",
    "DRAWING_FULL_COVER",
    "DRAWING_MIN_SEVERITY",
    "DRAWING_OUTSIDE_NOTE",
    "EPSILON",
    "EXAM_MIN_SPLIT",
    "EXAM_SPREAD",
    "EXAM_WEIGHTS",
    "HISTORY_FACTOR",
    "KAPPA",
    "KIND_ORDER",
    "LAMBDA",
    "LEADER_MARGIN",
    "LEADER_MIN_RATIO",
    "LEADER_RATIO",
    "MAX_HYPOTHESES",
    "MAX_NEXT_EXAMINATIONS",
    "MRC_FIVE_MINUS_SEVERITY",
    "MRC_SEVERITY",
    "NERVE_FIT_MIN",
    "NERVE_SUPPLY_MIN",
    "NORMAL_WEIGHTS",
    "PAIN_ONLY_CONTRADICTION",
    "PARSIMONY",
    "PATTERN_WEIGHT",
    "PRIOR_EVIDENCE_FLOOR",
    "PRIOR_WEIGHT",
    "PARTLY_BELOW",
    "PREDICTED_ABNORMAL",
    "REFLEX_SEVERITY",
    "ROOT_ALTERNATIVE_SHARE",
    "ROOT_GRADE_WEIGHTS",
    "SADDLE_SPHINCTER_WEIGHT",
    "SILENT_SIDE",
    "SENSORY_DEFAULT_WEIGHT",
    "SENSORY_WEIGHTS",
    "SEVERE_SEVERITY",
    "SHARE_LOG_COEFFICIENT",
    "SIGN_WEIGHT",
    "SIGN_WEIGHT_RED_FLAG",
    "SITE_MARGIN",
    "STOCKING_OVERLAP",
    "TIE",
    "TOLERANCE",
    "VARIANT_SUPPLY",
    "WEAK_SEVERITY",
]

# ----------------------------------------------------------------------------- findings
#: Evidence weight of an abnormal sensory finding, by modality. Sensory findings weigh less
#: than motor and reflex findings, and pain least: radicular pain is mostly non-dermatomal
#: (``murphy_2009``); in surgically proven L5/S1 compressions pins-and-needles followed the
#: dermatome slightly better than pain (``taylor_2013``); pain drawings do not separate L5 from
#: S1 above chance (``albert_2019``).
SENSORY_WEIGHTS = MappingProxyType(
    {"numbness": 0.6, "tingling": 0.55, "burning": 0.45, "hypersensitivity": 0.45, "pain": 0.35})
#: Weight of a sensory finding whose modality has no entry above.
SENSORY_DEFAULT_WEIGHT = 0.5
#: Evidence weight of an examined normal finding, by target kind.
NORMAL_WEIGHTS = MappingProxyType({"region": 0.5, "movement": 1.0, "muscle": 1.0, "reflex": 0.9, "sign": 0.5})
#: Severity (the weight of an abnormal motor finding) by MRC grade: grades 0-2 are full
#: weakness, 3 and 4 less marked; 5 is normal strength.
MRC_SEVERITY = MappingProxyType({0: 1.0, 1: 1.0, 2: 1.0, 3: 0.9, 4: 0.7, 5: 1.0})
#: Severity of the grade 5- (weakness detectable only against strong resistance): abnormal, but
#: the mildest abnormal grade, below grade 4's.
MRC_FIVE_MINUS_SEVERITY = 0.5
#: A motor finding at least this severe is a severe deficit (MRC grade 3 or less): bilateral, it
#: raises the cauda equina flag (``nice_cks_sciatica``: a severe or progressive bilateral deficit).
SEVERE_SEVERITY = 0.9
#: Severity of a motor finding given as the word "weak" (no grade).
WEAK_SEVERITY = 0.8
#: Severity (weight) of a reflex finding by grade: a reflex change is the most objective sign
#: of root compression (``msd_radiculopathy``); an absent reflex weighs more than a reduced one.
REFLEX_SEVERITY = MappingProxyType({"absent": 1.0, "reduced": 0.8, "normal": 1.0, "brisk": 1.0})
#: Weight of an abnormal sign that points to a lesion: a red-flag sign, any other sign.
SIGN_WEIGHT_RED_FLAG = 1.0
SIGN_WEIGHT = 0.6
#: One sensory entry naming n regions is one observation: each region carries
#: ``(1 + SHARE_LOG_COEFFICIENT * ln n) / n`` of the entry's weight.
SHARE_LOG_COEFFICIENT = 0.5
#: A drawn area covering a fraction f of a region gives it severity ``f / DRAWING_FULL_COVER``,
#: at least :data:`DRAWING_MIN_SEVERITY` and at most 1 (full from half the region on).
DRAWING_FULL_COVER = 0.5
DRAWING_MIN_SEVERITY = 0.1
#: A drawing with more than this fraction outside the outline gets a note in the result.
DRAWING_OUTSIDE_NOTE = 0.001

# ----------------------------------------------------------------------------- territories
#: Within one source, a major root of a nerve, muscle or reflex weighs 1 and a minor root 0.5
#: (``neuromap.graph.root_weights``).
ROOT_GRADE_WEIGHTS = MappingProxyType({"major": 1.0, "minor": 0.5})
#: A root weight blends the default source (1 - this share) with the strongest alternative
#: source (this share): a root only an alternative source gives keeps a small weight.
ROOT_ALTERNATIVE_SHARE = 0.25
#: A root's skin blends the chosen dermatome layer (1 - this share) with the agreement of all
#: area layers (this share): the chosen layer dominates, and published maps disagree.
DERMATOME_AGREEMENT_SHARE = 0.25
#: A documented variant supply (a branch that supplies a target in some people) counts this much.
VARIANT_SUPPLY = 0.5

# ----------------------------------------------------------------------------- scores
#: Cost of an unexplained abnormal finding, per unit of its weight.
LAMBDA = 0.5
#: Steepness of the fit-to-score transform ``exp(KAPPA * (fit - 1))``.
KAPPA = 2.0
#: Credit lost for explaining a finding with the largest territory (the size principle).
EPSILON = 0.4
#: Extra cost of the same focal lesion on both sides (a second lesion is rarer than one).
BILATERAL_COST = 1.5
#: How much an examined normal finding counts against a candidate that predicts it abnormal,
#: by candidate kind and target group: lower for roots, whose dermatomes overlap and whose
#: lesions often spare sensation, than for nerves.
TOLERANCE = MappingProxyType({
    "root": MappingProxyType({"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5}),
    "roots": MappingProxyType({"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5}),
    "nerve": MappingProxyType({"region": 0.8, "motor": 0.85, "reflex": 0.85, "sign": 0.5}),
    "plexus": MappingProxyType({"region": 0.6, "motor": 0.7, "reflex": 0.7, "sign": 0.5}),
    "cauda_equina": MappingProxyType({"region": 0.4, "motor": 0.5, "reflex": 0.5, "sign": 0.8}),
    "polyneuropathy": MappingProxyType({"region": 0.6, "motor": 0.4, "reflex": 0.7, "sign": 0.5}),
})
#: Parsimony: the extra cost (in units of finding weight) of explanations that need more
#: than one lesion or are rarer: two or three roots, a plexus, the cauda equina, a
#: polyneuropathy.
PARSIMONY = MappingProxyType({"root": 0.0, "nerve": 0.0, "roots2": 0.8, "roots3": 1.4, "plexus": 0.9,
                              "cauda_equina": 1.0, "polyneuropathy": 0.25})
#: Prevalence prior: evidence units per natural-log unit of a candidate's base rate relative to
#: the commonest candidate's (``data/priors.json``: L5 radiculopathy, about 209 per 100,000
#: person-years, ``schoenfeld_2012``, ``tums_lsr_2013``). A polyneuropathy (77, ``visser_2015``)
#: pays 0.1 x ln(209/77) = 0.1; a nerve without its own figure (0.2, an uncommon entrapment)
#: pays 0.7, about one numb region's worth of evidence: the prior separates equal explanations
#: and tips close ones, and findings overrule it. Set on the case suite (``tests/cases/``: 0.08
#: to 0.1 pass the most cases; 0.2 and more overrule motor findings of nerve lesions).
PRIOR_WEIGHT = 0.1
#: The prior term is divided by the case's evidence weight like every other term, but by no less
#: than this (about three numb regions): a case of one faint finding (pain over one region) is
#: not decided by base rates alone.
PRIOR_EVIDENCE_FLOOR = 2.0
#: How many times a context event of the history (``data/priors.json``, ``history``) multiplies
#: the base rate of a lesion it raises when its source names the tie but gives no ratio (the
#: cited ratios found run from 2 to 12: ``ng_2019``, ``parisi_2011``, ``van_slobbe_2004``).
HISTORY_FACTOR = 3.0
#: Pattern support: the evidence the read of the findings adds to the candidates it points to
#: (a stocking: polyneuropathy, ``callaghan_2015``, ``england_asbury_2004``; one dermatome: that
#: root; one nerve territory: that nerve; saddle and sphincter findings: the cauda equina,
#: ``gardner_2011``, ``bmj_bp_ces``).
PATTERN_WEIGHT = 0.5
#: The support a saddle sensory finding together with a sphincter finding gives the cauda equina
#: (instead of :data:`PATTERN_WEIGHT`): the picture is the syndrome itself (``gardner_2011``,
#: ``bmj_bp_ces``), so it offsets the cauda equina's parsimony cost and the syndrome ranks above
#: bilateral lesions of single sacral roots.
SADDLE_SPHINCTER_WEIGHT = 1.0
#: When every abnormal finding is pain or a sign (no sensory loss, weakness or reflex change:
#: an irritative picture), examined normal strength and reflexes are expected under every root
#: lesion (radicular pain without deficit, ``murphy_2009``, ``msd_radiculopathy``): their
#: contradiction costs are scaled by this, so a normal examination lowers every candidate
#: without electing the one whose functions went untested.
PAIN_ONLY_CONTRADICTION = 0.25
#: The silent side: when every finding lies on one side, a lesion that is bilateral by nature
#: (a polyneuropathy, the cauda equina in its complete form) predicts the same findings on the
#: other side, where the case reports none. Per unit of the weight it explains, it is charged
#: this much (a half: the silent side was not reported examined, only not reported affected;
#: a side examined normal is charged in full through its normal findings). Set on the case
#: suite (``tests/cases/``); source of the principle: symmetry is what separates a
#: length-dependent neuropathy from a mononeuropathy or radiculopathy (``england_asbury_2004``,
#: ``callaghan_2015``).
SILENT_SIDE = 0.5
#: Order of kinds when scores tie: the simpler, more local explanation first.
KIND_ORDER = ("nerve", "root", "roots", "plexus", "polyneuropathy", "cauda_equina")
#: Scores closer than this are equal (the order inside a tie is a convention).
TIE = 1e-12

# ----------------------------------------------------------------------------- the result
#: How many hypotheses a result lists at most (more only to keep a tie whole).
MAX_HYPOTHESES = 12
#: A hypothesis among the next three is a leader (not separated from the top) when its score
#: is at least this fraction of the top score ...
LEADER_RATIO = 0.85
#: ... or when its evidence fit is within this margin of the top's (a tenth of the case's
#: evidence weight: parsimony and size break ties in the ranking, but they are not findings)
#: and its score is at least :data:`LEADER_MIN_RATIO` of the top's.
LEADER_MARGIN = 0.1
LEADER_MIN_RATIO = 0.5
#: A site along a nerve is decided only when its evidence fit beats every other site's by this much.
SITE_MARGIN = 0.02
#: A finding counts as explained only "partly" below this involvement.
PARTLY_BELOW = 0.5
#: From this involvement on a lesion predicts a target abnormal: an examined normal finding is
#: listed as contradicting it, and a proposed examination is "expected abnormal" under it.
PREDICTED_ABNORMAL = 0.5
#: How much each kind of examination is worth when it separates the leaders: a reflex is the
#: most objective sign of root compression (``msd_radiculopathy``), strength next, sensation least.
EXAM_WEIGHTS = (("reflex", 1.0), ("movement", 0.95), ("region", 0.5))
#: An examination is proposed only when its weight times the difference it predicts between
#: the top two leaders reaches this value; the spread over all leaders adds this fraction.
EXAM_MIN_SPLIT = 0.4
EXAM_SPREAD = 0.1
#: How many examinations are proposed at most.
MAX_NEXT_EXAMINATIONS = 3

# ----------------------------------------------------------------------------- the pattern read
#: Abnormal regions on both feet overlapping by at least this fraction (Jaccard), and
#: reaching the toes, read as a stocking (length-dependent) pattern.
STOCKING_OVERLAP = 0.5
#: A nerve supplies a region for the pattern read from this weight on, and fits a set of
#: regions when they are at least :data:`NERVE_FIT_MIN` of its territory.
NERVE_SUPPLY_MIN = 0.5
NERVE_FIT_MIN = 0.25
