"""The CLI at its limits: --steps read exactly, `show` bounded on huge runs, write failures
reported."""

from __future__ import annotations

import os

import pytest

from lrkit.cli import main
from lrkit.cli.commands import SHOW_SCAN_LIMIT


def test_steps_are_parsed_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):  # argparse's usage error: not rounded to 2**53 and accepted
        main(["--quiet", "table", "constant:value=1", "--steps", "9007199254740993"])
    assert "at most 2**53" in capsys.readouterr().err
    start = ["--quiet", "table", "linear:start=0,end=1,length=4", "--every", "2"]
    assert main([*start, "--steps", "1e1"]) == 0
    assert capsys.readouterr().out.split()[-1] == "8,1.0"
    with pytest.raises(SystemExit):
        main([*start, "--steps", "2.5"])
    assert "whole number" in capsys.readouterr().err


def test_show_of_a_huge_run_is_bounded_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    steps = str(2**53)
    assert main(["--quiet", "show", f"cosine:start=1,end=0,length={steps}", "--steps", steps]) == 0
    out = capsys.readouterr().out
    assert f"the summary covers steps 0..{SHOW_SCAN_LIMIT - 1} only" in out
    assert out.splitlines()[-1].split() == [str(2**53 - 1), "0"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_plot_reports_a_failed_write(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    code = main(["--quiet", "plot", "constant:value=1", "--steps", "10", "-o", "/dev/full"])
    assert code != 0
    assert "cannot write '/dev/full'" in capsys.readouterr().err
    assert not os.path.exists("/dev/full.png")
