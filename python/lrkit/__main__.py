"""``python -m lrkit``: the ``lrkit`` command (see :mod:`lrkit.cli`)."""

from __future__ import annotations

import sys

from lrkit.cli import main

sys.exit(main())
