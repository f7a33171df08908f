"""Electrodiagnosis (issue 18): reading the studies of a case, scoring them, the study plan, its figure and CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import matplotlib
import pytest

matplotlib.use("Agg")

import neuromap  # noqa: E402
from neuromap import plotting  # noqa: E402
from neuromap.io import load_schema  # noqa: E402
from tests.pixels import RC, compare_baseline  # noqa: E402

FOOT_DROP = {"side": "left",
             "sensory": [{"regions": ["dorsum of foot", "first dorsal web space"], "modality": "numbness"}],
             "motor": [{"name": "ankle dorsiflexion", "grade": 3}, {"name": "great toe extension", "grade": 3},
                       {"name": "foot eversion", "grade": 4}]}


def _edx(*entries):
    return {**FOOT_DROP, "electrodiagnosis": list(entries)}


# ----------------------------------------------------------------------------- reading
@pytest.mark.parametrize(("entry", "kind", "target"), [
    ({"study": "snap", "nerve": "sural", "result": "absent"}, "snap", "sural"),
    ({"study": "SNAP", "nerve": "superficial peroneal", "result": "normal"}, "snap", "superficial_fibular"),
    ({"study": "sensory nerve action potential", "nerve": "short saphenous nerve", "result": "reduced"}, "snap",
     "sural"),
    ({"study": "needle EMG", "muscle": "TP", "result": "denervation"}, "emg", "tibialis_posterior"),
    ({"study": "EMG", "muscle": "L5 paraspinal", "result": "both"}, "paraspinal", "L5"),
    ({"study": "needle_emg", "muscle": "paraspinals S1", "result": "normal"}, "paraspinal", "S1"),
    ({"study": "EMG", "muscle": "VM", "result": "chronic reinnervation"}, "emg", "vastus_medialis"),
    ({"study": "cmap", "nerve": "peroneal", "result": "reduced"}, "cmap", "extensor_digitorum_brevis"),
    ({"study": "cmap", "nerve": "tibial", "recording": "AH", "result": "absent"}, "cmap", "abductor_hallucis"),
    ({"study": "H-reflex", "result": "delayed"}, "h_reflex", "soleus"),
    ({"study": "F wave", "nerve": "tibial", "result": "delayed"}, "f_wave", "tibial"),
])
def test_studies_are_read_as_people_write_them(entry, kind, target):
    result = neuromap.localize(_edx(entry))
    found = [f for f in result.findings if f.field.startswith("electrodiagnosis[0]")]
    assert [(f.kind, f.target, f.side) for f in found] == [(kind, target, "left")]
    assert found[0].abnormal == (entry["result"] != "normal")


def test_a_conduction_block_names_the_site():
    result = neuromap.localize(_edx({"study": "cmap", "nerve": "fibular", "recording": "EDB", "result": "reduced",
                                     "conduction_block_at": "fibular head"}))
    block = [f for f in result.findings if f.kind == "block"]
    assert [(f.target, f.field) for f in block] == [("common_fibular@fibular_head",
                                                     "electrodiagnosis[0].conduction_block_at")]
    assert result.top.id == "common_fibular" and result.top.site == "fibular_head"


def test_a_bilateral_study_gives_one_finding_per_side():
    result = neuromap.localize({"side": "bilateral", "sensory": [{"regions": ["sole"]}],
                                "electrodiagnosis": [{"study": "snap", "nerve": "sural", "result": "absent"}]})
    assert sorted(f.side for f in result.findings if f.kind == "snap") == ["left", "right"]


@pytest.mark.parametrize(("entry", "field"), [
    ({"study": "ultrasound", "nerve": "sural", "result": "normal"}, "electrodiagnosis[0].study"),
    ({"study": "snap", "nerve": "sural", "result": "tiny"}, "electrodiagnosis[0].result"),
    ({"study": "snap", "nerve": "obturator", "result": "absent"}, "electrodiagnosis[0].nerve"),
    ({"study": "needle_emg", "muscle": "deltoid", "result": "denervation"}, "electrodiagnosis[0].muscle"),
    ({"study": "cmap", "nerve": "fibular", "result": "reduced", "conduction_block_at": "elbow"},
     "electrodiagnosis[0].conduction_block_at"),
])
def test_what_is_not_understood_is_set_aside_or_refused_with_strict(entry, field):
    result = neuromap.localize(_edx(entry))
    assert [u.field for u in result.not_understood] == [field]
    assert not any(f.field.startswith("electrodiagnosis") for f in result.findings)
    with pytest.raises(neuromap.NeuromapError, match=field.replace("[", r"\[").replace("]", r"\]")):
        neuromap.localize(_edx(entry), strict=True)


@pytest.mark.parametrize(("entry", "message"), [
    ({"study": "snap", "result": "absent"}, "needs 'nerve'"),
    ({"study": "snap", "nerve": "sural"}, "required"),
    ({"study": "snap", "nerve": "sural", "result": "absent", "muscle": "EDB"}, "takes no 'muscle'"),
    ({"study": "snap", "nerve": "sural", "result": "absent", "colour": "red"}, "unknown key 'colour'"),
    ({"study": "snap", "nerve": 3, "result": "absent"}, "expected a string"),
    ("sural absent", "expected an object"),
])
def test_a_malformed_entry_is_always_refused(entry, message):
    with pytest.raises(neuromap.InvalidCaseError, match=message):
        neuromap.localize(_edx(entry))


def test_the_case_schema_accepts_what_the_reader_reads():
    case = _edx({"study": "snap", "nerve": "sural", "result": "absent", "side": "left", "note": "at 14 cm"},
                {"study": "cmap", "nerve": "fibular", "recording": "EDB", "result": "reduced",
                 "conduction_block_at": "fibular head"})
    jsonschema.Draft202012Validator(load_schema("case")).validate(case)
    neuromap.io.check_case(case)  # raises if refused


# ----------------------------------------------------------------------------- scoring
def test_the_snap_separates_a_root_from_a_nerve():
    root = neuromap.localize(_edx({"study": "snap", "nerve": "superficial fibular", "result": "normal"},
                                  {"study": "needle_emg", "muscle": "L5 paraspinal", "result": "denervation"}))
    nerve = neuromap.localize(_edx({"study": "snap", "nerve": "superficial fibular", "result": "absent"},
                                   {"study": "needle_emg", "muscle": "L5 paraspinal", "result": "normal"}))
    assert root.rank("L5") < root.rank("common_fibular")
    assert nerve.rank("common_fibular") < nerve.rank("L5")


def test_an_explained_study_says_why():
    result = neuromap.localize(_edx({"study": "snap", "nerve": "superficial fibular", "result": "absent"}))
    why = next(x["why"] for x in result["common_fibular"].explains if x["kind"] == "snap")
    assert "dorsal root ganglion" in why
    unexplained = next(x["why"] for x in result["L5"].explains if x["kind"] == "snap")
    assert "proximal to the dorsal root ganglion" in unexplained


def test_length_dependent_snap_loss_on_both_sides_supports_polyneuropathy():
    case = {"side": "bilateral", "sensory": [{"regions": ["sole", "toes"], "modality": "numbness"}],
            "reflexes": {"achilles": "absent"}}
    before = neuromap.localize(case)
    after = neuromap.localize({**case, "electrodiagnosis": [{"study": "snap", "nerve": "sural", "result": "absent"}]})
    assert after.top.id == "polyneuropathy"
    assert after.top.score >= before["polyneuropathy"].score - 1e-9 or after.rank("polyneuropathy") == 1


def test_a_case_without_studies_scores_as_before():
    plain = neuromap.localize(FOOT_DROP)
    empty = neuromap.localize({**FOOT_DROP, "electrodiagnosis": []})
    assert [(h.id, h.score) for h in plain.hypotheses] == [(h.id, h.score) for h in empty.hypotheses]


# ----------------------------------------------------------------------------- the plan
def test_the_plan_for_a_foot_drop_is_the_classic_one():
    plan = neuromap.localize(FOOT_DROP).next_studies
    ids = [(s["kind"], s["id"]) for s in plan]
    assert ("snap", "superficial_fibular") in ids and ("paraspinal", "L5") in ids
    snap = next(s for s in plan if s["id"] == "superficial_fibular")
    assert snap["expected"]["L5"] == "normal" and snap["expected"]["common_fibular"] == "reduced or absent"
    assert snap["request"] == {"study": "snap", "nerve": "Superficial fibular"}
    assert "dorsal root ganglion" in snap["why"] and snap["sources"]


def test_each_request_reads_back_as_the_study_it_proposes():
    result = neuromap.localize(FOOT_DROP)
    for study in result.next_studies:
        entry = {**study["request"], "result": "normal"}
        again = neuromap.localize({**FOOT_DROP, "electrodiagnosis": [entry]}, strict=True)
        assert [(f.kind, f.target) for f in again.findings if f.field == "electrodiagnosis[0]"] == [
            (study["kind"], study["id"])]


def test_a_reported_study_is_not_proposed_again():
    first = neuromap.localize(FOOT_DROP).next_studies[0]
    result = neuromap.localize(_edx({**first["request"], "result": "normal"}))
    assert (first["kind"], first["id"]) not in {(s["kind"], s["id"]) for s in result.next_studies}


def test_the_result_json_carries_the_plan_and_matches_the_schema():
    out = neuromap.localize(_edx({"study": "snap", "nerve": "sural", "result": "normal"})).to_dict()
    assert out["next_studies"] and out["schema_version"] == "1.5"
    jsonschema.Draft202012Validator(load_schema("localization")).validate(out)


# ----------------------------------------------------------------------------- the figure
def test_plot_study_plan_structure():
    result = neuromap.localize(FOOT_DROP)
    display = plotting.plot_study_plan(result)
    plan = result.next_studies
    assert display.rows == tuple(f"{s['kind']}:{s['id']}" for s in plan)
    assert display.columns == tuple(plan[0]["predictions"])
    assert display.status[("snap:superficial_fibular", "L5")] == "normal"
    assert display.status[("snap:superficial_fibular", "common_fibular")] == "abnormal"
    assert display.labels[("snap:superficial_fibular", "L5")].get_text() == "normal"
    assert len(display.patches) == len(plan) * len(display.columns)


def test_plot_study_plan_into_axes_and_below_a_figure():
    import matplotlib.pyplot as plt

    result = neuromap.localize(FOOT_DROP)
    fig, ax = plt.subplots()
    display = plotting.plot_study_plan(result, ax=ax, title="Plan")
    assert display.axes["plan"] is ax and display.title.get_text() == "Plan"
    plt.close(fig)
    case = plotting.plot_localization(result)
    height = case.figure.get_figheight()
    below = plotting.plot_study_plan(result, fig=case.figure)
    assert below.figure is case.figure and case.figure.get_figheight() > height


@pytest.mark.parametrize(("kwargs", "error"), [({"ax": "axes"}, TypeError), ({}, ValueError)])
def test_plot_study_plan_refuses_bad_arguments(kwargs, error):
    result = neuromap.localize(FOOT_DROP)
    if error is ValueError:
        result = neuromap.localize({"side": "left", "reflexes": {"achilles": "normal"}})
    with pytest.raises(error):
        plotting.plot_study_plan(result, **kwargs)


def test_baseline_study_plan(tmp_path):
    with matplotlib.rc_context(RC):
        compare_baseline(plotting.plot_study_plan(neuromap.localize(FOOT_DROP)), "study_plan.png", tmp_path)


# ----------------------------------------------------------------------------- the CLI
def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "neuromap", *args], input=stdin, capture_output=True,
                          text=True, check=False)


def test_cli_prints_the_plan_after_the_ranking(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(FOOT_DROP))
    out = _cli("localize", str(path))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Studies to order (electrodiagnosis):" in text
    assert text.index("Studies to order") > text.index("rank")
    assert "Superficial fibular SNAP" in text


def test_cli_render_includes_the_plan(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(FOOT_DROP))
    plain, with_plan = tmp_path / "a.png", tmp_path / "b.png"
    assert _cli("render", str(path), "-o", str(plain)).returncode == 0
    out = _cli("render", str(path), "--studies", "-o", str(with_plan))
    assert out.returncode == 0, out.stderr
    from PIL import Image

    assert Image.open(with_plan).size[1] > Image.open(plain).size[1]


# ----------------------------------------------------------------------------- the docs page
def test_the_docs_page_runs_and_cites_known_sources():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "electrodiagnosis.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/electrodiagnosis.md", "exec"), namespace)  # noqa: S102 - our own docs
    sources = json.loads((root / "data" / "sources.json").read_text(encoding="utf-8"))["sources"]
    cited = re.findall(r"`([a-z0-9_]+)`", " ".join(re.findall(r"\[(`[^\]]+`)\]", text)))
    assert cited and all(k in sources for k in cited)


def test_a_motor_study_without_its_recording_muscle_never_refuses_the_case():
    """A 'deep peroneal' motor study is the fibular study to the EDB, which the deep fibular nerve
    supplies; a motor study with no usual recording is set aside (refused only when strict), like
    any word not read (#16: a case is never refused whole for one entry)."""
    base = {"side": "right", "motor": [{"name": "ankle dorsiflexion", "grade": 2}]}
    block = {"study": "cmap", "nerve": "deep peroneal", "result": "reduced", "conduction_block_at": "fibular head"}
    deep = neuromap.localize({**base, "electrodiagnosis": [block]})
    assert (deep.top.id, deep.top.site) == ("common_fibular", "fibular_head") and not deep.not_understood
    odd = {**base, "electrodiagnosis": [{"study": "cmap", "nerve": "saphenous", "result": "reduced"}]}
    result = neuromap.localize(odd)
    assert [u.field for u in result.not_understood] == ["electrodiagnosis[0].recording"]
    assert result.hypotheses
    with pytest.raises(neuromap.InvalidCaseError, match=r"electrodiagnosis\[0\]\.recording"):
        neuromap.localize(odd, strict=True)
