"""Localization: from reported findings to ranked, explained lesion sites.

Stages, in order: :mod:`~neuromap.inference.case` (read and validate a case),
:mod:`~neuromap.inference.candidates` (lesion sites and their territories),
:mod:`~neuromap.inference.scoring` (score candidates against findings),
:mod:`~neuromap.inference.localize` (rank, explain, red flags, next examination) and
:mod:`~neuromap.inference.result` (the :class:`Localization` returned).
"""

from neuromap.inference.case import Case, Finding, Limits
from neuromap.inference.localize import localize
from neuromap.inference.result import Hypothesis, Localization

__all__ = ["Case", "Finding", "Hypothesis", "Limits", "Localization", "localize"]
