"""PyTorch's own scheduler tests against lrkit's drop-ins.

Give it a copy of PyTorch's ``test/optim/test_lrscheduler.py`` (not part of lrkit: its code and
licence are PyTorch's). The script copies the file into a fresh temporary folder, writes a
``conftest.py`` beside it that replaces the 15 scheduler classes of ``torch.optim.lr_scheduler``
by ``lrkit.torch``'s drop-ins before the test module imports them (it also checks, once the tests
are collected, that every one of those names in the module is lrkit's), runs pytest there
(``-q -p no:cacheprovider``, warnings as the file leaves them) and prints the counts::

    .venv/bin/python scripts/run_torch_suite.py /path/to/test_lrscheduler.py
    .venv/bin/python scripts/run_torch_suite.py /path/to/test_lrscheduler.py --against torch

``--against torch`` runs the same file on torch's own classes (the baseline). The file needs
``expecttest`` (``pip install expecttest``; it has no torch dependency). The exit status is
pytest's: 0 when every test passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Written beside the test file; ``LRKIT_TORCH_SUITE_AGAINST`` picks the classes,
#: ``LRKIT_TORCH_SUITE_OUTCOMES`` names the JSON file of per-test outcomes it leaves.
CONFTEST = '''\
"""Written by lrkit's scripts/run_torch_suite.py."""

import json
import os

import pytest
import torch.optim.lr_scheduler as torch_schedulers

import lrkit.torch.compat as dropins

AGAINST = os.environ["LRKIT_TORCH_SUITE_AGAINST"]
if AGAINST == "lrkit":
    for _name in dropins.__all__:
        setattr(torch_schedulers, _name, getattr(dropins, _name))

_outcomes = {}
_RANK = ["passed", "skipped", "failed"]


def pytest_collection_finish(session):
    modules = {item.module for item in session.items if hasattr(item, "module")}
    for module in modules:
        for name in dropins.__all__:
            value = getattr(module, name, None)
            if value is None:
                continue
            ours = value is getattr(dropins, name)
            if ours != (AGAINST == "lrkit"):
                raise pytest.UsageError(
                    f"{module.__name__}.{name} is {value!r}: the classes were not replaced "
                    "before the module imported them"
                )


def pytest_runtest_logreport(report):
    # a test's outcome: the worst of its setup, call and teardown
    outcome = "failed" if report.failed else "skipped" if report.skipped else "passed"
    previous = _outcomes.get(report.nodeid, "passed")
    _outcomes[report.nodeid] = max(previous, outcome, key=_RANK.index)


def pytest_sessionfinish(session):
    with open(os.environ["LRKIT_TORCH_SUITE_OUTCOMES"], "w") as f:
        json.dump(_outcomes, f)
'''


def run(test_file: Path, against: str) -> tuple[int, dict[str, str]]:
    """pytest's exit status and each test's outcome (``passed``, ``failed``, ``skipped``)."""
    with tempfile.TemporaryDirectory(prefix="lrkit-torch-suite-") as folder:
        here = Path(folder)
        shutil.copyfile(test_file, here / test_file.name)
        (here / "conftest.py").write_text(CONFTEST)
        outcomes_file = here / "outcomes.json"
        env = {
            **os.environ,
            "LRKIT_TORCH_SUITE_AGAINST": against,
            "LRKIT_TORCH_SUITE_OUTCOMES": str(outcomes_file),
        }
        command = [sys.executable, "-m", "pytest", str(here), "-q", "-p", "no:cacheprovider"]
        status = subprocess.run(command, cwd=here, env=env, check=False).returncode
        outcomes = json.loads(outcomes_file.read_text()) if outcomes_file.exists() else {}
    return status, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("test_file", type=Path, help="a copy of torch's test_lrscheduler.py")
    parser.add_argument(
        "--against",
        choices=["lrkit", "torch"],
        default="lrkit",
        help="whose classes the tests run on (default: lrkit's drop-ins)",
    )
    args = parser.parse_args(argv)
    if not args.test_file.is_file():
        parser.error(f"test_file: no such file {str(args.test_file)!r}")
    try:
        import expecttest  # noqa: F401  (torch.testing._internal needs it)
    except ImportError:
        parser.error("the test file needs expecttest: pip install expecttest")
    status, outcomes = run(args.test_file, args.against)
    counts = {
        kind: sum(1 for o in outcomes.values() if o == kind)
        for kind in ("passed", "failed", "skipped")
    }
    print(
        f"{args.against}: {counts['passed']} of {len(outcomes)} passed, "
        f"{counts['failed']} failed, {counts['skipped']} skipped (pytest exit status {status})"
    )
    for nodeid, outcome in sorted(outcomes.items()):
        if outcome == "failed":
            print(f"  failed: {nodeid}")
    return status


if __name__ == "__main__":
    sys.exit(main())
