"""Authored source of the neuromap foot artwork (the template drawing, as data).

This file is the *drawing*: every number below was laid out by hand from general anatomical
knowledge of an adult foot (no atlas artwork or geometry was traced).  ``build_foot.py`` turns it
into ``data/foot.geojson``; rerun that script after any edit here.

Reference foot
--------------
A right adult foot in millimetres: 265 mm from the back of the heel to the tip of the hallux,
~100 mm wide across the ball (metatarsal heads), ~65 mm across the heel.  Toe tips (dorsal view,
distance from the heel): hallux 265, second 260, third 250, fourth 238, little toe 222.
Joints used for the region borders: first MTP joint ~185 mm from the heel, third MTP ~183 mm,
fifth MTP ~165 mm; medial malleolus ~85 mm above the ground and ~55 mm in front of the back of
the heel, lateral malleolus ~10 mm lower and ~10 mm more posterior.

Coordinate frames (x to the observer's right, y up; see ``neuromap/geometry/__init__.py``)
----------------------------------------------------------------------------------
dorsal   seen from above, toes up; x = 0 on the long axis (heel centre to 2nd toe), +x lateral;
         y = 0 at the back of the heel (here: the cut through the leg just above the malleoli).
plantar  seen from below, toes up; x = 0 on the long axis, +x MEDIAL; y = 0 at the back of the heel.
medial   seen from the medial side; y = 0 on the ground; x = 0 at the back of the heel, toes at -x.
lateral  seen from the lateral side; y = 0 on the ground; x = 0 at the back of the heel, toes at +x.

How a view is described
-----------------------
``outline``  a closed chain of *pieces*.  Each piece is a smooth centripetal Catmull-Rom curve
             through its control points; consecutive pieces share their end points, and the
             joints between pieces are corners (toe clefts, the ends of the leg cut, ...).  A piece
             may carry ``ghost`` points (``before``/``after``) that are not drawn but set the end
             tangents, so that two pieces can meet without a visible kink.
``seams``    open curves (same spline) that cut the outline into regions.  A seam either ends
             exactly on an outline control point (used inside toe clefts) or overshoots the line it
             stops at by a few millimetres; the overshoot is a dangle that polygonize drops.
``labels``   one point per region, strictly inside it; the builder gives each face of the noded
             linework to the region whose label point it contains.
``landmarks`` named open or closed curves drawn over the regions as fine lines (the malleoli,
             the toes behind the silhouette, the patella, the calf, the anus): artwork only.
             They cut no region, so they change neither the tiling nor any region id; the
             builder clips them to the outline.

The region borders follow the cutaneous nerve territories listed in ``data/regions.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Piece:
    """One smooth curve through ``points``; ``before``/``after`` are tangent-only ghost points."""

    points: tuple[Point, ...]
    before: Point | None = None
    after: Point | None = None


@dataclass(frozen=True)
class View:
    """The authored drawing of one view."""

    outline: tuple[Piece, ...]
    seams: tuple[Piece, ...]
    labels: dict[str, Point] = field(default_factory=dict)
    landmarks: dict[str, tuple[Piece, ...]] = field(default_factory=dict)


def piece(*points: Point, before: Point | None = None, after: Point | None = None) -> Piece:
    """Shorthand constructor for :class:`Piece`."""
    return Piece(tuple(points), before, after)


def mirror(p: Point) -> Point:
    """Mirror a point across x = 0 (dorsal <-> plantar toes, right <-> left foot)."""
    return (-p[0], p[1])


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 10) -> Piece:
    """A closed curve through *n* points of an ellipse (the first point repeated at the end)."""
    import math

    pts = [(round(cx + rx * math.cos(2 * math.pi * k / n), 2), round(cy + ry * math.sin(2 * math.pi * k / n), 2))
           for k in range(n)]
    return Piece((*pts, pts[0]), before=pts[-1], after=pts[1])


def mirrored(pc: Piece) -> Piece:
    """Mirror a whole piece across x = 0."""
    return Piece(
        tuple(mirror(p) for p in pc.points),
        None if pc.before is None else mirror(pc.before),
        None if pc.after is None else mirror(pc.after),
    )


# --------------------------------------------------------------------------------------------
# Toes, shared by the dorsal and (mirrored) plantar views.  Dorsal frame, +x lateral.
# Clefts (web margins) are corners of the outline; the toe-base seams end exactly on them.
# --------------------------------------------------------------------------------------------
M1 = (-45.5, 196.0)  # medial edge of the foot at the base of the hallux
C12 = (-12.0, 207.0)  # first web (hallux | second toe)
C23 = (9.5, 208.0)  # second | third toe
C34 = (25.0, 204.0)  # third | fourth toe
C45 = (38.5, 197.0)  # fourth | little toe
L5 = (53.5, 180.0)  # lateral edge of the foot at the base of the little toe

HALLUX = piece(
    M1, (-45.2, 214.0), (-43.3, 236.0), (-38.5, 253.5), (-29.5, 264.0), (-28.0, 265.0),
    (-19.5, 261.5), (-14.5, 250.0), (-12.8, 230.0), C12,
    before=(-46.0, 180.0),
)
SECOND_TOE = piece(
    C12, (-10.2, 224.0), (-9.2, 242.0), (-7.2, 253.5), (-3.5, 259.2), (-0.5, 260.0),
    (3.0, 259.2), (6.3, 253.5), (8.2, 244.0), (9.0, 228.0), C23,
)
THIRD_TOE = piece(
    C23, (10.6, 226.0), (11.3, 240.0), (13.0, 246.5), (16.0, 249.6), (17.5, 250.0),
    (19.5, 249.7), (22.5, 247.0), (24.3, 240.0), (25.2, 226.0), C34,
)
FOURTH_TOE = piece(
    C34, (26.2, 219.0), (26.8, 229.0), (28.5, 235.0), (31.0, 237.7), (32.5, 238.0),
    (34.5, 237.6), (37.2, 234.5), (38.8, 227.0), (39.4, 214.0), C45,
)
LITTLE_TOE = piece(
    C45, (39.8, 206.0), (41.0, 214.0), (43.5, 219.8), (46.5, 222.0), (49.5, 220.8),
    (52.3, 215.0), (54.0, 203.0), (54.2, 192.0), L5,
    after=(53.0, 165.0),
)
TOES = (HALLUX, SECOND_TOE, THIRD_TOE, FOURTH_TOE, LITTLE_TOE)

# Toe bases (the creases at the root of each toe), dorsal frame.  On the dorsum the first web
# space is a small kite between the hallux and the second toe bases (deep fibular nerve).
HALLUX_BASE_END = (-20.0, 199.0)  # where the hallux base meets the web space
SECOND_BASE_START = (-4.5, 201.5)  # where the second toe base meets the web space
WEB_APEX = (-12.0, 180.0)  # proximal tip of the first web space (between metatarsal heads 1-2)
FOURTH_BASE_MID = (32.0, 199.0)  # middle of the fourth toe base: the 4th ray

DORSAL = View(
    outline=(
        # leg cut just above the malleoli (lateral -> medial)
        piece((29.0, 3.0), (0.0, 0.0), (-29.0, 3.0)),
        # medial side: medial malleolus bulge, navicular, first metatarsal, bunion (1st MTP)
        piece(
            (-29.0, 3.0), (-33.5, 24.0), (-37.0, 40.0), (-35.5, 56.0), (-36.0, 80.0),
            (-38.5, 105.0), (-41.5, 135.0), (-44.5, 160.0), (-46.0, 180.0), M1,
            after=(-45.2, 214.0),
        ),
        *TOES,
        # lateral side: fifth MTP, styloid of the 5th metatarsal, cuboid, lateral malleolus
        piece(
            L5, (53.0, 165.0), (51.0, 145.0), (48.0, 122.0), (47.0, 106.0), (43.5, 90.0),
            (37.5, 72.0), (34.5, 56.0), (37.0, 40.0), (38.5, 25.0), (35.0, 11.0), (29.0, 3.0),
            before=(54.2, 195.0),
        ),
    ),
    seams=(
        # anterior ankle | dorsum of the foot (the ankle crease), overshooting both sides
        piece((-41.0, 54.0), (-20.0, 58.5), (0.0, 60.5), (20.0, 59.0), (40.0, 54.0)),
        # toe bases
        piece(M1, (-33.0, 199.5), HALLUX_BASE_END),
        piece(SECOND_BASE_START, (2.5, 205.0), C23),
        piece(C23, (17.0, 207.5), C34),
        piece(C34, FOURTH_BASE_MID, C45),
        piece(C45, (46.0, 191.0), L5),
        # first web space: kite between the two toe bases, apex between the metatarsal heads
        piece(HALLUX_BASE_END, (-16.0, 203.0), C12),
        piece(SECOND_BASE_START, (-8.0, 204.0), C12),
        piece(HALLUX_BASE_END, (-17.0, 189.0), WEB_APEX, (-7.0, 190.0), SECOND_BASE_START),
        # medial | intermediate dorsum: along the 2nd intermetatarsal space to the 2nd/3rd cleft
        piece((-7.0, 57.0), (-4.0, 100.0), (0.5, 140.0), (5.5, 175.0), C23),
        # intermediate | lateral dorsum: along the 4th intermetatarsal space to the 4th/5th cleft
        piece((12.5, 56.0), (17.0, 100.0), (25.0, 140.0), (33.0, 172.0), C45),
    ),
    labels={
        "hallux_dorsal": (-29.0, 235.0),
        "second_toe_dorsal": (-0.5, 235.0),
        "third_toe_dorsal": (17.5, 232.0),
        "fourth_toe_dorsal": (32.5, 222.0),
        "little_toe_dorsal": (47.0, 207.0),
        "first_web_space": (-12.0, 195.0),
        "medial_dorsum": (-24.0, 120.0),
        "intermediate_dorsum": (13.0, 140.0),
        "lateral_dorsum": (38.0, 130.0),
        "anterior_ankle": (0.0, 30.0),
    },
)

# The long axis of each toe on the sole (plantar frame, +x medial): from the middle of the toe's
# crease (a control point of the crease seam, so the two meet exactly; for the fourth toe the point
# where the medial | lateral plantar seam starts) straight out past the tip, which the outline
# then cuts.  The axes halve each toe's plantar skin into a medial and a lateral half.
TOE_AXES = (
    piece((29.0, 197.5), (28.6, 230.0), (28.0, 270.0)),  # hallux (tip at x = 28)
    piece((1.0, 203.0), (0.8, 232.0), (0.5, 265.0)),  # second toe
    piece((-17.0, 203.5), (-17.8, 228.0), (-17.8, 255.0)),  # third toe
    piece(mirror(FOURTH_BASE_MID), (-32.8, 220.0), (-32.7, 243.0)),  # fourth toe
    piece((-46.0, 188.0), (-46.9, 205.0), (-47.0, 227.0)),  # little toe
)

# --------------------------------------------------------------------------------------------
# Plantar view: the sole from below, +x MEDIAL.  Toes are the dorsal toes mirrored; the heel
# is rounded (the leg is hidden behind the sole), the medial border is gently concave at the arch.
# --------------------------------------------------------------------------------------------
PLANTAR = View(
    outline=(
        # lateral border (-x), from the little toe down to the heel
        piece(
            mirror(L5), (-53.0, 165.0), (-51.5, 145.0), (-48.5, 122.0), (-47.0, 107.0),
            (-43.0, 90.0), (-38.5, 70.0), (-34.5, 48.0), (-32.0, 28.0), (-26.0, 11.0),
            (-14.0, 2.0), (0.0, 0.0), (14.0, 2.0), (25.5, 11.0), (31.0, 28.0), (32.5, 50.0),
            (33.0, 72.0), (34.5, 95.0), (38.0, 120.0), (42.5, 145.0), (45.5, 165.0),
            (46.0, 180.0), mirror(M1),
            before=mirror((54.2, 195.0)), after=mirror((-45.2, 214.0)),
        ),
        *(mirrored(t) for t in TOES),
    ),
    seams=(
        # toe creases (they bow slightly toward the heel on the sole)
        piece(mirror(M1), (29.0, 197.5), mirror(C12)),
        piece(mirror(C12), (1.0, 203.0), mirror(C23)),
        piece(mirror(C23), (-17.0, 203.5), mirror(C34)),
        piece(mirror(C34), mirror(FOURTH_BASE_MID), mirror(C45)),
        piece(mirror(C45), (-46.0, 188.0), mirror(L5)),
        # proximal edge of the ball (metatarsal heads: the 1st head lies more distal than the 5th)
        piece((50.0, 152.0), (20.0, 150.0), (-10.0, 145.0), (-35.0, 139.0), (-58.0, 134.0)),
        # front of the heel pad
        piece((40.0, 72.0), (15.0, 76.0), (-15.0, 76.0), (-45.0, 70.0)),
        # medial | lateral plantar territory along the 4th ray, from the 4th toe to the heel pad
        piece(mirror(FOURTH_BASE_MID), (-31.0, 175.0), (-27.5, 140.0), (-21.0, 100.0),
              (-17.0, 72.0)),
        # each toe's plantar skin halved along its long axis, from the middle of its crease out
        # past its tip: the proper plantar digital nerves supply one side of a toe each, so the
        # halves are what a common plantar digital (interdigital) nerve supplies in pairs
        *TOE_AXES,
    ),
    labels={
        "hallux_plantar_medial": (37.0, 230.0),
        "hallux_plantar_lateral": (20.5, 230.0),
        "second_toe_plantar_medial": (5.0, 235.0),
        "second_toe_plantar_lateral": (-4.0, 235.0),
        "third_toe_plantar_medial": (-14.0, 232.0),
        "third_toe_plantar_lateral": (-21.0, 232.0),
        "fourth_toe_plantar_medial": (-29.0, 222.0),
        "fourth_toe_plantar_lateral": (-36.0, 222.0),
        "little_toe_plantar_medial": (-43.5, 207.0),
        "little_toe_plantar_lateral": (-50.0, 207.0),
        "ball_medial": (10.0, 175.0),
        "ball_lateral": (-42.0, 165.0),
        "medial_sole": (10.0, 110.0),
        "lateral_sole": (-34.0, 105.0),
        "plantar_heel": (0.0, 35.0),
    },
)

# --------------------------------------------------------------------------------------------
# Medial view: the inner side of the right foot, toes to the left (-x), sole on the ground.
# The medial longitudinal arch lifts the sole between the heel pad and the ball.
# --------------------------------------------------------------------------------------------
MEDIAL = View(
    outline=(
        # leg cut (posterior -> anterior)
        piece((-13.0, 130.0), (-79.0, 130.0)),
        # front of the ankle, the instep (navicular), the first metatarsal, the bunion
        piece(
            (-79.0, 130.0), (-80.0, 112.0), (-85.0, 98.0), (-98.0, 88.5), (-120.0, 81.0),
            (-145.0, 70.5), (-170.0, 57.5), (-190.0, 48.0), (-205.0, 42.0),
            # hallux: dorsum, nail, tip, pulp
            (-228.0, 33.5), (-248.0, 27.0), (-259.5, 21.0), (-265.0, 12.0), (-262.0, 4.5),
            (-252.0, 1.5), (-236.0, 2.5), (-222.0, 4.0),
            # the ball under the first metatarsal head
            (-207.0, 1.0), (-195.0, 0.0),
            after=(-185.0, 0.0),
        ),
        # the ball resting on the ground
        piece((-195.0, 0.0), (-172.0, 0.0)),
        # the arch: the sole lifts off between the ball and the heel pad
        piece(
            (-172.0, 0.0), (-150.0, 5.5), (-125.0, 14.0), (-102.0, 17.0), (-82.0, 12.0),
            (-66.0, 4.0), (-52.0, 0.0),
            before=(-182.0, 0.0), after=(-42.0, 0.0),
        ),
        # the heel pad resting on the ground
        piece((-52.0, 0.0), (-18.0, 0.0)),
        # the rounded back of the heel, then the Achilles tendon up to the leg cut
        piece(
            (-18.0, 0.0), (-6.0, 3.5), (-1.0, 13.0), (0.0, 27.0), (-1.5, 41.0), (-5.5, 54.0),
            (-10.0, 72.0), (-11.5, 100.0), (-13.0, 130.0),
            before=(-28.0, 0.0),
        ),
    ),
    seams=(
        # lower border of the malleolar (ankle) region, under the medial malleolus
        piece((4.0, 55.0), (-15.0, 59.0), (-45.0, 63.0), (-70.0, 77.0), (-96.0, 104.0)),
        # back strip of the heel
        piece((-21.0, -4.0), (-16.0, 8.0), (-13.5, 22.0), (-14.0, 40.0), (-17.5, 58.0),
              (-19.0, 66.0)),
        # front of the medial heel (roughly the sustentaculum / talonavicular level)
        piece((-68.0, -4.0), (-69.5, 20.0), (-71.5, 45.0), (-73.0, 84.0)),
        # instep | dorsomedial strip along the navicular and the first metatarsal
        piece((-67.0, 40.0), (-100.0, 37.0), (-140.0, 32.5), (-170.0, 28.0), (-186.0, 26.0)),
        # first MTP joint / hallux region
        piece((-172.0, -4.0), (-175.0, 14.0), (-178.5, 32.0), (-182.0, 48.0), (-184.0, 60.0)),
    ),
    labels={
        "medial_malleolus": (-45.0, 100.0),
        "posterior_heel_medial": (-7.0, 30.0),
        "medial_heel": (-40.0, 30.0),
        "medial_arch": (-120.0, 25.0),
        "medial_border": (-120.0, 55.0),
        "medial_forefoot": (-220.0, 20.0),
    },
    landmarks={
        # the medial malleolus, ~85 mm above the ground, ~55 mm in front of the back of the heel
        "medial_malleolus": (ellipse(-55.0, 88.0, 12.0, 10.0),),
        # the Achilles tendon standing off the back of the ankle
        "achilles_tendon": (piece((-17.0, 64.0), (-19.5, 95.0), (-21.0, 127.0)),),
        # the hallux: its nail seen edge-on, the crease of the interphalangeal joint
        "hallux_nail": (piece((-242.0, 29.0), (-251.0, 25.5), (-257.5, 21.5)),),
        "hallux_ip_crease": (piece((-232.0, 3.0), (-233.5, 9.0), (-236.0, 14.0)),),
        # the second toe's tip just showing beyond the hallux pulp, and the first MTP joint
        "second_toe": (piece((-255.0, 3.5), (-259.0, 7.0), (-261.5, 11.0)),),
        "first_mtp_joint": (piece((-190.0, 44.0), (-192.0, 30.0), (-196.0, 14.0)),),
    },
)

# --------------------------------------------------------------------------------------------
# Lateral view: the outer side of the right foot, toes to the right (+x).  The lateral border
# rests on the ground; the little toe is drawn inside the silhouette of the longer toes.
# --------------------------------------------------------------------------------------------
LATERAL = View(
    outline=(
        # leg cut (anterior -> posterior)
        piece((80.0, 130.0), (13.0, 130.0)),
        # Achilles tendon and the rounded back of the heel
        piece(
            (13.0, 130.0), (11.5, 100.0), (9.0, 72.0), (4.5, 53.0), (1.0, 40.0), (0.0, 26.0),
            (1.2, 13.0), (6.0, 3.5), (17.0, 0.0),
            after=(27.0, 0.0),
        ),
        # the lateral border of the sole on the ground
        piece((17.0, 0.0), (205.0, 0.0)),
        # toe pulps of the longer toes beyond the little toe, the hallux tip, the dorsum
        piece(
            (205.0, 0.0), (225.0, 0.8), (245.0, 1.8), (256.0, 3.5), (263.0, 7.0), (265.0, 13.0),
            (260.5, 21.5), (249.0, 27.5), (229.0, 33.5), (206.0, 41.0), (188.0, 47.5),
            (165.0, 59.0), (140.0, 71.5), (118.0, 80.5), (100.0, 87.0), (88.0, 95.5),
            (82.0, 110.0), (80.0, 130.0),
            before=(195.0, 0.0),
        ),
    ),
    seams=(
        # lower border of the ankle, below the lateral malleolus, out through the dorsum
        piece((-5.0, 44.0), (20.0, 46.5), (50.0, 48.5), (80.0, 55.0), (105.0, 68.0),
              (125.0, 82.0)),
        # back strip of the heel
        piece((20.0, -4.0), (15.5, 8.0), (13.0, 22.0), (13.5, 38.0), (15.5, 52.0)),
        # anterolateral ankle | lateral malleolus (in front of the malleolus)
        piece((70.5, 136.0), (69.0, 100.0), (67.0, 70.0), (65.5, 42.0)),
        # front of the lateral heel (calcaneocuboid level)
        piece((80.0, -4.0), (79.0, 18.0), (76.0, 38.0), (72.5, 60.0)),
        # upper edge of the lateral border along the 5th metatarsal, then the little toe profile
        piece((74.0, 24.0), (110.0, 24.5), (150.0, 23.0), (180.0, 21.0), (200.0, 19.5),
              (212.0, 17.0), (219.5, 12.5), (222.0, 7.0), (219.0, 2.5), (210.0, -3.0)),
    ),
    labels={
        "lateral_malleolus": (35.0, 85.0),
        "anterolateral_ankle": (77.0, 95.0),
        "dorsolateral_foot": (140.0, 45.0),
        "lateral_border": (140.0, 12.0),
        "lateral_heel": (45.0, 25.0),
        "posterior_heel_lateral": (7.0, 25.0),
    },
    landmarks={
        # the lateral malleolus, ~10 mm lower and ~10 mm more posterior than the medial one
        "lateral_malleolus": (ellipse(44.0, 80.0, 12.0, 11.0),),
        "achilles_tendon": (piece((16.0, 62.0), (18.5, 95.0), (20.0, 127.0)),),
        # the tips of the fourth and third toes beyond the little toe, and the base of the
        # fifth metatarsal (its styloid process)
        "fourth_toe": (piece((218.0, 17.0), (229.0, 17.5), (236.0, 13.5), (237.0, 7.0), (233.0, 2.0)),),
        "third_toe": (piece((233.0, 19.5), (245.0, 20.5), (252.0, 16.0), (253.5, 9.0), (250.0, 3.5)),),
        "hallux_nail": (piece((244.0, 29.0), (253.0, 25.0), (258.5, 21.5)),),
        "fifth_metatarsal_base": (piece((88.0, 20.0), (96.0, 26.0), (105.0, 24.0)),),
    },
)

VIEWS: dict[str, View] = {
    "dorsal": DORSAL,
    "plantar": PLANTAR,
    "medial": MEDIAL,
    "lateral": LATERAL,
}
