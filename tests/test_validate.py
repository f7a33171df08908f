"""tools/validate.py on a small synthetic validation file built from case-suite entries (not real validation cases)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.case_suite import load_cases

ROOT = Path(__file__).resolve().parents[1]


def _synthetic(tmp_path: Path) -> Path:
    """Three suite cases in validation format (their 'top' as the lesion), an unknown name, an invalid case."""
    suite = {c["id"]: c for c in load_cases()}
    picks = [("l5_root_foot_drop_with_weak_inversion", {"kind": "root", "id": "L5", "levels": ["L5"]})]
    picks += [(i, {"kind": c["expect"][0]["top"] == "cauda_equina" and "cauda_equina" or "polyneuropathy",
                   "id": c["expect"][0]["top"], "levels": []})
              for i, c in suite.items() if c["expect"] and c["expect"][0].get("top") in ("cauda_equina",
                                                                                          "polyneuropathy")][:2]
    cases = [{"id": f"synthetic_{i}", "citation": suite[i]["source"]["citation"], "confirmed_by": ["synthetic"],
              "lesion": {**lesion, "site": None, "side": "left"}, "reported": "synthetic", "case": suite[i]["case"]}
             for i, lesion in picks]
    cases.append({"id": "synthetic_unknown_name", "citation": "synthetic", "confirmed_by": [],
                  "lesion": {"kind": "nerve", "id": "sural", "levels": [], "site": None, "side": "left"},
                  "reported": "a name no atlas knows",
                  "case": {"side": "left", "sensory": [{"regions": ["the moon"], "modality": "numbness"}]}})
    cases.append({"id": "synthetic_invalid_side", "citation": "synthetic", "confirmed_by": [],
                  "lesion": {"kind": "root", "id": "S1", "levels": ["S1"], "site": None, "side": "left"},
                  "reported": "a side no case has", "case": {"side": "sideways", "reflexes": {"achilles": "absent"}}})
    directory = tmp_path / "validation"
    directory.mkdir()
    (directory / "synthetic.json").write_text(json.dumps({"description": "synthetic", "cases": cases}), "utf-8")
    (directory / "broken.json").write_text("{", "utf-8")
    return directory


def test_validate_writes_the_page_and_counts_refusals(tmp_path):
    directory = _synthetic(tmp_path)
    out = tmp_path / "validation.md"
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "validate.py"), "--validation", str(directory),
                          "--out", str(out), "--no-suite"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    page = out.read_text(encoding="utf-8")
    n = len(json.loads((directory / "synthetic.json").read_text("utf-8"))["cases"])
    assert f"Cases read from `validation`: {n} in 1 file(s)" in page
    # an invalid case is refused and listed; an unknown name never stops the run (refused, or read as not understood)
    assert "`synthetic_invalid_side`" in page and "broken.json" in page
    refused = next(line for line in page.splitlines() if line.startswith("| cases refused |"))
    assert refused in ("| cases refused | 1 | 1 |", "| cases refused | 2 | 2 |")
    assert "| top-1, root | 1/1 (100%) | 1/1 (100%) |" in page
    assert "## Confusion table, prior=\"uniform\"" in page
    assert "red-flag recall" in page and "prior=clinical: top-1" in run.stdout
