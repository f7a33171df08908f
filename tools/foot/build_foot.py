"""Build ``data/foot.geojson`` from the authored drawings in ``draw_foot.py`` and ``draw_limb.py``.

Usage::

    python tools/foot/build_foot.py                # writes data/foot.geojson
    python tools/foot/build_foot.py -o /tmp/x.json # writes elsewhere (reproducibility check)
    python tools/foot/build_foot.py --check        # exit 1 if data/foot.geojson is stale

Steps, per view:

1. sample every outline piece and seam as a centripetal Catmull-Rom spline (about one vertex
   every ``STEP_MM`` millimetres, always through the control points);
   (then shift the view by at most a few hundredths of a millimetre so that the frame's
   origin lines -- back of the heel, ground -- are met exactly);
2. node the outline ring and the seams together (``shapely.unary_union``), simplify every
   noded piece on its own (Douglas-Peucker, ``SIMPLIFY_MM`` = 0.02 mm; a piece keeps its end
   nodes, so shared borders stay shared) and ``polygonize``; dangles (seam overshoots) are
   dropped by polygonize;
3. round every face to the ``GRID`` (0.01 mm) -- faces share their edges vertex for vertex, so
   rounding keeps them shared exactly; the file stores the grid coordinates (and the label
   anchors) as integers, in hundredths of a millimetre (format 2, ``coordinates_per_mm`` 100);
4. give each face inside the outline to the region whose label point it contains (every face
   must contain exactly one label point) and merge the faces of a region
   (``shapely.coverage_union_all``);
5. check: each region one valid Polygon, ``coverage_is_valid``, the union follows the drawn
   outline to within ``SIMPLIFY_MM`` + ``GRID`` (Hausdorff distance);
   (the landmark curves of a view -- malleoli, toes, patella, calf, anus -- are sampled the
   same way, clipped to the outline and written as LineString features; they cut no region);
6. read the text it is about to write back with ``FootTemplate.from_geojson(..., check=True)``:
   the GEOS proof that the regions of every view tile its outline exactly, each polygon valid
   and each anchor inside its region. This is where the bundled template is proved: the
   library loads it with ``check=False``, trusting the file whose hash the manifest holds.

The output is deterministic (fixed sampling, sorted features, fixed number formatting), so
rerunning the script reproduces the file byte for byte.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LinearRing, LineString, Polygon
from shapely.geometry.polygon import orient

from neuromap.geometry import FootTemplate


def _load_drawing(name: str) -> ModuleType:
    """Import an authored drawing (``draw_foot.py``, ``draw_limb.py``) next to this script."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


draw_foot = _load_drawing("draw_foot")
draw_limb = _load_drawing("draw_limb")  # imports draw_foot's View and piece
DRAWINGS = {**draw_foot.VIEWS, **draw_limb.VIEWS}

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "data" / "foot.geojson"
FOOT_VIEWS = ("dorsal", "plantar", "medial", "lateral")
LIMB_VIEWS = ("anterior", "posterior", "saddle")
VIEW_ORDER = FOOT_VIEWS + LIMB_VIEWS
STEP_MM = 2.5  # target spacing of the sampled vertices
#: Vertices closer than this to the chord of their neighbours are dropped after noding (mm):
#: curves keep their ~STEP_MM sampling, straight and gently curved runs lose the vertices that
#: carry no shape (~60 % of them; the limb's long straight cuts most).
SIMPLIFY_MM = 0.02
GRID = 0.01  # coordinate grid, mm
#: The file stores every coordinate and anchor as an integer number of grid steps (format 2):
#: the value in mm times this (1 / GRID). Integers decode about twice as fast as decimals, and
#: an integer divided by 100 is exactly the double nearest the two-decimal value.
COORDINATES_PER_MM = 100
TILING_TOLERANCE = 0.1  # mm^2: max area of (union of regions) XOR outline

FRAME = {
    "dorsal": "seen from above, toes up; x = 0 on the long axis (heel centre to 2nd toe), "
    "+x lateral; y = 0 at the back of the heel (the leg is cut just above the malleoli)",
    "plantar": "seen from below, toes up; x = 0 on the long axis, +x medial; "
    "y = 0 at the back of the heel",
    "medial": "seen from the medial side, sole on the ground; y = 0 at the ground, +y dorsal; "
    "x = 0 at the back of the heel, toes toward -x",
    "lateral": "seen from the lateral side, sole on the ground; y = 0 at the ground, +y dorsal; "
    "x = 0 at the back of the heel, toes toward +x",
    "anterior": "the front of the right thigh, knee and leg seen by an observer facing the "
    "patient; body frame: y = height above the ground (standing), x = distance from the body's "
    "midline, the right limb at -x (lateral toward -x); top: a cut along the inguinal ligament; "
    "bottom: the leg cut at y = 130 (the dorsal view's leg cut)",
    "posterior": "the back of the right buttock, thigh, knee and leg seen from behind; body "
    "frame as anterior, the right limb at +x (lateral toward +x); top: a cut along the iliac "
    "crest; medial border: the midline down to the saddle, then the saddle's edge; bottom: the "
    "leg cut at y = 130 (joins the posterior heel of the medial and lateral views)",
    "saddle": "the right half of the perineum seen from below in the lithotomy position; x = 0 "
    "on the midline, the right side at -x; y = 0 at the centre of the anus, +y toward the pubis",
    "left": "the left side is the mirror image of the right: x -> -x in every view",
}


# ---------------------------------------------------------------------------------- sampling
def _catmull_rom(p0, p1, p2, p3, n: int) -> np.ndarray:
    """Sample the centripetal Catmull-Rom segment p1 -> p2 at n points (p1 included, p2 not)."""
    pts = np.array([p0, p1, p2, p3], dtype=float)

    def knot(a: np.ndarray, b: np.ndarray) -> float:
        return max(math.sqrt(math.hypot(*(b - a))), 1e-9)

    t0 = 0.0
    t1 = t0 + knot(pts[0], pts[1])
    t2 = t1 + knot(pts[1], pts[2])
    t3 = t2 + knot(pts[2], pts[3])
    t = np.linspace(t1, t2, n, endpoint=False)[:, None]
    a1 = (t1 - t) / (t1 - t0) * pts[0] + (t - t0) / (t1 - t0) * pts[1]
    a2 = (t2 - t) / (t2 - t1) * pts[1] + (t - t1) / (t2 - t1) * pts[2]
    a3 = (t3 - t) / (t3 - t2) * pts[2] + (t - t2) / (t3 - t2) * pts[3]
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    out = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2
    out[0] = pts[1]  # exactly through the control point
    return out


def sample_piece(pc: Any) -> np.ndarray:
    """Sample a piece from its first to its last control point (both included, exactly)."""
    pts = [np.array(p, dtype=float) for p in pc.points]
    if len(pts) == 2 and pc.before is None and pc.after is None:
        return np.array(pts)  # a straight piece
    before = np.array(pc.before) if pc.before is not None else 2 * pts[0] - pts[1]
    after = np.array(pc.after) if pc.after is not None else 2 * pts[-1] - pts[-2]
    ext = [before, *pts, after]
    chunks = []
    for i in range(1, len(ext) - 2):
        seg = float(np.hypot(*(ext[i + 1] - ext[i])))
        n = max(1, math.ceil(seg / STEP_MM))
        chunks.append(_catmull_rom(ext[i - 1], ext[i], ext[i + 1], ext[i + 2], n))
    chunks.append(pts[-1][None, :])
    return np.vstack(chunks)


def sample_outline(pieces: tuple[Any, ...]) -> np.ndarray:
    """Sample a closed chain of pieces into one ring (first vertex repeated at the end)."""
    parts = []
    for i, pc in enumerate(pieces):
        nxt = pieces[(i + 1) % len(pieces)]
        if pc.points[-1] != nxt.points[0]:
            raise ValueError(f"outline piece {i} does not end where piece {i + 1} starts")
        parts.append(sample_piece(pc)[:-1])
    ring = np.vstack(parts)
    return np.vstack([ring, ring[:1]])


# ---------------------------------------------------------------------------------- building
def _round(geom):
    return shapely.remove_repeated_points(
        shapely.transform(geom, lambda c: np.round(c / GRID) * GRID)
    )


def build_view(name: str, view: Any) -> tuple[dict[str, Polygon], Polygon]:
    """Return the region polygons and the outline of one view (right foot, grid-rounded)."""
    coords = sample_outline(view.outline)
    # Pin the frame origin exactly: the splines may bulge a few hundredths of a millimetre
    # past the control point that marks the back of the heel (or the ground).
    shift = np.zeros(2)
    if name in LIMB_VIEWS:
        pass  # the limb views are drawn in an absolute body frame: no shift
    elif name in ("dorsal", "plantar"):
        shift[1] = -coords[:, 1].min()  # y = 0 at the back of the heel
    else:
        shift[0] = -(coords[:, 0].max() if name == "medial" else coords[:, 0].min())
        shift[1] = -coords[:, 1].min()  # y = 0 on the ground
    ring = LinearRing(coords + shift)
    if name in LIMB_VIEWS:
        # long straight cuts: densify so that rounding a node on them moves no edge far
        ring = shapely.segmentize(ring, STEP_MM)
    if not ring.is_valid:
        raise ValueError(f"{name}: outline self-intersects: {shapely.is_valid_reason(ring)}")
    outline = Polygon(ring)
    seams = [LineString(sample_piece(s) + shift) for s in view.seams]
    label_shift = shift
    # Simplify each noded piece on its own (Douglas-Peucker keeps a piece's end nodes), so the
    # two faces on either side of a border still share it vertex for vertex.
    pieces = shapely.simplify(shapely.get_parts(shapely.unary_union([ring, *seams])), SIMPLIFY_MM,
                              preserve_topology=True)
    faces = [_round(f) for f in shapely.get_parts(shapely.polygonize(pieces))]
    labels = {rid: shapely.Point(np.add(p, label_shift)) for rid, p in view.labels.items()}
    by_region: dict[str, list[Polygon]] = {rid: [] for rid in labels}
    for face in faces:
        if not outline.contains(face.point_on_surface()):
            continue
        hits = [rid for rid, pt in labels.items() if face.contains(pt)]
        if len(hits) != 1:
            c = face.centroid
            raise ValueError(
                f"{name}: face near ({c.x:.1f}, {c.y:.1f}), area {face.area:.1f} mm2, "
                f"contains labels {hits} (expected exactly one)"
            )
        by_region[hits[0]].append(face)
    regions: dict[str, Polygon] = {}
    for rid, fs in by_region.items():
        if not fs:
            raise ValueError(f"{name}: label of {rid} is in no face")
        merged = shapely.coverage_union_all(fs) if len(fs) > 1 else fs[0]
        if merged.geom_type != "Polygon" or not merged.is_valid:
            raise ValueError(f"{name}: {rid} is not one valid Polygon ({merged.geom_type})")
        regions[rid] = orient(merged, 1.0)
    polys = [regions[r] for r in sorted(regions)]
    if not shapely.coverage_is_valid(polys):
        raise ValueError(f"{name}: regions overlap")
    union = orient(shapely.coverage_union_all(polys), 1.0)
    if union.geom_type != "Polygon" or len(union.interiors):
        raise ValueError(f"{name}: union of the regions is not one simple polygon")
    # the union is the simplified outline: it follows the drawn one to within the tolerance
    err = union.exterior.hausdorff_distance(outline.exterior)
    if err > SIMPLIFY_MM + GRID:
        raise ValueError(f"{name}: regions do not tile the outline (off by {err:.4f} mm)")
    return regions, union


# ---------------------------------------------------------------------------------- writing
def _num(v: float) -> str:
    """A grid coordinate (mm) as the integer the file stores: mm * COORDINATES_PER_MM."""
    return repr(int(round(round(float(v), 2) * COORDINATES_PER_MM)))


def _coords(poly: Polygon) -> str:
    rings = [poly.exterior, *poly.interiors]
    return "[" + ",".join(
        "[" + ",".join(f"[{_num(x)},{_num(y)}]" for x, y in r.coords) + "]" for r in rings
    ) + "]"


def _anchor(poly: Polygon) -> tuple[float, float]:
    """Label anchor: the centre of the maximum inscribed circle (pole of inaccessibility)."""
    c = shapely.maximum_inscribed_circle(poly, 0.05)
    x, y = shapely.get_coordinates(c)[0]
    return round(float(x), 2), round(float(y), 2)


def _grid_anchor(anchor: tuple[float, float]) -> list[int]:
    """An anchor (mm, on the grid) as the integers the file stores."""
    return [int(round(a * COORDINATES_PER_MM)) for a in anchor]


def build_landmarks(view: Any, outline: Polygon) -> list[tuple[str, LineString]]:
    """The landmark curves of a view, sampled, grid-rounded and clipped to inside its outline.

    A landmark is artwork: it cuts no region, so the tiling and the regions do not depend on it.
    A curve the outline cuts in pieces keeps its longest piece.
    """
    inside = outline.buffer(-0.4)
    out = []
    for mark in sorted(getattr(view, "landmarks", {})):
        for k, pc in enumerate(view.landmarks[mark]):
            line = inside.intersection(LineString(sample_piece(pc)))
            parts = [g for g in getattr(line, "geoms", [line]) if isinstance(g, LineString) and not g.is_empty]
            if not parts:
                raise ValueError(f"landmark {mark} lies outside the outline")
            best = _round(max(parts, key=lambda g: g.length))
            out.append((mark if len(view.landmarks[mark]) == 1 else f"{mark}_{k + 1}", best))
    return out


def _line_coords(line: LineString) -> str:
    return "[" + ",".join(f"[{_num(x)},{_num(y)}]" for x, y in line.coords) + "]"


def render() -> str:
    """Build every view and return the GeoJSON text."""
    lines = []
    n_regions = 0
    for name in VIEW_ORDER:
        regions, outline = build_view(name, DRAWINGS[name])
        for rid in sorted(regions):
            poly = regions[rid]
            ax, ay = _anchor(poly)
            if not poly.contains(shapely.Point(ax, ay)):
                raise ValueError(f"{name}: anchor of {rid} is not inside it")
            props = json.dumps({"region": rid, "view": name, "anchor": _grid_anchor((ax, ay))})
            lines.append(
                f'{{"type":"Feature","properties":{props},'
                f'"geometry":{{"type":"Polygon","coordinates":{_coords(poly)}}}}}'
            )
            n_regions += 1
        props = json.dumps({"outline": name})
        lines.append(
            f'{{"type":"Feature","properties":{props},'
            f'"geometry":{{"type":"Polygon","coordinates":{_coords(outline)}}}}}'
        )
        for mark, line in build_landmarks(DRAWINGS[name], outline):
            props = json.dumps({"landmark": mark, "view": name})
            lines.append(
                f'{{"type":"Feature","properties":{props},'
                f'"geometry":{{"type":"LineString","coordinates":{_line_coords(line)}}}}}'
            )
    meta = {
        "format": 2,
        "template_side": "right",
        "units": "mm",
        "coordinates_per_mm": COORDINATES_PER_MM,
        "frame": FRAME,
        "grid_size": GRID,
        "tiling_tolerance": TILING_TOLERANCE,
        "generator": "tools/foot/build_foot.py from tools/foot/draw_foot.py and draw_limb.py",
        "license": "BSD-3-Clause (original artwork of the neuromap project)",
    }
    head = (
        '{"type":"FeatureCollection",\n"neuromap":'
        + json.dumps(meta, indent=None)
        + ',\n"features":[\n'
    )
    text = head + ",\n".join(lines) + "\n]}\n"
    FootTemplate.from_geojson(json.loads(text), file=OUT.name, check=True)  # raises AtlasDataError
    return text


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with the file, do not write")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.output} is stale")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
