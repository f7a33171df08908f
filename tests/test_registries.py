"""Registries (issue #19): ranking-only batches, tables in and out, the command line, Dask."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import neuromap
from neuromap.io import RANKED_COLUMNS, load_schema, localize_json, localize_many, localize_table

ATLAS = neuromap.load_atlas()
CASES = [
    {"side": "left", "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"}],
     "motor": [{"name": "ankle dorsiflexion", "grade": 4}], "reflexes": {"achilles": "normal"}},
    {"side": "right", "reflexes": {"achilles": "absent"}, "motor": [{"name": "ankle plantarflexion", "grade": 4}]},
    {"side": "bilateral", "sensory": [{"regions": ["heel"]}], "other": ["saddle anaesthesia"]},
    {"side": "middle"},
    {"side": "left", "sensory": [{"regions": ["sole", "thumb"]}]},
    {"side": "left", "sensory": [{"regions": ["heel"], "state": "normal"}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[20, 60], [40, 60], [40, 90], [20, 90]]},
                                  "modality": "pain"}]},
]
TEXTS = [json.dumps(c) for c in CASES]


def test_ranking_only_results_follow_their_schema_and_the_full_results():
    validator = jsonschema.Draft202012Validator(load_schema("ranking"))
    out = localize_many(TEXTS, explain=False, top=3, workers=1)
    for text, got in zip(TEXTS, out, strict=True):
        full = localize_json(text) if "middle" not in text else None
        if full is None:
            assert got["error"]["field"] == "side"
            continue
        validator.validate(got)
        assert got["ranking_only"] is True and "explains" not in json.dumps(got["hypotheses"])
        assert got["red_flags"] == full["red_flags"] and got["warnings"] == full["warnings"]
        assert got["not_understood"] == full["not_understood"]
        ids = [h["id"] for h in got["hypotheses"]]
        assert ids == [h["id"] for h in full["hypotheses"]][:len(ids)]
        assert len(ids) >= min(3, len(full["hypotheses"]))
    assert [f["id"] for f in out[2]["red_flags"]] == ["cauda_equina"]
    assert "thumb" in json.dumps(out[4]["not_understood"])


def test_top_must_be_a_whole_number():
    with pytest.raises(neuromap.NeuromapError, match="top"):
        localize_many(TEXTS, explain=False, top=0)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"case": TEXTS, "mrn": [f"M{i}" for i in range(len(TEXTS))]})


def test_localize_table_pandas_and_pyarrow_agree():
    frame = localize_table(_frame(), id_column="mrn", top=2)
    table = localize_table(pa.table(_frame()), id_column="mrn", top=2)
    assert list(frame.columns) == list(RANKED_COLUMNS) == table.column_names
    assert frame.astype(object).where(frame.notna(), None).to_dict("list") == table.to_pydict()
    # one row per (case, rank); a case without hypotheses keeps one row, its error said
    assert frame["case_id"].unique().tolist() == [f"M{i}" for i in range(len(TEXTS))]
    bad = frame[frame["case_id"] == "M3"]
    assert len(bad) == 1 and pd.isna(bad["rank"].iloc[0]) and bad["error"].iloc[0].startswith("InvalidCaseError")
    flagged = frame[frame["case_id"] == "M2"]
    assert set(flagged["red_flags"]) == {"cauda_equina"}
    first = frame[frame["rank"] == 1].set_index("case_id")["id"]
    expected = {f"M{i}": localize_json(c)["hypotheses"][0]["id"] for i, c in enumerate(CASES)
                if c["side"] != "middle" and localize_json(c)["hypotheses"]}
    assert first.to_dict() == expected


def test_localize_table_takes_dicts_and_struct_columns():
    dicts = localize_table(pd.DataFrame({"case": CASES[:3]}), top=2)
    texts = localize_table(pd.DataFrame({"case": TEXTS[:3]}), top=2)
    pd.testing.assert_frame_equal(dicts, texts)
    struct = localize_table(pa.table({"case": [CASES[1], {"side": "left", "reflexes": {"achilles": "absent"}}]}))
    assert struct.column("error").to_pylist()[0] is None


def test_localize_table_refuses_what_it_cannot_read():
    with pytest.raises(neuromap.NeuromapError, match="no column 'cases'"):
        localize_table(_frame(), column="cases")
    with pytest.raises(TypeError, match="pandas DataFrame or a pyarrow Table"):
        localize_table(TEXTS)


def test_progress_bar_counts_the_cases(capsys):
    out = localize_many(TEXTS, explain=False, workers=1, progress=True)
    assert out == localize_many(TEXTS, explain=False, workers=1)
    assert f"{len(TEXTS)}/{len(TEXTS)}" in capsys.readouterr().err


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neuromap", "localize", *args], capture_output=True, text=True)


@pytest.mark.parametrize("src", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("dst", ["parquet", "csv", "jsonl"])
def test_cli_batch_round_trips(tmp_path: Path, src: str, dst: str):
    cases = tmp_path / f"cases.{src}"
    if src == "jsonl":
        cases.write_text("\n".join(TEXTS) + "\n")
    elif src == "csv":
        _frame().to_csv(cases, index=False)
    else:
        pq.write_table(pa.table(_frame()), cases)
    ranked = tmp_path / f"ranked.{dst}"
    run = _cli("--batch", str(cases), "-o", str(ranked), *(["--top", "5"] if dst == "jsonl" else []))
    assert run.returncode == 2, run.stderr  # the side 'middle' case
    assert "1 of 7 cases invalid" in run.stderr and "Traceback" not in run.stderr
    expected = localize_table(_frame(), top=5)
    expected["case_id"] = expected["case_id"] + 1   # lines and rows count from 1
    if dst == "jsonl":
        lines = [json.loads(line) for line in ranked.read_text().splitlines()]
        assert len(lines) == len(TEXTS)
        assert [h["id"] for h in lines[0]["hypotheses"]] == expected[expected["case_id"] == 1]["id"].tolist()
        return
    got = pq.read_table(ranked).to_pandas() if dst == "parquet" else pd.read_csv(ranked)
    assert list(got.columns) == list(RANKED_COLUMNS)
    assert got["case_id"].tolist() == expected["case_id"].tolist()
    assert got["id"].fillna("-").tolist() == expected["id"].fillna("-").tolist()
    assert got["rank"].fillna(0).tolist() == expected["rank"].fillna(0).tolist()
    assert got["score"].fillna(-1).tolist() == pytest.approx(expected["score"].fillna(-1).tolist())


def test_cli_batch_names_a_missing_column(tmp_path: Path):
    cases = tmp_path / "cases.csv"
    pd.DataFrame({"json": TEXTS}).to_csv(cases, index=False)
    run = _cli("--batch", str(cases), "-o", str(tmp_path / "out.parquet"))
    assert run.returncode == 2 and "'case'" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_dask_on_two_worker_processes_gives_the_local_table():
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from neuromap.io.dask import localize_dataframe

    cases = pd.DataFrame({"case": TEXTS * 6, "mrn": [f"M{i}" for i in range(len(TEXTS) * 6)]})
    expected = localize_table(cases, id_column="mrn", top=3)
    with dask.config.set({"dataframe.convert-string": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        ranked = localize_dataframe(dd.from_pandas(cases, npartitions=4), top=3, id_column="mrn")
        got = ranked.compute().reset_index(drop=True)
        uniform = localize_dataframe(dd.from_pandas(cases, npartitions=4), top=3, id_column="mrn", prior="uniform")
        got_uniform = uniform.compute().reset_index(drop=True)
        pids = set(Client.current().run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    expected_uniform = localize_table(cases, id_column="mrn", top=3, prior="uniform")
    assert not expected_uniform["score"].equals(expected["score"])
    pd.testing.assert_frame_equal(got_uniform, expected_uniform, check_dtype=False)


def test_overlay_many_equals_overlay_one_by_one():
    from neuromap.geometry.drawing import read_drawing

    template = ATLAS.template
    drawings: dict[tuple[str, str], list] = {}
    for i in range(300):
        view = template.views[i % len(template.views)]
        side = ("left", "right")[i % 2]
        x, y = template.anchor(template.regions(view)[i % len(template.regions(view))], side=side)
        r = 3 + (i * 7) % 30
        hexagon = ((1, 0), (0.5, 0.8), (-0.5, 0.8), (-1, 0), (-0.5, -0.8), (0.5, -0.8))
        ring = [[x + r * c, y + r * s] for c, s in hexagon]
        drawings.setdefault((view, side), []).append(read_drawing(ring))
    far = read_drawing([[5000, 5000], [5010, 5000], [5010, 5010]])
    drawings[("dorsal", "left")].append(far)
    for (view, side), geoms in drawings.items():
        many = template.overlay_many(geoms, view, side=side)
        for g, got in zip(geoms, many, strict=True):
            if g is far:
                assert got is None
                with pytest.raises(neuromap.NeuromapError, match="outside the foot outline"):
                    template.overlay(g, view, side=side)
            else:
                assert got == template.overlay(g, view, side=side)


def test_a_batch_leaves_nothing_for_the_garbage_collector():
    """io/_collector.py pauses the collector during a chunk on the ground that the engine makes no
    reference cycles: every kind of case (named, drawn, text, refused, not understood, strict),
    full and ranking-only, must leave no cyclic garbage behind. Checked in a fresh process, where
    no other test's threads (Dask's event loop) make garbage of their own."""
    code = """if True:
        import gc, json, sys
        from neuromap.io import localize_many
        cases = json.loads(sys.argv[1])
        localize_many(cases, workers=1)  # the caches filled first
        localize_many(cases, workers=1, explain=False, strict=True)
        gc.collect()
        gc.disable()
        for kwargs in ({}, {"explain": False, "top": 2}, {"strict": True}, {"as_text": True}):
            out = localize_many(cases, workers=1, **kwargs)
            assert len(out) == len(cases)
            del out
            print(gc.collect())
    """
    cases = [*TEXTS, '{"text": "numb left big toe, weak ankle dorsiflexion"}', "not json",
             '{"side": "left", "motor": [{"name": "no such movement", "grade": 4}]}']
    run = subprocess.run([sys.executable, "-c", code, json.dumps(cases)], capture_output=True, text=True,
                         check=True)
    assert run.stdout.split() == ["0", "0", "0", "0"]


def test_the_collector_is_restored_after_a_batch_in_every_thread():
    import gc
    import threading

    assert gc.isenabled()
    runs = [threading.Thread(target=localize_many, args=(TEXTS * 40,), kwargs={"workers": 1, "chunk_size": 7})
            for _ in range(3)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert gc.isenabled()
    gc.disable()
    try:
        localize_many(TEXTS, workers=1)
        assert not gc.isenabled()  # a program that turned it off keeps it off
    finally:
        gc.enable()


def test_every_batch_entry_point_takes_the_prior(tmp_path: Path):
    """localize_json, localize_many, localize_table and the command line rank with either prior,
    each as neuromap.localize does; an unknown prior is refused at the call, naming the values."""
    case = CASES[1]
    uniform = neuromap.localize(case, prior="uniform")
    clinical = neuromap.localize(case)
    assert [h.score for h in uniform.hypotheses] != [h.score for h in clinical.hypotheses]
    want = json.loads(json.dumps(uniform.to_dict()))
    assert {k: v for k, v in localize_json(case, prior="uniform").items() if k in want} == want
    assert localize_many([case], workers=1, prior="uniform") == [localize_json(case, prior="uniform")]
    ranking = localize_many([case], workers=1, prior="uniform", explain=False, top=3)[0]
    ranked = ranking["hypotheses"]
    assert [h["score"] for h in ranked] == [h.score for h in uniform.hypotheses[:len(ranked)]]
    # each result says which base rates ranked it, and keeps saying it when copied
    assert (ranking["prior"], localize_json(case)["prior"], want["prior"]) == ("uniform", "clinical", "uniform")
    assert copy.deepcopy(uniform).prior == "uniform" and pickle.loads(pickle.dumps(uniform)).to_dict() == want
    table = localize_table(pd.DataFrame({"case": [json.dumps(case)]}), top=3, prior="uniform")
    assert table["score"].tolist() == [h.score for h in uniform.hypotheses[:3]]
    for call in (lambda: localize_many([case], prior="bayes"), lambda: localize_json(case, prior="bayes"),
                 lambda: localize_table(pd.DataFrame({"case": [json.dumps(case)]}), prior="bayes")):
        with pytest.raises(neuromap.NeuromapError, match="prior.*clinical"):
            call()
    src = tmp_path / "cases.jsonl"
    src.write_text(json.dumps(case) + "\n")
    for extra, expected in (([], clinical), (["--prior", "uniform"], uniform)):
        run = subprocess.run([sys.executable, "-m", "neuromap", "localize", "--batch", str(src), *extra],
                             capture_output=True, text=True, check=True)
        assert [h["score"] for h in json.loads(run.stdout)["hypotheses"]] == [h.score for h in expected.hypotheses]
    one = tmp_path / "case.json"
    one.write_text(json.dumps(case))
    run = subprocess.run([sys.executable, "-m", "neuromap", "localize", "--json", "--prior", "uniform", str(one)],
                         capture_output=True, text=True, check=True)
    assert [h["score"] for h in json.loads(run.stdout)["hypotheses"]] == [h.score for h in uniform.hypotheses]
    run = subprocess.run([sys.executable, "-m", "neuromap", "localize", "--prior", "bayes", str(one)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "--prior" in run.stderr and "uniform" in run.stderr


def test_a_worker_forked_during_a_pause_collects_and_pauses_again():
    """A pool worker forked while another thread's chunk holds the collector paused must not
    inherit the pause (its collector off for good, or the pause's lock held by a thread it lacks)."""
    import gc
    import multiprocessing
    import threading

    from neuromap.io._collector import COLLECTOR_PAUSED

    def child(conn):
        enabled = gc.isenabled()
        with COLLECTOR_PAUSED:  # would hang on a copied lock, or stay off on a copied depth
            paused = not gc.isenabled()
        conn.send((enabled, paused, gc.isenabled()))

    held, release = threading.Event(), threading.Event()

    def hold():
        with COLLECTOR_PAUSED:
            held.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(10) and not gc.isenabled()
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe()
        p = ctx.Process(target=child, args=(theirs,))
        p.start()
        assert mine.poll(30), "the forked child hung on the pause"
        assert mine.recv() == (True, True, True)
        p.join(10)
    finally:
        release.set()
        t.join()
    assert gc.isenabled()
