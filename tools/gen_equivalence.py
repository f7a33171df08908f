"""Write tests/fixtures/equivalence.json.gz: the outputs of neuromap over a fixed set of inputs.

The set is the benchmark cases (162 named variants of one case, distinct named cases drawn
from the atlas vocabulary, drawings around every region anchor), every case of the clinical
case suite under its own dermatome layer and under each of the others, and the JSON-contract
texts of the vocabulary and the atlas export. A restructuring must leave every output
byte-identical (``tests/test_equivalence.py``), or the commit that changes one says why and
regenerates this file:

    python tools/gen_equivalence.py
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import neuromap
from neuromap.cli import format_table
from neuromap.io import export_atlas, localize_json, localize_many, vocabulary

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "tests" / "fixtures" / "equivalence.json.gz"


def _ellipse(cx: float, cy: float, rx: float, ry: float, k: int, rot: float) -> list[list[float]]:
    c, s = math.cos(rot), math.sin(rot)
    return [[round(cx + c * rx * math.cos(2 * math.pi * i / k) - s * ry * math.sin(2 * math.pi * i / k), 3),
             round(cy + s * rx * math.cos(2 * math.pi * i / k) + c * ry * math.sin(2 * math.pi * i / k), 3)]
            for i in range(k)]


def inputs(atlas: neuromap.Atlas) -> list[tuple[str, dict[str, Any], str | None]]:
    """(name, case, dermatome map) of every input, in a fixed order."""
    out: list[tuple[str, dict[str, Any], str | None]] = []
    i = 0
    for side in ("left", "right"):
        for grade in (3, 4, "normal"):
            for mod in ("numbness", "tingling", "pain"):
                for ach in ("normal", "reduced", "absent"):
                    for pat in ("normal", "reduced", "absent"):
                        out.append((f"named/{i}", {
                            "side": side,
                            "sensory": [{"regions": ["dorsum of foot"], "modality": mod},
                                        {"regions": ["medial malleolus"], "state": "normal"}],
                            "motor": [{"name": "ankle dorsiflexion", "grade": grade},
                                      {"name": "hip abduction", "grade": "normal"}],
                            "reflexes": {"achilles": ach, "patellar": pat}}, None))
                        i += 1
    rnd = random.Random(11)
    regions = sorted(atlas.template.regions(view=None))
    movements, reflexes = list(atlas.ids("movement")), list(atlas.ids("reflex"))
    for i in range(150):
        picked = rnd.sample(regions, rnd.randint(1, 4))
        cut = rnd.randint(1, len(picked))
        out.append((f"distinct/{i}", {
            "side": rnd.choice(("left", "right", "bilateral")),
            "sensory": [{"regions": part, "modality": rnd.choice(("numbness", "tingling", "pain", "burning"))}
                        for part in (picked[:cut], picked[cut:]) if part],
            "motor": [{"name": m, "grade": rnd.choice((0, 1, 2, 3, 4, "normal"))}
                      for m in rnd.sample(movements, rnd.randint(0, 3))],
            "reflexes": {r: rnd.choice(("normal", "reduced", "absent", "brisk"))
                         for r in rnd.sample(reflexes, rnd.randint(0, 2))}}, None))
    t = atlas.template
    rnd = random.Random(7)
    for view in t.views:
        for side in ("left", "right"):
            for region in sorted(t.regions(view))[::3]:
                ax, ay = t.anchor(region, side=side)
                ring = _ellipse(ax + rnd.uniform(-4, 4), ay + rnd.uniform(-4, 4), rnd.uniform(6, 22),
                                rnd.uniform(6, 22), 24, rnd.uniform(0, 3.14))
                out.append((f"drawing/{view}/{side}/{region}",
                            {"side": side, "sensory": [{"drawing": {"view": view, "polygon": ring},
                                                        "modality": "pain"}]}, None))
            region = sorted(t.regions(view))[0]
            ax, ay = t.anchor(region, side=side)
            out.append((f"points/{view}/{side}", {"side": side, "sensory": [
                {"drawing": {"view": view, "points": [[ax, ay], [ax + 2, ay + 1], [1e4, 1e4]]}}]}, None))
    for path in sorted(p for p in (REPO / "tests" / "cases").glob("*.json") if p.name != "known_failures.json"):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            name = f"suite/{path.stem}/{case['id']}"
            out.append((name, case["case"], case.get("dermatome_map")))
            for m in atlas.dermatome_maps:
                if m != case.get("dermatome_map"):
                    out.append((f"{name}@{m}", case["case"], m))
    return out


#: JSON texts the JSON layer refuses (syntax, limits, types, keys), one per line of a batch
BAD_TEXTS = [
    "", "{", "[]", "null", '{"side": "left"', '{"side": "left", "side": "right", "other": ["clonus"]}',
    '{"side": "left", "motor": [{"name": "hip abduction", "grade": NaN}]}',
    '{"side": "left", "motor": [{"name": "hip abduction", "grade": 1e999}]}',
    '{"side": "left", "motor": [{"name": "hip abduction", "grade": ' + "9" * 400 + "}]}",
    '{"side": "left", "sensory": [{"regions": "heel"}]}', '{"side": "left", "sensory": [{"regions": []}]}',
    '{"side": "left", "sensory": [{"regions": ["heel"], "modality": 3}]}',
    '{"side": "left", "sensory": [{"regions": ["heel"], "colour": "red"}]}',
    '{"side": "left", "motor": [{"name": "hip abduction"}]}', '{"side": "left", "motor": {"name": "x"}}',
    '{"side": "left", "reflexes": ["achilles"]}', '{"side": "left", "reflexes": {"achilles": 7}}',
    '{"side": "left", "other": [{"nom": "clonus"}]}', '{"sid": "left", "other": ["clonus"]}',
    '{"side": 1, "other": ["clonus"]}', '{"side": "left", "other": ["clonus"], "id": 5}',
    '{"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[0, 0], [1, 0]]}}]}',
    '{"side": "left", "sensory": [{"drawing": {"view": "top", "polygon": [[0, 0], [1, 0], [1, 1]]}}]}',
    "[" * 200 + "]" * 200, '{"side": "left", "other": ["clonus"], "notes": "' + "x" * 300_000 + '"}',
    b'{"side": "left", "other": ["\xff"]}'.decode("latin-1"),
]


def outputs() -> dict[str, str]:
    """Every input's output as canonical JSON text (or the error's type and message)."""
    atlas = neuromap.load_atlas()
    got: dict[str, str] = {}
    for name, case, map_id in inputs(atlas):
        try:
            value: Any = neuromap.localize(case, dermatome_map=map_id).to_dict()
            value["neuromap_version"] = "-"
        except neuromap.NeuromapError as exc:
            value = {"error": type(exc).__name__, "message": str(exc)}
        got[name] = json.dumps(value, sort_keys=True, ensure_ascii=False)
    # the JSON contract: every suite case as text, and texts the JSON layer must refuse
    texts = [(name, json.dumps(case), map_id) for name, case, map_id in inputs(atlas) if name.startswith("suite/")
             and "@" not in name]
    texts += [(f"text/{i}", t, None) for i, t in enumerate(BAD_TEXTS)]
    for name, text, map_id in texts:
        try:
            value = localize_json(text, dermatome_map=map_id)
            value["neuromap_version"] = "-"
            got[f"json/{name}"] = format_table(value)
        except neuromap.NeuromapError as exc:
            got[f"json/{name}"] = f"{type(exc).__name__}: {exc}"
    batch = localize_many([t for _, t, _ in texts], workers=1)
    got["batch"] = json.dumps([{"error": b["error"]} if "error" in b else b["hypotheses"][0]["id"] if b["hypotheses"]
                               else None for b in batch], sort_keys=True)
    for kind in ("regions", "nerves", "movements", "muscles", "reflexes", "signs", "maps"):
        got[f"vocabulary/{kind}"] = json.dumps(vocabulary(kind), sort_keys=True, ensure_ascii=False)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("geojson", "graphml", "node-link"):
            path = Path(tmp) / f"atlas.{fmt}"
            export_atlas(fmt, path)
            got[f"export/{fmt}"] = path.read_text(encoding="utf-8")
    return got


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = outputs()
    OUT.write_bytes(gzip.compress(json.dumps(data, sort_keys=True, indent=0).encode(), mtime=0))
    print(f"{OUT.relative_to(REPO)}: {len(data)} outputs, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
