"""neuromap: dermatome and myotome mapping of the lower limb.

Report where the foot hurts, tingles or is numb, which movements are weak and which reflexes
are reduced; neuromap ranks the spinal levels and peripheral nerves that could explain them,
each with the findings it explains and the atlas paths behind it, red flags first.

neuromap is decision support for education and research, not a diagnosis.

Examples
--------
>>> import neuromap
>>> atlas = neuromap.load_atlas()
>>> result = neuromap.localize({"side": "right",
...                             "sensory": [{"regions": ["lateral border"], "modality": "numbness"}],
...                             "reflexes": {"achilles": "absent"}})
>>> result.top.id
'S1'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neuromap._version import __version__
from neuromap.errors import (
    AtlasDataError,
    InvalidArgumentError,
    InvalidCaseError,
    InvalidTypeError,
    LimitExceededError,
    MissingDependencyError,
    NeuromapError,
    UnknownNameError,
)

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas, load_atlas
    from neuromap.inference import Case, Limits, Localization, case_from_text, localize
    from neuromap.io import localize_json, localize_many

__all__ = [
    "Atlas",
    "AtlasDataError",
    "Case",
    "InvalidArgumentError",
    "InvalidCaseError",
    "InvalidTypeError",
    "MissingDependencyError",
    "Limits",
    "LimitExceededError",
    "Localization",
    "NeuromapError",
    "UnknownNameError",
    "__version__",
    "case_from_text",
    "load_atlas",
    "localize",
    "localize_json",
    "localize_many",
]

_LAZY = {
    "Atlas": "neuromap.atlas",
    "load_atlas": "neuromap.atlas",
    "Case": "neuromap.inference",
    "Limits": "neuromap.inference",
    "Localization": "neuromap.inference",
    "localize": "neuromap.inference",
    "case_from_text": "neuromap.inference",
    "localize_json": "neuromap.io",
    "localize_many": "neuromap.io",
}


def __getattr__(name: str) -> Any:
    # Submodules load on first use, so `import neuromap` stays as cheap as its dependencies allow.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neuromap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
