"""``python -m lrkit.cli``: the ``lrkit`` command, as ``python -m lrkit``."""

from __future__ import annotations

import sys

from lrkit.cli import main

sys.exit(main())
