"""The views and sides of the template, and the mirror that turns the right foot into the left."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from neuromap.errors import InvalidCaseError

#: The four views of the foot (the default views of the figures).
FOOT_VIEWS: tuple[str, ...] = ("dorsal", "plantar", "medial", "lateral")
#: The views of the rest of the lower limb (issue 9): thigh/knee/leg front and back, saddle.
LIMB_VIEWS: tuple[str, ...] = ("anterior", "posterior", "saddle")
#: Every view a template may hold, in order.
ALL_VIEWS: tuple[str, ...] = FOOT_VIEWS + LIMB_VIEWS
#: The foot views; kept under this name for the figures and callers that mean "the foot".
VIEWS: tuple[str, ...] = FOOT_VIEWS
#: The two sides; the template holds the right one, the left is its mirror image.
SIDES: tuple[str, ...] = ("left", "right")
#: Largest number of vertices of one template feature or one drawing, unless told otherwise.
DEFAULT_MAX_VERTICES = 10_000
_MIRROR_X = np.array([-1.0, 1.0])


def check_side(side: str) -> None:
    """Raise unless ``side`` is ``"left"`` or ``"right"``.

    Parameters
    ----------
    side : str
        The side asked for.

    Raises
    ------
    InvalidCaseError
        Field ``'side'``: any other value.

    Examples
    --------
    >>> check_side("left")
    >>> check_side("both")
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'side': 'both' is not 'left' or 'right'.
    """
    if side not in SIDES:
        raise InvalidCaseError("side", f"{side!r} is not 'left' or 'right'", ())


def mirror(poly: Polygon) -> Polygon:
    """Mirror a polygon across x = 0 (right foot <-> left foot), exterior counter-clockwise.

    Parameters
    ----------
    poly : shapely.Polygon
        A polygon in one side's frame.

    Returns
    -------
    shapely.Polygon
        The polygon in the other side's frame: x -> -x, with the exterior ring reoriented
        counter-clockwise (mirroring reverses it) and holes clockwise.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> m = mirror(box(1, 0, 3, 2))
    >>> m.bounds, m.exterior.is_ccw
    ((-3.0, 0.0, -1.0, 2.0), True)
    """
    # (shapely.affinity.scale(poly, xfact=-1, origin=(0, 0)) computes -x + 0 * y + 0, which
    # turns the -0.0 of a mirrored 0 into 0.0 and so changes the text of exported coordinates)
    return orient(shapely.transform(poly, lambda xy: xy * _MIRROR_X), 1.0)
