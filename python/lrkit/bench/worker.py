"""``python -m lrkit.bench.worker``: measures the rows named in a JSON request on stdin in this
process and prints their results as JSON. :mod:`lrkit.bench.runner` starts it with
``LRKIT_NUM_THREADS=1`` for the single-thread rows."""

from __future__ import annotations

import json
import os
import sys

from lrkit.bench.rows import catalogue
from lrkit.bench.runner import THREADS_ENV, measure, settings_from

__all__ = [
    "main",
]


def main() -> int:
    request = json.load(sys.stdin)
    settings = settings_from(request)
    cases = {c.id: c for c in catalogue(settings.sizes)}
    process = f"subprocess, {THREADS_ENV}={os.environ.get(THREADS_ENV, 'unset')}"
    results = [measure(cases[i], settings, process=process).to_dict() for i in request["ids"]]
    sys.stdout.write("\n" + json.dumps(results) + "\n")  # one line, after anything else
    return 0


if __name__ == "__main__":
    sys.exit(main())
