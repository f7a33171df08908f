"""Tests of the neuromap command line (subprocess runs of ``python -m neuromap`` and in-process ``main``)."""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from neuromap.cli import VOCAB_COMMANDS, format_table, main
from neuromap.io import load_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
CASE = {"side": "left",
        "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
        "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": 4},
                  {"name": "ankle plantarflexion", "grade": "normal"}],
        "reflexes": {"achilles": "normal"}}
COMMANDS = ["localize", "render", "html", "atlas", *VOCAB_COMMANDS, "export"]
TIMING_RUNS = int(os.environ.get("NEUROMAP_CLI_TIMING_RUNS", "10"))


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
    return subprocess.run([sys.executable, "-m", "neuromap", *args], input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, env=full_env, timeout=60)


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def output_validator() -> Any:
    return jsonschema.Draft202012Validator(load_schema("localization"))


def in_process(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
               stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------ subprocess runs
def test_localize_file_table_and_json(case_file: Path, output_validator: Any) -> None:
    r = run("localize", str(case_file))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["rank", "hypothesis", "side", "score"]
    assert lines[2].split()[0] == "1" and "L5" in lines[2]
    r = run("localize", str(case_file), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    output_validator.validate(out)
    from neuromap.io import localize_json

    assert out == localize_json(CASE)


def test_localize_stdin(output_validator: Any) -> None:
    r = run("localize", "-", "--json", stdin=json.dumps(CASE).encode())
    assert r.returncode == 0, r.stderr
    output_validator.validate(json.loads(r.stdout))


@pytest.mark.parametrize(("args", "field"), [
    (["--side", "middle", "--region", "heel"], "side"),
    (["--strict", "--side", "left", "--region", "frist webbed space"], "sensory[0].regions[0]"),
    (["--strict", "--side", "left", "--weak", "hip abductoin movement"], "motor[0].name"),
])
def test_bad_input_exits_2_with_one_line(args: list[str], field: str, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process(["localize", *args], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert repr(field) in err and ("Did you mean" in err or "allowed values" in err)


def test_bad_input_subprocess() -> None:
    r = run("localize", "--strict", "--side", "left", "--region", "frist webbed space", "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("neuromap: error: ") and "'sensory[0].regions[0]'" in r.stderr


def test_bad_file_and_json_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"side": "left", "side": "right"}')
    r = run("localize", str(bad))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "'side'" in r.stderr
    for args in (["localize", str(tmp_path / "missing.json")], ["localize", "--nope"], ["localize"], ["frobnicate"],
                 ["localize", "-"], ["localize", "--batch", str(tmp_path / "missing.jsonl")]):
        code, out, err = in_process(args, capsys, monkeypatch)
        assert code == 2, (args, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_batch_with_a_bad_line(tmp_path: Path, output_validator: Any) -> None:
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps(CASE), '{"side": "left", "sensory": [{"regions": ["thumb"]}]}', "",
             '{"side": "right", "reflexes": {"achilles": "absent"}}', "{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("localize", "--batch", str(path), "--strict")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "2 of 4" in r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(out) == 4
    # every output line carries its input line number; the rest of a result is the single-case schema
    assert [o["line"] for o in out] == [1, 2, 4, 5]
    output_validator.validate({k: v for k, v in out[0].items() if k != "line"})
    output_validator.validate({k: v for k, v in out[2].items() if k != "line"})
    assert out[1]["error"]["field"] == "sensory[0].regions[0]" and out[1]["error"]["line"] == 2
    assert out[1]["error"]["type"] == "UnknownNameError"
    assert out[3]["error"]["field"] == "case" and out[3]["error"]["line"] == 5


def test_batch_streams_its_output(tmp_path: Path) -> None:
    """Issue 15: a batch is read, localized and written chunk by chunk: the first results come out
    while most of the input is still unwritten, every line is answered in order, and a successful
    batch without a terminal writes nothing on stderr."""
    import threading

    first_out = threading.Event()
    lines = (json.dumps({**CASE, "side": ("left", "right")[i % 2]}) + "\n" for i in range(20_000))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "neuromap", "localize", "--batch", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    output_before_input_end = []

    def feed() -> None:
        assert proc.stdin is not None
        for i, line in enumerate(lines):
            if i == 2_000:
                output_before_input_end.append(first_out.wait(30))
            proc.stdin.write(line.encode())
        proc.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    assert proc.stdout is not None and proc.stderr is not None
    numbers = []
    for raw in proc.stdout:
        first_out.set()
        numbers.append(json.loads(raw)["line"])
    writer.join()
    assert proc.wait(60) == 0 and proc.stderr.read() == b""
    assert output_before_input_end == [True] and numbers == list(range(1, 20_001))


@pytest.mark.parametrize("workers", ["0", "-1", "1.5", "two"])
def test_workers_must_be_a_positive_whole_number(workers: str, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process(["localize", "--batch", "-", "--workers", workers], capsys, monkeypatch,
                                stdin=json.dumps(CASE).encode())
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--workers" in err


def test_many_workers_are_capped(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process(["localize", "--batch", "-", "--workers", "64"], capsys, monkeypatch,
                                stdin=(json.dumps(CASE) + "\n").encode() * 3)
    assert code == 0 and err == "" and [json.loads(x)["line"] for x in out.splitlines()] == [1, 2, 3]


def test_help_version_and_round_trip_time(case_file: Path) -> None:
    r = run("--help")
    assert r.returncode == 0 and "localize" in r.stdout and "examples:" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("neuromap ")
    times = []
    for _ in range(TIMING_RUNS):
        t = time.perf_counter()
        r = run("localize", str(case_file), "--json")
        times.append(time.perf_counter() - t)
        assert r.returncode == 0
    base = []
    for _ in range(max(3, TIMING_RUNS // 3)):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import shapely, networkx"], check=True)
        base.append(time.perf_counter() - t)
    print(f"\nCLI round trip 'localize case.json --json': median {statistics.median(times):.3f}s over {len(times)} "
          f"runs; 'import shapely, networkx': median {statistics.median(base):.3f}s")


def test_cli_does_not_import_matplotlib_or_jsonschema(case_file: Path) -> None:
    code = (f"import sys; from neuromap.cli import main; rc = main(['localize', {str(case_file)!r}, '--json']); "
            "print(rc, 'matplotlib' in sys.modules, 'jsonschema' in sys.modules, file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert r.stderr.strip() == "0 False False", r.stderr


def test_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import neuromap.io

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(neuromap.io, "localize_json", boom)
    code, out, err = in_process(["localize", "--side", "left", "--reflex", "achilles=absent"], capsys, monkeypatch)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "internal error" in err and "NEUROMAP_DEBUG" in err
    monkeypatch.setenv("NEUROMAP_DEBUG", "1")
    code, out, err = in_process(["localize", "--side", "left", "--reflex", "achilles=absent"], capsys, monkeypatch)
    assert code == 1 and "Traceback" in err


# ------------------------------------------------------------------------------ in-process runs
@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(command: str, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process([command, "--help"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert "examples:" in out and f"neuromap {command}" in out


def test_localize_flags(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["localize", "--side", "left", "--region", "first web space", "--modality", "numbness",
            "--weak", "great toe extension=4", "--weak", "hip abduction", "--normal-motor", "ankle plantarflexion",
            "--normal-region", "medial malleolus", "--reflex", "achilles=normal", "--json"]
    code, out, err = in_process(argv, capsys, monkeypatch)
    assert code == 0, err
    result = json.loads(out)
    assert result["hypotheses"][0]["id"] == "L5"
    fields = {f["field"] for f in result["findings"]}
    assert {"sensory[0].regions[0]", "sensory[1].regions[0]", "motor[0]", "motor[1]", "motor[2]",
            "reflexes.achilles"} <= fields
    code, out, err = in_process([*argv[:-1], "--map", "keegan_garrett_1948", "--json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["dermatome_map"]["id"] == "keegan_garrett_1948"
    for bad in (["localize", "--side", "left", "--reflex", "achilles"], ["localize", "--region", "heel"],
                ["localize", "x.json", "--side", "left", "--region", "heel"],
                ["localize", "--side", "left", "--region", "heel", "--map", "lee2009"]):
        code, out, err = in_process(bad, capsys, monkeypatch)
        assert code == 2 and len(err.strip().splitlines()) == 1, (bad, err)


def test_red_flags_come_first(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process(["localize", "--side", "bilateral", "--region", "heel", "--sign", "saddle anaesthesia"],
                                capsys, monkeypatch)
    assert code == 0
    first = out.splitlines()[:3]
    assert first[0].startswith("!!!") and "RED FLAG" in first[1] and "cauda equina" in " ".join(first).lower()
    assert out.index("RED FLAG") < out.index("rank")


def test_table_sections() -> None:
    from neuromap.io import localize_json

    text = format_table(localize_json(CASE))
    assert "rank" in text and "not a diagnosis" in text
    empty = format_table({"hypotheses": [], "red_flags": [], "warnings": ["w"], "next_examination": []})
    assert "No hypothesis" in empty and "Warnings:" in empty


@pytest.mark.parametrize("command", list(VOCAB_COMMANDS))
def test_vocabulary_commands(command: str, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = in_process([command], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[0].split()[:2] == ["id", "kind"]
    code, out, err = in_process([command, "--json"], capsys, monkeypatch)
    entries = json.loads(out)
    assert entries and all({"id", "kind", "label", "aliases"} <= set(e) for e in entries)
    if command == "regions":
        assert any(e["id"] == "first_web_space" for e in entries)
    if command == "reflexes":
        assert any("ankle jerk" in e["aliases"] for e in entries)


@pytest.mark.parametrize("fmt", ["geojson", "graphml", "node-link"])
def test_export(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"atlas.{fmt}"
    code, out, err = in_process(["export", "--format", fmt, "-o", str(path)], capsys, monkeypatch)
    assert code == 0, err
    assert path.stat().st_size > 1000
    if fmt != "graphml":
        json.loads(path.read_text())
    code, out, err = in_process(["export", "--format", "svg", "-o", str(path)], capsys, monkeypatch)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_render_and_atlas(tmp_path: Path, case_file: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the two drawing commands reject a bad output name before touching matplotlib
    for argv in (["render", str(case_file), "-o", str(tmp_path / "x.jpg")], ["atlas", "-o", str(tmp_path / "x")]):
        code, out, err = in_process(argv, capsys, monkeypatch)
        assert code == 2 and ".png" in err
    pytest.importorskip("matplotlib")
    pytest.importorskip("neuromap.plotting")
    code, out, err = in_process(["render", str(case_file), "-o", str(tmp_path / "case.svg")], capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "case.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    code, out, err = in_process(["atlas", "--map", "keegan_garrett_1948", "-o", str(tmp_path / "map.png")],
                                capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    code, out, err = in_process(["atlas", "--map", "lee2009", "-o", str(tmp_path / "m.png")], capsys, monkeypatch)
    assert code == 2 and "--map" in err


def test_only_the_program_touches_the_garbage_collector(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """main() leaves the caller's collector alone; run() (the program) turns it off and freezes the heap."""
    import gc

    from neuromap.cli import main

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert main(["localize", str(case_file), "--json"]) == 0
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
    capsys.readouterr()
    argv = f"sys.argv = ['neuromap', 'localize', {str(case_file)!r}]; "
    for entry, expected in (("main", "True False"), ("run", "False True")):
        code = (f"import gc, sys; from neuromap.cli import {entry}; {argv}"
                f"rc = {entry}(); print(gc.isenabled(), gc.get_freeze_count() > 0); sys.exit(rc)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert proc.stdout.strip().splitlines()[-1] == expected, entry


# ------------------------------------------------------------------------------ output files
@pytest.mark.parametrize("command", [["atlas"], ["export", "--format", "geojson"], ["render", "--side", "left",
                                                                                 "--region", "heel"]])
def test_unwritable_outputs_are_usage_errors(command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: no such directory, a directory, a name too long or a read-only place: one line naming
    the path and the problem, exit status 2, and nothing left behind."""
    ext = ".geojson" if command[0] == "export" else ".svg"
    folder = tmp_path / f"folder{ext}"
    folder.mkdir()
    for target, problem in ((tmp_path / "missing" / f"out{ext}", "No such file"), (folder, "directory"),
                            (tmp_path / ("x" * 300 + ext), "too long"), (Path("/proc") / f"out{ext}", "")):
        code, out, err = in_process([*command, "-o", str(target)], capsys, monkeypatch)
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and str(target) in err and problem in err, err
        assert "internal error" not in err
    assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []


def test_a_failed_write_leaves_the_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The image is written to a temporary file and moved into place: a failure part-way through
    leaves the file that was there byte for byte."""
    from matplotlib.figure import Figure

    target = tmp_path / "atlas.png"
    assert in_process(["atlas", "-o", str(target)], capsys, monkeypatch)[0] == 0
    before = target.read_bytes()

    def half_written(self: Figure, fname: Any, **kwargs: Any) -> None:
        Path(fname).write_bytes(b"\x89PNG half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Figure, "savefig", half_written)
    code, _, err = in_process(["atlas", "-o", str(target)], capsys, monkeypatch)
    assert code == 1 and "disk on fire" in err
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["atlas.png"]


@pytest.mark.parametrize(("command", "start"), [(["export", "--format", "geojson"], b'{"type": "FeatureCollection"'),
                                                (["export", "--format", "graphml"], b"<?xml"),
                                                (["atlas"], b"<?xml"), (["atlas", "--format", "png"], b"\x89PNG")])
def test_output_to_stdout(command: list[str], start: bytes) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-m", "neuromap", *command, "-o", "-"], capture_output=True, env=env,
                       timeout=60)
    assert r.returncode == 0 and r.stderr == b"" and r.stdout.startswith(start)


def test_a_case_is_not_refused_whole_for_one_word(output_validator: Any) -> None:
    """Without --strict, a name neuromap cannot read is listed and the rest is localized (issue #16)."""
    r = run("localize", "--side", "left", "--region", "first web space", "--region", "webby bit", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    output_validator.validate(out)
    assert [u["field"] for u in out["not_understood"]] == ["sensory[0].regions[1]"]
    assert out["hypotheses"]
    text = run("localize", "--side", "left", "--region", "first web space", "--region", "webby bit").stdout
    assert "Not understood" in text and "webby bit" in text
