"""Documentation checks that need no Sphinx: the generated data page, the notebooks, the README's service example.

The Sphinx build itself (``sphinx-build -W``) and the notebook execution (``pytest --nbmake
notebooks/``) run as separate CI steps.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from neuromap.io import localize_json
from tests.serving import Server

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED_NOTEBOOKS = [
    "01_atlas_tour.ipynb",
    "02_dermatome_maps_compared.ipynb",
    "03_localizing_cases.ipynb",
    "04_pain_drawings.ipynb",
    "05_lower_limb_and_myotomes.ipynb",
    "interactive.ipynb",
]
SOURCES = json.loads((ROOT / "data" / "sources.json").read_text(encoding="utf-8"))["sources"]
# A citation is one or more backticked source keys in square brackets: [`lee_2008`, `taylor_2013`].
CITATION = re.compile(r"\[(`[A-Za-z0-9_]+`(?:\s*,\s*`[A-Za-z0-9_]+`)*)\]")
KEY = re.compile(r"`([A-Za-z0-9_]+)`")


def _gen_data_page():
    spec = importlib.util.spec_from_file_location("gen_data_page", ROOT / "tools" / "gen_data_page.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cited_keys(text: str) -> list[str]:
    return [k for group in CITATION.findall(text) for k in KEY.findall(group)]


def test_data_page_is_up_to_date():
    committed = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert _gen_data_page().render() == committed, (
        "docs/data.md is out of date with data/; run: python tools/gen_data_page.py")


def test_data_page_lists_every_file_and_source():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    manifest = json.loads((ROOT / "data" / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        assert f"### `{name}`" in text
        assert entry["sha256"] in text
    for key in SOURCES:
        assert f"| `{key}` |" in text


def test_the_tutorials_exist_and_are_listed():
    assert [p.name for p in NOTEBOOKS] == EXPECTED_NOTEBOOKS
    toc = (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
    for nb in NOTEBOOKS:
        assert f"notebooks/{nb.stem}" in toc, f"{nb.name} is missing from the toctree in docs/notebooks.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has stored outputs; clear them"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_opens_with_the_safety_line(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    assert "not a diagnosis" in "".join(first["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_cites_known_sources(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    cited = _cited_keys(text)
    assert len(set(cited)) >= 3, f"{path.name} cites fewer than 3 sources"
    unknown = sorted(set(cited) - set(SOURCES))
    assert not unknown, f"{path.name} cites keys missing from data/sources.json: {unknown}"


def test_concepts_page_cites_known_sources():
    text = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    cited = _cited_keys(text)
    assert cited
    assert not sorted(set(cited) - set(SOURCES))
    for term in ("dermatome", "myotome", "radiculopathy", "plexus", "mononeuropathy", "polyneuropathy",
                 "cauda equina", "upper motor neuron", "lower motor neuron", "ISNCSCI key point", "territory",
                 "autonomous zone"):
        assert re.search(rf"^{re.escape(term)}$", text, re.M), f"glossary term {term!r} missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_exercises_with_worked_solutions(path):
    """Every notebook ends with exercises, each followed by a worked solution hidden on the docs site."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    heads = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "".join(c["source"]).startswith(
        ("## Exercises", "## Try it yourself"))]
    assert heads, f"{path.name} has no exercises"
    solutions = [c for c in cells[heads[-1]:] if c["cell_type"] == "code"
                 and "hide-cell" in c["metadata"].get("tags", [])
                 and "".join(c["source"]).startswith("# Worked solution")]
    assert solutions, f"{path.name}: no worked solution (a code cell tagged hide-cell) after the exercises"
    # every solution checks its answer
    assert all("assert " in "".join(c["source"]) for c in solutions)


def test_readme_serve_example_runs_against_a_real_server():
    """The README's `neuromap serve` command, then its curl example, answered as the library answers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    serve = shlex.split(re.search(r"^neuromap serve .*$", readme, re.M).group(0))
    assert serve[:4] == ["neuromap", "serve", "--port", "8000"] and serve[4] == "--workers", serve
    curl = re.search(r"<!-- serve-curl -->\n```bash\n(.*?)```", readme, re.S).group(1)
    case = json.loads(re.search(r"-d '(.*?)'", curl, re.S).group(1))
    with Server(*serve[6:], workers=int(serve[5])) as server:  # on a free port instead of 8000
        out = subprocess.run(["bash", "-c", curl.replace("localhost:8000", f"localhost:{server.port}")],
                             capture_output=True, timeout=60, check=True)
    assert json.loads(out.stdout) == localize_json(case)
