"""Localization: from reported findings to ranked, explained lesion sites.

Stages, in order: :mod:`~neuromap.inference.case` (read and validate a case),
:mod:`~neuromap.inference.candidates` (lesion sites and their territories),
:mod:`~neuromap.inference.scoring` (score candidates against findings),
:mod:`~neuromap.inference.localize` (rank, explain, red flags, next examination; one case or a
batch, :func:`localize_cases`) and :mod:`~neuromap.inference.result` (the :class:`Localization`
returned; :mod:`~neuromap.inference.ranking` for ranking-only results). Free text becomes a case
in :mod:`~neuromap.inference.text` (:func:`case_from_text`). Electrodiagnosis (issue 18):
:mod:`~neuromap.inference.edx` reads the studies of a case, :mod:`~neuromap.inference.studies`
predicts them for every candidate (columns of the scoring table) and
:mod:`~neuromap.inference.plan` proposes the studies that would separate the leaders.
"""

from neuromap.inference.case import Case, Finding, Limits, NotUnderstood
from neuromap.inference.localize import localize, localize_cases
from neuromap.inference.ranking import RankedHypothesis, Ranking
from neuromap.inference.result import Hypothesis, Localization
from neuromap.inference.text import TextCase, case_from_text

__all__ = ["Case", "Finding", "Hypothesis", "Limits", "Localization", "NotUnderstood", "RankedHypothesis", "Ranking",
           "TextCase", "case_from_text", "localize", "localize_cases"]
