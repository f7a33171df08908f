"""Pixel baselines of the figures: where they live, the rc settings they are drawn with, the comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import pytest

BASELINE = Path(__file__).parent / "baseline"
#: the rc settings every baseline is drawn with (inside ``matplotlib.rc_context``)
RC = {"font.family": "DejaVu Sans", "font.sans-serif": ["DejaVu Sans"], "svg.hashsalt": "neuromap"}


def compare_baseline(display: Any, name: str, tmp_path: Path) -> None:
    """Draw *display* at 80 dpi and compare it with ``tests/baseline/<name>`` (skipped off the pinned matplotlib)."""
    from matplotlib.testing.compare import compare_images

    pin = (BASELINE / "MATPLOTLIB_VERSION").read_text().strip()
    if matplotlib.__version__ != pin:
        pytest.skip(f"image baselines were made with matplotlib {pin}; this is {matplotlib.__version__}")
    actual = tmp_path / name
    display.savefig(actual, dpi=80)
    err = compare_images(str(BASELINE / name), str(actual), tol=10)
    assert err is None, err
