"""Run the command line: ``python -m neuromap ...`` (see :mod:`neuromap.cli`)."""

import sys

from neuromap.cli import main

if __name__ == "__main__":
    sys.exit(main())
