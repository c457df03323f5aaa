"""Fuzzing: random schedule trees, table arguments, configs (malformed ones included) and
scheduler sessions with save/load. Each property checks what must hold for *any* input: no
crash, clean errors (ValueError/TypeError naming what is wrong), finite tables within the
accuracy contract of the reference, chunk invariance, bitwise resume.

`make fuzz` runs it with the `fuzz` Hypothesis profile (100,000+ examples in all); the default
profiles run a few hundred examples per property.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrkit
from contract import assert_within_contract
from lrkit.units import MAX_STEPS
from strategies import schedule_trees

#: Errors a bad argument may raise: the standard kinds, whose messages name the argument.
CLEAN = (ValueError, TypeError, LookupError)

starts = (
    st.integers(0, 5_000)
    | st.integers(0, MAX_STEPS - 64)
    | st.sampled_from([4096 - 3, 2**32 - 5, MAX_STEPS - 64])
)

NAMES = sorted(lrkit.schedules())
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.lists(st.integers(-5, 500), max_size=4),
    st.dictionaries(st.sampled_from(["epochs", "fraction", "steps"]), st.floats(-2, 50)),
)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """Real configs with some values replaced by junk, some keys dropped or invented."""
    try:
        config: dict[str, Any] = draw(schedule_trees).to_config()
    except LookupError:  # a Python-only schedule in the tree: it has no config
        config = {"name": "constant", "value": 1.0}
    if draw(st.booleans()):
        keys = [k for k in config if k != "name"]
        if keys:
            config[draw(st.sampled_from(keys))] = draw(junk)
    if draw(st.booleans()):
        config[draw(st.sampled_from(["name", "length", "start", "bogus"]))] = draw(
            junk | st.sampled_from(NAMES)
        )
    return config


fuzz = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@fuzz
@given(schedule=schedule_trees, start=starts, n=st.integers(0, 64))
def test_any_tree_any_range(schedule: lrkit.Schedule, start: int, n: int) -> None:
    try:
        reference = np.array([schedule(t) for t in range(start, start + n)])
    except lrkit.NonFiniteValueError:
        reference = None
    if reference is None:
        try:
            schedule.table(n, start=start)
        except lrkit.NonFiniteValueError:
            return
        raise AssertionError("the reference raised a non-finite value, the table did not")
    table = schedule.table(n, start=start)
    assert np.isfinite(table).all()
    assert_within_contract(schedule, table, reference)
    if n > 1:  # chunk invariance: the same rows from a table that starts one step earlier
        split = schedule.table(n - 1, start=start + 1)
        assert np.array_equal(split, table[1:])


@fuzz
@given(config=configs())
def test_any_config_is_a_schedule_or_a_clean_error(config: dict[str, Any]) -> None:
    try:
        schedule = lrkit.create(config)
    except CLEAN as error:
        assert str(error), repr(error)  # says something
        return
    assert lrkit.create(schedule.to_config()) == schedule


@fuzz
@given(
    schedule=schedule_trees,
    start=st.one_of(st.integers(-5, 10), st.just(MAX_STEPS), st.just(2**63)),
    n=st.one_of(st.integers(-3, 8), st.just(2**62)),
    base=st.none() | st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
)
def test_any_table_arguments_are_a_table_or_a_clean_error(
    schedule: lrkit.Schedule, start: int, n: int, base: list[float] | None
) -> None:
    try:
        table = schedule.table(n, start=start, base=base)
    except (*CLEAN, MemoryError) as error:
        assert str(error), repr(error)
        return
    assert np.isfinite(table).all()


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    max_examples=max(10, settings().max_examples // 10),  # each builds torch optimizers
)
@given(
    schedule=schedule_trees,
    steps=st.integers(1, 300),
    save_at=st.integers(0, 300),
    groups=st.integers(1, 3),
)
def test_any_session_resumes_bit_for_bit(
    schedule: lrkit.Schedule, steps: int, save_at: int, groups: int
) -> None:
    pytest.importorskip("torch.optim")  # (make sanitize runs the engine without torch)
    import torch

    from lrkit.torch import Scheduler

    assume(save_at <= steps)
    try:
        schedule.table(steps + 2, base=[0.1] * groups)
        if (schedule.table(steps + 2) < 0).any():
            return  # refused at its step: not a resumable session
    except CLEAN:
        return

    def optimizer() -> Any:
        params = [
            {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 * (g + 1)}
            for g in range(groups)
        ]
        return torch.optim.SGD(params)

    def lrs(s: Scheduler, count: int) -> list[list[float]]:
        seen = []
        for _ in range(count):
            s.step()
            seen.append([float(g["lr"]) for g in s.optimizer.param_groups])
        return seen

    try:
        whole = Scheduler(optimizer(), schedule)
        expected = lrs(whole, steps)
        first = Scheduler(optimizer(), schedule)
        lrs(first, save_at)
        state = first.state_dict()
    except (ValueError, LookupError):  # an unregistered Python schedule, a negative lr
        return
    resumed = Scheduler(optimizer(), schedule)
    resumed.load_state_dict(state)
    assert lrs(resumed, steps - save_at) == expected[save_at:]
    assert all(math.isfinite(v) for row in expected for v in row)


#: A saved state's required entries, written out (the spec): the test below checks that a real
#: state has exactly these, so an entry added to the state is fuzzed too.
STATE_ENTRIES = [
    "version",
    "schedule",
    "key",
    "relative",
    "steps_per_epoch",
    "total_steps",
    "base_values",
    "step",
    "step_count",
]


def test_the_fuzzed_entries_are_those_of_a_saved_state() -> None:
    pytest.importorskip("torch.optim")
    import torch

    from lrkit.torch import Scheduler

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    state = Scheduler(opt, lrkit.linear(start=1.0, end=0.0, length=10)).state_dict()
    assert sorted(state) == sorted(STATE_ENTRIES)  # a registered schedule: no optional entries


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    max_examples=max(10, settings().max_examples // 10),  # each builds torch optimizers
)
@given(
    entry=st.sampled_from(STATE_ENTRIES),
    value=junk | st.lists(st.floats(allow_nan=True), min_size=1, max_size=2),
    drop=st.booleans(),
    policy=st.sampled_from(["refuse", "checkpoint", "given"]),
)
def test_any_corrupted_state_loads_or_changes_nothing(
    entry: str, value: Any, drop: bool, policy: str
) -> None:
    """A state with one entry replaced by junk (or missing) is loaded, or refused with a clean
    error and the scheduler exactly as before (atomic load_state_dict)."""
    pytest.importorskip("torch.optim")
    import torch

    from lrkit.torch import Scheduler

    def optimizer() -> Any:
        return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)

    schedule = lrkit.warmup(lrkit.cosine(1.0, 0.0, 50), 5)
    saved = Scheduler(optimizer(), schedule)
    for _ in range(7):
        saved.step()
    state = saved.state_dict()
    if drop:
        del state[entry]
    else:
        state[entry] = value
    target = Scheduler(optimizer(), schedule, resume_schedule=policy)  # type: ignore[arg-type]
    target.step()
    before = (repr(target.state_dict()), target.optimizer.param_groups[0]["lr"])
    try:
        target.load_state_dict(state)
    except CLEAN:
        assert (repr(target.state_dict()), target.optimizer.param_groups[0]["lr"]) == before
        return
    lr = target.optimizer.param_groups[0]["lr"]
    assert math.isfinite(lr) and lr >= 0
    target.step()  # a loaded state steps on
