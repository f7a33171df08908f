"""What each candidate lesion predicts of every electrodiagnostic study (issue 18).

Every study target of the atlas (:mod:`neuromap.atlas.electro`) is a column of the scoring table
beside the bedside targets, so an electrodiagnostic finding is scored by the same formula
(``docs/method.md`` §3) and explained, and the study plan is chosen, like an examination. A
candidate's predicted involvement of each study follows the anatomical rules of
``data/electrodiagnosis.json``:

* a **SNAP** is reduced by a lesion between its dorsal root ganglion and the recording site: a
  nerve lesion at or above the SNAP's branch, a plexus carrying its fibres
  (:meth:`~neuromap.atlas.electro.Electrodiagnosis.snap_reach`); a root lesion lies proximal to
  the ganglion and lowers it only by :data:`~neuromap.weights.EDX_ROOT_SNAP` at its own level
  (ganglia inside the spinal canal); a length-dependent polyneuropathy by the SNAP's ``length``;
* **needle EMG**, a **CMAP** and an **F wave** read the candidate's involvement of the muscle
  (an EMG muscle the bedside names as a group reads its group);
* a **paraspinal** level is reached through the posterior ramus by a root lesion at that level
  (and, by the data's ``adjacent`` share, the next), never by a plexus, nerve or polyneuropathy;
* the **H reflex** follows the ankle jerk;
* a **conduction block** at a site names that nerve at that site.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import STUDY_KINDS, Study, electrodiagnosis
from neuromap.datasets import ROOT_IDS
from neuromap.inference.candidates import Candidate
from neuromap.inference.case import Finding
from neuromap.weights import EDX_LENGTH_DEPENDENT_SUPPORT, EDX_ROOT_SNAP

__all__ = ["STUDY_KINDS", "length_dependent_support", "study_columns", "study_involvement", "study_reason"]

_ROOT_KINDS = ("root", "roots", "cauda_equina")


def study_involvement(atlas: Atlas, c: Candidate, study: Study) -> float:
    """How strongly candidate *c* predicts a study to be abnormal, in [0, 1].

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.atlas.electro import electrodiagnosis
    >>> from neuromap.inference.candidates import candidates
    >>> atlas = neuromap.load_atlas()
    >>> snap = electrodiagnosis(atlas).study("snap", "superficial_fibular")
    >>> by_id = {(c.id, c.site): c for c in candidates(atlas, atlas.default_dermatome_map)}
    >>> study_involvement(atlas, by_id[("L5", None)], snap), study_involvement(
    ...     atlas, by_id[("common_fibular", "fibular_head")], snap)
    (0.2, 1.0)
    """
    edx = electrodiagnosis(atlas)
    kind = study.kind
    if kind == "snap":
        if c.kind in _ROOT_KINDS:
            return EDX_ROOT_SNAP if set(c.levels) & set(study.roots) else 0.0
        if c.kind == "polyneuropathy":
            return float(next(s["length"] for s in edx.data["snaps"] if s["id"] == study.id))
        lesion = ("plexus", c.id, None) if c.kind == "plexus" else ("nerve", str(c.nerve), c.site)
        return edx.snap_reach(lesion, study.id)
    if kind in ("cmap", "emg", "f_wave"):
        return c.territory.get("muscle", str(study.muscle))
    if kind == "paraspinal":
        if c.kind not in _ROOT_KINDS:
            return 0.0
        level = ROOT_IDS.index(study.id)
        gap = min((abs(ROOT_IDS.index(r) - level) for r in c.levels), default=99)
        return 1.0 if gap == 0 else float(edx.data["paraspinals"]["adjacent"]) if gap == 1 else 0.0
    if kind == "h_reflex":
        return c.territory.get("reflex", str(edx.data["h_reflex"]["reflex"]))
    return 1.0 if c.kind == "nerve" and f"{c.nerve}@{c.site}" == study.id else 0.0


def study_columns(atlas: Atlas, cands: Sequence[Candidate]) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Every study target as a ``(kind, id)`` column, and each candidate's involvement of it.

    Returns
    -------
    keys : list of (str, str)
    p : numpy.ndarray
        ``(len(cands), len(keys))``.
    """
    studies = list(electrodiagnosis(atlas).studies())
    p = np.array([[study_involvement(atlas, c, s) for s in studies] for c in cands]).reshape(len(cands), len(studies))
    return [(s.kind, s.id) for s in studies], p


def length_dependent_support(atlas: Atlas, cands: Sequence[Candidate],
                             findings: Sequence[Finding]) -> np.ndarray | None:
    """The support a length-dependent SNAP loss gives the polyneuropathy candidate, or None.

    A SNAP of the most distal nerves (``length`` 1: the sural and medial plantar nerves) reduced
    or absent on both sides reads as a length-dependent polyneuropathy
    (:data:`~neuromap.weights.EDX_LENGTH_DEPENDENT_SUPPORT`; ``england_2005_dsp``, ``tsao_2007``).
    """
    distal = {s["id"] for s in electrodiagnosis(atlas).data.get("snaps", ()) if s["length"] >= 1.0}
    sides: dict[str, set[str]] = {}
    for f in findings:
        if f.kind == "snap" and f.abnormal and f.target in distal:
            sides.setdefault(f.target, set()).add(f.side)
    if not any(len(s) == 2 for s in sides.values()):
        return None
    return np.array([EDX_LENGTH_DEPENDENT_SUPPORT if c.kind == "polyneuropathy" else 0.0 for c in cands])


def study_reason(atlas: Atlas, c: Candidate, kind: str, target: str, p: float) -> str:
    """Why candidate *c* predicts a study abnormal (for an explained finding or a study plan)."""
    study = electrodiagnosis(atlas).study(kind, target)
    partly = " (partly)" if p < 0.5 else ""
    if kind == "snap":
        if c.kind in _ROOT_KINDS:
            return (f"a root lesion lies proximal to the dorsal root ganglion and usually spares the {study.label}; "
                    "it is lowered only where the ganglion lies inside the spinal canal")
        if c.kind == "polyneuropathy":
            return f"a length-dependent neuropathy lowers distal SNAPs first{partly}"
        return f"the lesion lies between the dorsal root ganglion and the recording site of the {study.label}{partly}"
    if kind == "paraspinal":
        return f"the posterior ramus of {target} supplies the {target} paraspinals{partly}"
    if kind == "block":
        return "a conduction block at this site is the lesion itself"
    if kind == "h_reflex":
        return f"the H reflex runs through the arc of the ankle jerk{partly}"
    muscle = atlas.node(str(study.muscle))["label"].lower()
    return f"the lesion reaches the {muscle}{partly}"
