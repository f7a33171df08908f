"""Many drawings overlaid on the regions of one view at once: vectorized GEOS calls.

:meth:`FootTemplate.overlay <neuromap.geometry.FootTemplate.overlay>` intersects one drawing
with a view's regions; :func:`overlay_rows` does the same for an array of drawings with a few
vectorized calls: an :class:`shapely.STRtree` of the regions pairs each drawing with the
regions it touches, then :func:`shapely.covers` and :func:`shapely.intersection` /
:func:`shapely.area` run over all the pairs at once. Each pair is the same GEOS operation on the
same two geometries as in the one-drawing overlay, so the areas are the same to the last bit
(a test holds the two together).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

__all__ = ["overlay_rows"]


def overlay_rows(geoms: Sequence[shapely.Geometry], polys: np.ndarray,
                 ) -> list[tuple[list[tuple[int, float]], float] | None]:
    """Per drawing: the (region index, area) it covers with positive area, in region order, and its area.

    Parameters
    ----------
    geoms : sequence of shapely Polygon or MultiPolygon
        Valid drawings (as :func:`~neuromap.geometry.read_drawing` returns them).
    polys : numpy.ndarray of shapely geometries
        The regions of one view, in region order.

    Returns
    -------
    list
        ``(pairs, area)`` per drawing, or None for a drawing that covers no region.
    """
    g = np.asarray(geoms, dtype=object)
    if not len(g):
        return []
    totals = shapely.area(g).tolist()
    d, r = shapely.STRtree(polys).query(g, predicate="intersects")
    order = np.lexsort((r, d))                     # by drawing, then region order
    d, r = d[order], r[order]
    covered = shapely.covers(polys[r], g[d])
    # a drawing inside one region covers exactly its own area there, and nothing elsewhere
    whole = np.zeros(len(g), dtype=bool)
    whole[d[covered]] = True
    cut = ~whole[d]
    areas = np.zeros(len(d))
    areas[cut] = shapely.area(shapely.intersection(polys[r[cut]], g[d[cut]]))
    first_cover: dict[int, int] = {}
    for i, j in zip(d[covered].tolist(), r[covered].tolist(), strict=True):
        first_cover.setdefault(i, j)
    out: list[tuple[list[tuple[int, float]], float] | None] = [None] * len(g)
    for i, j in first_cover.items():
        out[i] = ([(j, totals[i])], totals[i])
    rows: dict[int, list[tuple[int, float]]] = {}
    for i, j, a in zip(d[cut].tolist(), r[cut].tolist(), areas[cut].tolist(), strict=True):
        if a > 0.0:
            rows.setdefault(i, []).append((j, a))
    for i, pairs in rows.items():
        out[i] = (pairs, totals[i])
    return out
