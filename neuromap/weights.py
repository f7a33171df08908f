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
    "EDX_LENGTH_DEPENDENT_SUPPORT",
    "EDX_ROOT_SNAP",
    "EDX_EVIDENCE",
    "EDX_SEVERITY",
    "MAX_NEXT_STUDIES",
    "MAX_PLAN_HYPOTHESES",
    "MIN_NEXT_STUDIES",
    "STUDY_MIN_SPLIT",
    "STUDY_SYMPTOMATIC_SNAP",
    "STUDY_WEIGHTS",
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
    "PRIORS",
    "PRIOR_WEIGHT",
    "PARTLY_BELOW",
    "PLAN_ALTERNATIVES_WITHIN",
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
NORMAL_WEIGHTS = MappingProxyType({"region": 0.5, "movement": 1.0, "muscle": 1.0, "reflex": 0.9, "sign": 0.5,
                                   # electrodiagnosis (issue 18): see EDX_EVIDENCE
                                   "snap": 1.0, "cmap": 0.5, "emg": 0.8, "paraspinal": 0.8, "h_reflex": 0.7,
                                   "f_wave": 0.3, "block": 0.5})
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
#: Electrodiagnostic targets (issue 18) have their own groups: ``snap`` (a lesion distal to the
#: ganglion that spares its SNAP is uncommon once axons have degenerated: ``snap_dorsal_roots_1980``,
#: ``tsao_2007``), ``emg`` (a muscle a root supplies is denervated in part of its lesions only:
#: limb-muscle screens without the paraspinals found 14-92 % of confirmed radiculopathies,
#: ``lauder_1994``), ``paraspinal`` (normal early, without axon loss or after re-innervation:
#: ``emg_atlas_paraspinal``; 88 % in confirmed radiculopathies, ``lauder_1994``, fewer in clinical
#: ones), ``cmap`` (its amplitude falls only with marked axon loss), ``h_reflex`` (as the ankle
#: jerk), ``f_wave`` (insensitive and unspecific, ``wilbourn_aminoff_1998``) and ``block`` (a
#: normal conduction across a site does not exclude an axonal lesion there).
_EDX_TOLERANCE = {"snap": 0.85, "emg": 0.6, "paraspinal": 0.6, "cmap": 0.4, "h_reflex": 0.6, "f_wave": 0.2,
                  "block": 0.0}
TOLERANCE = MappingProxyType({
    "root": MappingProxyType({"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5, **_EDX_TOLERANCE}),
    "roots": MappingProxyType({"region": 0.35, "motor": 0.6, "reflex": 0.6, "sign": 0.5, **_EDX_TOLERANCE}),
    "nerve": MappingProxyType({"region": 0.8, "motor": 0.85, "reflex": 0.85, "sign": 0.5,
                               **_EDX_TOLERANCE, "snap": 0.9, "emg": 0.85}),
    "plexus": MappingProxyType({"region": 0.6, "motor": 0.7, "reflex": 0.7, "sign": 0.5, **_EDX_TOLERANCE,
                                "emg": 0.75}),
    "cauda_equina": MappingProxyType({"region": 0.4, "motor": 0.5, "reflex": 0.5, "sign": 0.8, **_EDX_TOLERANCE}),
    "polyneuropathy": MappingProxyType({"region": 0.6, "motor": 0.4, "reflex": 0.7, "sign": 0.5, **_EDX_TOLERANCE,
                                        "snap": 0.7, "emg": 0.4}),
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
#: The values of ``localize(prior=...)``: the cited base rates, or none (every candidate alike).
PRIORS = ("clinical", "uniform")
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

# ----------------------------------------------------------------------------- electrodiagnosis (issue 18)
#: Evidence weight of an abnormal electrodiagnostic result, by target kind (times the result's
#: severity, :data:`EDX_SEVERITY`). A SNAP tells a lesion distal to the ganglion from a root
#: (abnormal in 21 % of L5 radiculopathies, ``ho_2004_spn``, and in most plexus and nerve lesions,
#: ``snap_dorsal_roots_1980``): an absent one weighs a little more than an absent reflex. Needle
#: EMG denervation (fibrillations, positive waves), in a limb muscle or a paraspinal level, is the
#: single most useful finding (``wilbourn_aminoff_1998``). A CMAP falls only with marked axon loss;
#: an H reflex follows the ankle jerk; F waves are insensitive and unspecific
#: (``wilbourn_aminoff_1998``). A conduction block at a site is focal demyelination there: it
#: names the site (``marciniak_2013``).
EDX_EVIDENCE = MappingProxyType({"snap": 1.2, "cmap": 0.8, "emg": 1.0, "paraspinal": 1.0, "h_reflex": 0.8,
                                 "f_wave": 0.3, "block": 1.0})
#: How marked each abnormal result is, in (0, 1] (the finding's ``severity``): a reduced SNAP or
#: CMAP less than an absent one (SNAPs fall with age: ``ho_2004_spn``, ``sural_elderly_2014``),
#: chronic re-innervation alone less than active denervation (it dates the lesion less).
EDX_SEVERITY = MappingProxyType({
    "snap": MappingProxyType({"absent": 1.0, "reduced": 0.7}),
    "cmap": MappingProxyType({"absent": 1.0, "reduced": 0.75}),
    "needle_emg": MappingProxyType({"denervation": 1.0, "both": 1.0, "chronic_reinnervation": 0.7}),
    "h_reflex": MappingProxyType({"absent": 1.0, "delayed": 0.75}),
    "f_wave": MappingProxyType({"absent": 1.0, "delayed": 1.0}),
    "block": MappingProxyType({"block": 1.0}),
})
#: How much a root lesion lowers the SNAPs of its own level: dorsal root ganglia lie in the
#: spinal canal in a share of people (11-38 % at L5, about 71 % at S1, ``tsao_2007``), and the
#: superficial fibular SNAP was abnormal in 21 % of L5 radiculopathies under 60 (``ho_2004_spn``):
#: a fifth of a nerve lesion's involvement.
EDX_ROOT_SNAP = 0.2
#: The support (like :data:`PATTERN_WEIGHT`) a length-dependent SNAP loss gives a polyneuropathy:
#: a distal SNAP (``length`` 1 in ``data/electrodiagnosis.json``) reduced or absent on both sides
#: (``england_2005_dsp``, ``tsao_2007``).
EDX_LENGTH_DEPENDENT_SUPPORT = 0.5
#: How much each study is worth in a study plan when it separates the leaders: a SNAP and needle
#: EMG localize best (``wilbourn_aminoff_1998``, ``snap_dorsal_roots_1980``), the paraspinals a
#: little less (absent in part of radiculopathies, ``lauder_1994``), the H reflex least. Motor
#: studies and F waves are scored when reported but not proposed: they read the same muscles as
#: needle EMG, less sensitively (a CMAP falls only with marked axon loss; F waves are
#: insensitive and unspecific, ``wilbourn_aminoff_1998``).
STUDY_WEIGHTS = MappingProxyType({"snap": 1.0, "emg": 0.95, "paraspinal": 0.85, "h_reflex": 0.6})
#: A study enters the plan only when its weight times the difference it predicts between two
#: leaders reaches this value; the spread over all leaders adds :data:`EXAM_SPREAD`.
STUDY_MIN_SPLIT = 0.4
#: In a study plan, a SNAP of a nerve that supplies skin the case reports abnormal is worth this much
#: more: the sensory study of the symptomatic territory is the one that separates a root from a
#: nerve there (``snap_dorsal_roots_1980``: SNAPs recorded from the nerves of the numb skin). A
#: SNAP of an asymptomatic territory may be normal under either lesion, so the symptomatic one
#: counts twice. Set on the case suite: at 1.25 a one-sided case whose leaders are S1 and the
#: tibial nerve (the silent side of #17 moved the polyneuropathy out of them) was offered the
#: medial plantar SNAP instead of the sural SNAP of its numb lateral foot.
STUDY_SYMPTOMATIC_SNAP = 2.0
#: A study plan proposes at least this many studies when enough separate the leaders (a second
#: study corroborates the first, as an electromyographer confirms a finding in two nerves or
#: muscles), and at most :data:`MAX_NEXT_STUDIES`.
MIN_NEXT_STUDIES = 4
MAX_NEXT_STUDIES = 6
#: A study plan separates the leaders and the best listed hypothesis of each kind they lack (a
#: root, a nerve, a plexus, a polyneuropathy) among the first this many, at most
#: :data:`MAX_PLAN_HYPOTHESES` in all: the alternatives a study rules out (L5 or the common
#: fibular nerve, S1 or the tibial nerve, a root or the plexus: ``marciniak_2013``, ``tsao_2007``).
PLAN_ALTERNATIVES_WITHIN = 6
MAX_PLAN_HYPOTHESES = 4

# ----------------------------------------------------------------------------- the pattern read
#: Abnormal regions on both feet overlapping by at least this fraction (Jaccard), and
#: reaching the toes, read as a stocking (length-dependent) pattern.
STOCKING_OVERLAP = 0.5
#: A nerve supplies a region for the pattern read from this weight on, and fits a set of
#: regions when they are at least :data:`NERVE_FIT_MIN` of its territory.
NERVE_SUPPLY_MIN = 0.5
NERVE_FIT_MIN = 0.25
