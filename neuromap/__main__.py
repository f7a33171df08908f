"""Run the command line: ``python -m neuromap ...`` (see :mod:`neuromap.cli`)."""

import sys

from neuromap.cli import run

if __name__ == "__main__":
    sys.exit(run())
