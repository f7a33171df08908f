"""Authored source of the neuromap lower-limb artwork: thigh, knee, leg, buttock and saddle.

Like ``draw_foot.py`` this file is the *drawing*: every number was laid out by hand from general
knowledge of adult proportions (no atlas artwork or geometry was traced).  ``build_foot.py``
imports it together with the foot and writes all views to ``data/foot.geojson``.

Reference limb
--------------
The same adult as the foot (265 mm foot, standing height ~1750 mm), RIGHT side, standing upright.
Heights above the ground (y): leg cut of the foot views 130 mm (where the medial and lateral foot
views end, ~45 mm above the malleoli); widest calf 380; knee joint line / tibial tuberosity 465;
patella 470-590; adductor tubercle ~575; mid-thigh ~725; crotch 790; pubic tubercle 895;
greater trochanter 880; anterior superior iliac spine (ASIS) 975; iliac crest ~1060.
Widths: ankle at the cut 58 mm (the foot's dorsal leg cut), knee ~100 mm (the femoral condyles
widen it a little at the joint), a waist below the knee, the calf bulging on both sides to
~105 mm at y ~380 (gastrocnemius), upper thigh ~155 mm.

Coordinate frames (x to the observer's right, y up; see ``neuromap/geometry/__init__.py``)
----------------------------------------------------------------------------------
The limb views share one body frame: y = height above the ground (standing), x = distance from
the body's midline (the sagittal plane), so the two sides drawn together form one figure.

anterior   the front of the right thigh, knee and leg, seen by an observer facing the patient:
           the right limb lies at -x (observer's left), lateral toward -x.  Top: a cut along the
           inguinal ligament (pubic tubercle -> ASIS); bottom: the leg cut at y = 130 (the dorsal
           foot view's leg cut).  The genitals are not drawn.
posterior  the back of the right buttock, thigh, knee and leg seen from behind: the right limb
           lies at +x, lateral toward +x.  Top: a cut along the iliac crest; medial border: the
           midline (natal cleft) down to the top of the saddle, then the saddle's edge to the
           crotch; bottom: the leg cut at y = 130 (joins the posterior heel regions of the medial
           and lateral foot views).
saddle     the right half of the perineum seen from below in the lithotomy position (examiner
           facing the perineum): the patient's right lies at -x; x = 0 on the midline, y = 0 at
           the centre of the anus, +y toward the pubis, -y toward the coccyx.
left       the left side is the mirror image of the right: x -> -x in every view.

The region borders follow the cutaneous nerve territories listed in ``data/regions.json`` (see
that file for the nerves and sources); where a border is conventional (the proximal/distal split
of the leg at mid-calf, y = 300) the region's description says so.
"""

from __future__ import annotations

from draw_foot import View, ellipse, piece

# --------------------------------------------------------------------------------------------
# Anterior view (right limb at -x).  Landmarks.
# --------------------------------------------------------------------------------------------
PUBIC_TUBERCLE = (-25.0, 895.0)
ASIS = (-125.0, 975.0)
CROTCH_A = (-22.0, 790.0)
ANKLE_MED_A = (-63.0, 130.0)
ANKLE_LAT_A = (-121.0, 130.0)

ANTERIOR = View(
    outline=(
        # leg cut (lateral -> medial), the dorsal foot view's cut seen from the front
        piece(ANKLE_LAT_A, ANKLE_MED_A),
        # medial border: ankle, medial calf, medial knee, adductor region, up to the crotch
        piece(
            ANKLE_MED_A, (-61.0, 200.0), (-53.0, 280.0), (-41.0, 370.0), (-42.0, 425.0),
            (-47.0, 470.0), (-45.0, 515.0), (-44.0, 560.0), (-40.0, 620.0), (-33.0, 700.0),
            (-27.0, 760.0), CROTCH_A,
        ),
        # the genitocrural fold up to the pubic tubercle
        piece(CROTCH_A, (-30.0, 830.0), (-28.0, 870.0), PUBIC_TUBERCLE),
        # the inguinal ligament (a straight cut)
        piece(PUBIC_TUBERCLE, ASIS),
        # lateral border: hip, greater trochanter, lateral thigh, lateral knee, leg, ankle
        piece(
            ASIS, (-165.0, 930.0), (-180.0, 880.0), (-175.0, 800.0), (-165.0, 700.0),
            (-155.0, 600.0), (-151.0, 530.0), (-149.0, 490.0), (-143.0, 445.0),
            (-146.0, 380.0), (-139.0, 310.0), (-130.0, 250.0), (-124.0, 190.0), ANKLE_LAT_A,
        ),
    ),
    seams=(
        # ilioinguinal | genitofemoral: lateral border of the upper inner thigh, from the medial
        # border up to the inguinal ligament
        piece((-18.0, 736.0), (-30.0, 752.0), (-44.0, 778.0), (-54.0, 815.0), (-58.0, 860.0),
              (-57.0, 935.0)),
        # lower border of the femoral triangle skin (femoral branch of the genitofemoral)
        piece((-128.0, 832.0), (-100.0, 806.0), (-75.0, 800.0), (-52.0, 806.0),
              (-46.0, 809.0)),
        # lateral femoral cutaneous | anterior thigh: from the inguinal ligament medial to the
        # ASIS down the anterolateral thigh to the lateral knee
        piece((-108.0, 990.0), (-113.0, 940.0), (-122.0, 860.0), (-128.0, 760.0),
              (-131.0, 660.0), (-136.0, 570.0), (-145.0, 500.0), (-152.0, 470.0)),
        # obturator | anterior femoral cutaneous: lateral border of the medial thigh
        piece((-35.0, 770.0), (-52.0, 750.0), (-66.0, 720.0), (-70.0, 650.0), (-66.0, 600.0),
              (-63.0, 575.0)),
        # anterior thigh proximal | distal (the L2 / L3 levels)
        piece((-140.0, 662.0), (-100.0, 660.0), (-60.0, 658.0)),
        # thigh | knee (suprapatellar level, adductor tubercle)
        piece((-142.0, 596.0), (-100.0, 592.0), (-60.0, 590.0), (-36.0, 588.0)),
        # anterior knee (patella, infrapatellar) | medial knee (medial femoral condyle)
        piece((-78.0, 600.0), (-76.0, 530.0), (-78.0, 455.0)),
        # knee | leg (joint line, tibial tuberosity)
        piece((-155.0, 468.0), (-100.0, 464.0), (-35.0, 462.0)),
        # leg proximal | distal (mid-calf)
        piece((-150.0, 302.0), (-90.0, 300.0), (-30.0, 298.0)),
        # saphenous | fibular: the anterior border of the tibia (shin)
        piece((-98.0, 475.0), (-96.0, 400.0), (-93.0, 300.0), (-90.0, 200.0), (-89.0, 125.0)),
    ),
    labels={
        "upper_inner_thigh": (-42.0, 840.0),
        "femoral_triangle": (-85.0, 880.0),
        "lateral_thigh": (-152.0, 750.0),
        "anterior_thigh_proximal": (-95.0, 740.0),
        "anterior_thigh_distal": (-100.0, 625.0),
        "medial_thigh": (-52.0, 680.0),
        "anterior_knee": (-110.0, 520.0),
        "medial_knee": (-60.0, 520.0),
        "medial_leg_proximal": (-70.0, 380.0),
        "medial_leg_distal": (-72.0, 220.0),
        "anterolateral_leg_proximal": (-120.0, 380.0),
        "anterolateral_leg_distal": (-112.0, 220.0),
    },
    landmarks={
        # the patella (470-590 mm above the ground) and the tibial tuberosity below it
        "patella": (ellipse(-100.0, 530.0, 24.0, 36.0, n=12),),
        "patellar_tendon": (piece((-108.0, 494.0), (-105.0, 472.0), (-101.0, 455.0)),
                            piece((-92.0, 494.0), (-94.0, 472.0), (-95.0, 455.0))),
        "tibial_tuberosity": (piece((-104.0, 456.0), (-98.0, 450.0), (-92.0, 456.0)),),
        # the bulge of vastus medialis above the knee, the medial head of the calf below it
        "vastus_medialis": (piece((-50.0, 650.0), (-62.0, 600.0), (-72.0, 566.0)),),
        "medial_calf": (piece((-47.0, 440.0), (-56.0, 380.0), (-58.0, 300.0)),),
        # the malleoli at the leg cut
        "malleoli": (piece((-63.0, 150.0), (-70.0, 140.0), (-72.0, 131.0)),
                     piece((-121.0, 150.0), (-114.0, 141.0), (-112.0, 131.0))),
    },
)

# --------------------------------------------------------------------------------------------
# Posterior view (right limb at +x): buttock, back of the thigh, popliteal fossa, calf.
# --------------------------------------------------------------------------------------------
CREST_LAT = (140.0, 1055.0)
CREST_MID = (0.0, 1062.0)
SADDLE_TOP = (0.0, 900.0)
CROTCH_P = (22.0, 790.0)
ANKLE_MED_P = (63.0, 130.0)
ANKLE_LAT_P = (121.0, 130.0)

POSTERIOR = View(
    outline=(
        # leg cut (medial -> lateral), joins the posterior heel of the foot views
        piece(ANKLE_MED_P, ANKLE_LAT_P),
        # lateral border up to the iliac crest
        piece(
            ANKLE_LAT_P, (124.0, 190.0), (130.0, 250.0), (141.0, 320.0), (148.0, 390.0),
            (145.0, 450.0), (148.0, 520.0), (155.0, 600.0), (165.0, 700.0), (175.0, 800.0),
            (182.0, 880.0), (178.0, 960.0), (165.0, 1020.0), CREST_LAT,
        ),
        # the iliac crest (a cut) to the midline
        piece(CREST_LAT, (70.0, 1068.0), CREST_MID),
        # the midline (sacrum, natal cleft) down to the top of the saddle
        piece(CREST_MID, SADDLE_TOP),
        # the edge of the saddle (seen only from below) out to the crotch
        piece(SADDLE_TOP, (15.0, 870.0), (28.0, 830.0), CROTCH_P),
        # medial border of the thigh, knee and leg
        piece(
            CROTCH_P, (27.0, 760.0), (33.0, 700.0), (40.0, 620.0), (45.0, 560.0),
            (47.0, 515.0), (47.0, 470.0), (42.0, 425.0), (39.0, 370.0), (52.0, 280.0),
            (61.0, 200.0), ANKLE_MED_P,
        ),
    ),
    seams=(
        # upper | lower and medial buttock (superior cluneal / iliohypogastric level)
        piece((-5.0, 965.0), (40.0, 960.0), (90.0, 945.0), (140.0, 925.0), (190.0, 905.0)),
        # medial buttock (perforating cutaneous) | lower buttock (inferior cluneal)
        piece((45.0, 975.0), (46.0, 920.0), (40.0, 850.0), (38.0, 810.0)),
        # gluteal fold: buttock | posterior thigh
        piece((15.0, 835.0), (40.0, 825.0), (80.0, 822.0), (120.0, 835.0), (150.0, 860.0),
              (190.0, 880.0)),
        # posterior thigh | popliteal fossa
        piece((30.0, 582.0), (95.0, 584.0), (160.0, 585.0)),
        # popliteal fossa | calf (joint line)
        piece((35.0, 462.0), (95.0, 465.0), (155.0, 468.0)),
        # calf proximal | distal (mid-calf)
        piece((30.0, 298.0), (90.0, 300.0), (150.0, 302.0)),
        # saphenous (posteromedial) | sural (posterior calf), down to the leg cut
        piece((68.0, 475.0), (66.0, 400.0), (68.0, 300.0), (72.0, 200.0), (74.0, 125.0)),
        # medial sural cutaneous (posterior) | lateral sural cutaneous (posterolateral calf)
        piece((112.0, 475.0), (114.0, 400.0), (112.0, 330.0), (111.0, 290.0)),
    ),
    labels={
        "upper_buttock": (100.0, 1000.0),
        "medial_buttock": (25.0, 920.0),
        "lower_buttock": (100.0, 880.0),
        "posterior_thigh": (100.0, 700.0),
        "popliteal_fossa": (95.0, 520.0),
        "posteromedial_calf_proximal": (57.0, 380.0),
        "posteromedial_calf_distal": (63.0, 220.0),
        "posterior_calf_proximal": (90.0, 380.0),
        "posterolateral_calf": (128.0, 380.0),
        "posterior_calf_distal": (100.0, 220.0),
    },
    landmarks={
        # the crease at the back of the knee
        "knee_crease": (piece((50.0, 502.0), (95.0, 497.0), (142.0, 502.0)),),
        # the two heads of gastrocnemius, meeting the Achilles tendon at mid-calf
        "gastrocnemius": (piece((55.0, 470.0), (68.0, 400.0), (82.0, 330.0), (90.0, 290.0)),
                          piece((138.0, 470.0), (125.0, 400.0), (110.0, 330.0), (100.0, 290.0))),
        "achilles_tendon": (piece((86.0, 270.0), (87.0, 200.0), (88.0, 135.0)),
                            piece((104.0, 270.0), (101.0, 200.0), (99.0, 135.0))),
    },
)

# --------------------------------------------------------------------------------------------
# Saddle view: the right half of the perineum from below (lithotomy), right side at -x.
# --------------------------------------------------------------------------------------------
SADDLE_FRONT = (0.0, 75.0)
SADDLE_BACK = (0.0, -75.0)

SADDLE = View(
    outline=(
        # the midline, coccyx -> anus -> perineal raphe
        piece(SADDLE_BACK, SADDLE_FRONT),
        # front (base of the scrotum / posterior labial commissure), genitocrural fold,
        # medial thigh, ischial tuberosity, lower buttock, back to the coccyx
        piece(
            SADDLE_FRONT, (-35.0, 78.0), (-62.0, 62.0), (-78.0, 20.0), (-82.0, -30.0),
            (-68.0, -68.0), (-38.0, -85.0), (-14.0, -82.0), SADDLE_BACK,
        ),
    ),
    seams=(
        # perianal ring (~2 cm around the anal verge), overshooting the midline
        piece((3.0, 21.8), (0.0, 22.0), (-15.5, 15.5), (-22.0, 0.0), (-15.5, -15.5),
              (0.0, -22.0), (3.0, -21.8)),
        # perineum (pudendal perineal branches) | perineal fold of the thigh (posterior
        # femoral cutaneous, perineal branch)
        piece((-12.0, 12.0), (-28.0, 35.0), (-38.0, 60.0), (-40.0, 90.0)),
        # perineal fold | ischial tuberosity region
        piece((-12.0, -5.0), (-30.0, 5.0), (-60.0, 12.0), (-90.0, 15.0)),
        # anococcygeal skin | ischial tuberosity region
        piece((-8.0, -12.0), (-18.0, -30.0), (-22.0, -60.0), (-20.0, -95.0)),
    ),
    labels={
        "perianal": (-10.0, 0.0),
        "perineum": (-12.0, 45.0),
        "perineal_fold": (-55.0, 40.0),
        "ischial_tuberosity": (-55.0, -35.0),
        "anococcygeal_skin": (-8.0, -50.0),
    },
    landmarks={
        # the anal verge (its right half) and the tip of the coccyx on the midline
        "anus": (piece((0.0, 7.0), (-5.0, 5.0), (-7.0, 0.0), (-5.0, -5.0), (0.0, -7.0)),),
        "coccyx": (piece((0.0, -66.0), (-4.0, -69.0), (0.0, -72.0)),),
        # the ischial tuberosity felt under the skin, and the genitocrural fold of the thigh
        "ischial_tuberosity": (ellipse(-50.0, -26.0, 11.0, 8.0),),
        "genitocrural_fold": (piece((-45.0, 70.0), (-62.0, 45.0), (-70.0, 20.0)),),
    },
)

VIEWS = {
    "anterior": ANTERIOR,
    "posterior": POSTERIOR,
    "saddle": SADDLE,
}
