"""``python -m stlib.cli``: the ``stlib`` command."""

import sys

from stlib.cli import main

sys.exit(main())
