"""Sphinx configuration for the neuromap documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The notebooks in ``notebooks/`` are copied into ``docs/notebooks/`` (generated, git-ignored)
and rendered by myst-nb without being executed (``nb_execution_mode = "off"``): CI executes
them separately with ``pytest --nbmake notebooks/``. Set ``NEUROMAP_DOCS_EXECUTE=1`` to execute
them during the build and render their figures, and ``NEUROMAP_DOCS_INTERSPHINX=1`` to link
to the Python, NumPy, matplotlib, networkx and shapely docs (needs the network).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import neuromap  # noqa: E402

# -- project ---------------------------------------------------------------------------------
project = "neuromap"
author = "the neuromap developers"
copyright = "the neuromap developers, BSD-3-Clause"  # noqa: A001
release = neuromap.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ------------------------------------------------------------------------------
extensions = [
    "myst_nb",  # Markdown pages (MyST) and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_design",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "examples", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
html_static_path = ["_static"]

# -- MyST / myst-nb --------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "auto" if os.environ.get("NEUROMAP_DOCS_EXECUTE") else "off"
nb_execution_timeout = 120
nb_execution_raise_on_error = True

# -- autodoc / numpydoc ----------------------------------------------------------------------
autodoc_typehints = "none"  # numpydoc sections carry the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "inherited-members": False}
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
    "networkx": ("https://networkx.org/documentation/stable/", None),
    "shapely": ("https://shapely.readthedocs.io/en/stable/", None),
}
# Inventories need the network; a -W build must not fail offline, so they are opt-in.
if not os.environ.get("NEUROMAP_DOCS_INTERSPHINX"):
    intersphinx_mapping = {}

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"neuromap {release}"
html_css_files = ["neuromap.css"]
html_theme_options = {
    "github_url": "https://github.com/neuromap/neuromap",
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "announcement": "neuromap is decision support for education and research, <b>not a diagnosis</b>.",
}
html_context = {"default_mode": "light"}

# -- notebooks: copy notebooks/*.ipynb into docs/notebooks/ -----------------------------------
NB_SRC = ROOT / "notebooks"
NB_DST = HERE / "notebooks"


def _copy_notebooks() -> None:
    if NB_DST.exists():
        shutil.rmtree(NB_DST)
    NB_DST.mkdir()
    for nb in sorted(NB_SRC.glob("*.ipynb")):
        shutil.copy2(nb, NB_DST / nb.name)


_copy_notebooks()

# -- pages and figures owned elsewhere: used only when present ---------------------------------
# The index lists method, cli, schemas and performance in its toctree and shows the README
# figure; a page or figure that does not exist (yet) is dropped instead of failing a -W build.
OPTIONAL_PAGES = ("method", "cli", "schemas", "performance")
_IF_EXISTS = re.compile(r"<!-- if-exists: (?P<path>\S+) -->\n(?P<body>.*?)<!-- end-if-exists -->\n?", re.S)


def _drop_missing(app, docname, source):  # type: ignore[no-untyped-def]
    if docname != "index":
        return
    text = _IF_EXISTS.sub(lambda m: m["body"] if (HERE / m["path"]).exists() else "", source[0])
    lines = [ln for ln in text.splitlines()
             if not (ln.strip() in OPTIONAL_PAGES and not (HERE / f"{ln.strip()}.md").exists())]
    source[0] = "\n".join(lines) + "\n"


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("source-read", _drop_missing)
