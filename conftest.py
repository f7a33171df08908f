"""pytest configuration for the doctests under neuromap/ (tests/conftest.py configures the suite).

The widget's modules need anywidget (the ``widgets`` extra, also in ``test``); without it their
doctests are not collected, and the widget's tests skip.
"""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("anywidget") is None:
    collect_ignore += ["neuromap/interactive/widget.py", "neuromap/widgets.py"]
