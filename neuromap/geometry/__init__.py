"""Foot surface geometry: the region template and point/drawing queries against it.

The template (``data/foot.geojson``) draws the skin of a reference adult RIGHT foot in four
views (:data:`FOOT_VIEWS`), and of the thigh, knee, leg, buttock and saddle in three more
(:data:`LIMB_VIEWS`), and cuts each view into the skin regions of ``regions.json``.  The
regions of a view tile its outline exactly (no gaps, no overlaps; shared borders are identical
vertex for vertex): ``tools/foot/build_foot.py`` proves it when it writes the file.  The file
stores every coordinate and anchor as an integer number of hundredths of a millimetre (format
2, ``coordinates_per_mm`` 100), which loading divides back to millimetres.

Coordinate frame
----------------
Millimetres of a reference adult foot (265 mm from the back of the heel to the tip of the
hallux, ~100 mm wide at the ball, ~65 mm at the heel).  Each view is drawn as an observer sees
it, x to the observer's right and y up:

``dorsal``
    Seen from above, toes up the page.  x = 0 on the long axis of the foot (heel centre to
    second toe), +x lateral; y = 0 at the back of the heel (the leg is cut just above the
    malleoli).
``plantar``
    Seen from below, toes up.  x = 0 on the long axis, +x MEDIAL (how the right sole looks from
    below); y = 0 at the back of the heel.
``medial``
    Seen from the medial side, sole on the ground.  y = 0 at the ground, +y dorsal; x = 0 at
    the back of the heel, the toes toward -x.
``lateral``
    Seen from the lateral side, sole on the ground.  y = 0 at the ground; x = 0 at the back of
    the heel, the toes toward +x.
``anterior``, ``posterior``
    The front of the right thigh, knee and leg (from the inguinal ligament), and the back of
    the buttock, thigh, knee and leg (from the iliac crest), in a body frame: y = height above
    the ground standing, x = distance from the midline, the right limb at -x seen from the
    front and at +x seen from behind; both end at the leg cut at y = 130, where the medial and
    lateral foot views end.
``saddle``
    The right half of the perineum seen from below in the lithotomy position: x = 0 on the
    midline, the right side at -x; y = 0 at the centre of the anus, +y toward the pubis.

The LEFT foot is the mirror image of the right: x -> -x in every view.  Every query takes
``side`` (``"left"`` or ``"right"``) and interprets coordinates in that side's frame.

Border rule
-----------
A point exactly on the border shared by two regions belongs to the region that comes first in
:meth:`FootTemplate.regions` order; a point exactly on the outline belongs to the region whose
edge it lies on (the outline is closed).  Everything else is decided by strict containment.

Modules
-------
:mod:`~neuromap.geometry.template`
    :class:`FootTemplate` (reading a template, point and drawing queries, export) and the
    results of its overlay.
:mod:`~neuromap.geometry.drawing`
    Reading drawn areas and points, with the messages that say what to fix.
"""

from neuromap.geometry._frame import ALL_VIEWS, FOOT_VIEWS, LIMB_VIEWS, SIDES, VIEWS
from neuromap.geometry.drawing import load_drawing_geojson
from neuromap.geometry.template import FootTemplate, OverlayResult, RegionOverlap

__all__ = [
    "SIDES",
    "ALL_VIEWS",
    "FOOT_VIEWS",
    "LIMB_VIEWS",
    "VIEWS",
    "FootTemplate",
    "OverlayResult",
    "RegionOverlap",
    "load_drawing_geojson",
]
