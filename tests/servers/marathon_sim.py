#!/usr/bin/env python3
"""Entry point of the Marathon REST API simulator (the code is the package marathon_sim/
beside this file): python3 tests/servers/marathon_sim.py ARGS. See tests/servers/README.md."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from marathon_sim import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
