"""``python -m newsrisk``: the same CLI as the ``newsrisk`` command."""

import sys

from newsrisk.cli.main import main

sys.exit(main())
