"""lrkit.torch.Scheduler: values, keys, groups, resume, errors."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import LRScheduler

import lrkit
from contract import applied
from lrkit.torch import Scheduler


def make_sgd(lrs: list[float], momentum: float = 0.9) -> torch.optim.SGD:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(groups, lr=lrs[0], momentum=momentum, weight_decay=1e-4)
    optimizer._opt_called = True  # type: ignore[attr-defined]
    return optimizer


def run(scheduler: Scheduler, steps: int, key: str = "lr") -> np.ndarray:
    """Group values before each of ``steps`` optimizer steps (the first from the constructor)."""
    seen = []
    for _ in range(steps):
        seen.append([float(_read(g, key)) for g in scheduler.optimizer.param_groups])
        scheduler.step()
    return np.array(seen)


def _read(group: dict, key: str) -> float:  # type: ignore[type-arg]
    if key.startswith("betas"):
        return float(group["betas"][int(key[6])])
    return float(group[key])


SEED = lrkit.warmup(lrkit.cosine(start=1.0, end=0.01, length=90), length=10)
SEED_APPLIED = applied(SEED)  # the engine's values: what the scheduler writes


def test_is_a_torch_lr_scheduler_and_applies_step_zero_on_construction() -> None:
    optimizer = make_sgd([0.1, 0.5])
    scheduler = Scheduler(optimizer, SEED)
    assert isinstance(scheduler, LRScheduler)
    assert scheduler.last_epoch == 0
    assert [g["lr"] for g in optimizer.param_groups] == [0.0, 0.0]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.1, 0.5]


def test_relative_values_multiply_each_groups_initial_lr() -> None:
    scheduler = Scheduler(make_sgd([0.1, 0.5]), SEED)
    seen = run(scheduler, 130)
    expected = np.outer([SEED_APPLIED(t) for t in range(130)], [0.1, 0.5])
    assert np.array_equal(seen, expected)
    assert scheduler.get_last_lr() == (np.array([0.1, 0.5]) * SEED_APPLIED(130)).tolist()


def test_absolute_values_and_one_schedule_per_group() -> None:
    s0 = lrkit.multistep(start=0.1, gamma=0.5, milestones=[3, 6])
    s1 = lrkit.linear(start=0.0, end=1.0, length=4)
    scheduler = Scheduler(make_sgd([7.0, 7.0]), [s0, s1], relative=False)
    seen = run(scheduler, 8)
    assert seen[:, 0].tolist() == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    assert seen[:, 1].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0]
    assert np.array_equal(scheduler.table(8), seen)
    assert scheduler.lr_at(5) == [0.05, 1.0]


def test_other_keys_momentum_betas_weight_decay() -> None:
    optimizer = make_sgd([0.1])
    lr = Scheduler(optimizer, SEED)
    momentum = Scheduler(
        optimizer, lrkit.linear(start=0.95, end=0.85, length=10), key="momentum", relative=False
    )
    decay = Scheduler(optimizer, lrkit.constant(0.5), key="weight_decay")
    for t in range(1, 12):
        lr.step()
        momentum.step()
        decay.step()
        group = optimizer.param_groups[0]
        assert group["lr"] == 0.1 * SEED_APPLIED(t)
        assert group["momentum"] == lrkit.linear(start=0.95, end=0.85, length=10)(t)
        assert group["weight_decay"] == 1e-4 * 0.5
    adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-3, betas=(0.9, 0.999))
    beta1 = Scheduler(
        adam, lrkit.cosine(start=0.95, end=0.85, length=4), key="betas[0]", relative=False
    )
    seen = run(beta1, 6, key="betas[0]")[:, 0]
    assert seen.tolist() == [lrkit.cosine(start=0.95, end=0.85, length=4)(t) for t in range(6)]
    assert adam.param_groups[0]["betas"][1] == 0.999
    assert isinstance(adam.param_groups[0]["betas"], tuple)


def test_step_never_evaluates_python_per_step() -> None:
    calls: list[int] = []

    class Counting(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def values(self, steps: np.ndarray) -> np.ndarray:
            calls.append(len(steps))
            return 1.0 / (1.0 + steps.astype(np.float64))

    scheduler = Scheduler(make_sgd([1.0]), Counting())
    seen = run(scheduler, 10_000)
    assert np.array_equal(seen[:, 0], 1.0 / (1.0 + np.arange(10_000)))
    assert len(calls) == -(-10_001 // calls[0]) and calls[0] >= 1000  # one call per chunk


def test_lengths_in_epochs_and_fractions_resolve_at_construction() -> None:
    schedule = lrkit.warmup(
        lrkit.cosine(start=1.0, end=0.0, length=lrkit.fraction(0.5)), length=lrkit.epochs(2)
    )
    scheduler = Scheduler(make_sgd([1.0]), schedule, steps_per_epoch=10, total_steps=100)
    seen = run(scheduler, 80)[:, 0]
    resolved = schedule.resolve(steps_per_epoch=10, total_steps=100)
    assert seen.tolist() == resolved.table(80).tolist()
    with pytest.raises(lrkit.UnresolvedDurationError, match="steps_per_epoch"):
        Scheduler(make_sgd([1.0]), schedule, total_steps=100)


def test_bad_arguments_fail_at_construction() -> None:
    with pytest.raises(ValueError, match=r"key must name a param-group entry.*'lr!'"):
        Scheduler(make_sgd([1.0]), SEED, key="lr!")
    with pytest.raises(KeyError, match="no 'betas' entry"):
        Scheduler(make_sgd([1.0]), SEED, key="betas[0]")
    with pytest.raises(ValueError, match="list of 1 schedules, the optimizer has 2"):
        Scheduler(make_sgd([1.0, 1.0]), [SEED])
    with pytest.raises(TypeError, match=r"schedule must be a lrkit\.Schedule"):
        Scheduler(make_sgd([1.0]), 0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"optimizer must be a torch\.optim\.Optimizer"):
        Scheduler(object(), SEED)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"last_step must be an int >= -1"):
        Scheduler(make_sgd([1.0]), SEED, last_step=-2)
    with pytest.raises(KeyError, match="initial_lr"):
        Scheduler(make_sgd([1.0]), SEED, last_step=5)


def test_step_with_an_index_is_absolute_and_idempotent() -> None:
    scheduler = Scheduler(make_sgd([2.0]), SEED)
    scheduler.step(50)
    scheduler.step(50)
    assert scheduler.last_epoch == 50
    assert scheduler.optimizer.param_groups[0]["lr"] == 2.0 * SEED_APPLIED(50)
    scheduler.set_step(7)
    assert scheduler.get_last_lr() == [2.0 * SEED_APPLIED(7)]


# -- the step's writes --------------------------------------------------------------------------


@pytest.mark.parametrize("tensor_lr", [False, True])
@pytest.mark.parametrize("per_group", [False, True])
def test_every_step_writes_the_table_row_across_chunks(tensor_lr: bool, per_group: bool) -> None:
    lrs = [0.1, 0.3, 0.7]
    schedule = lrkit.per_group([SEED, SEED, lrkit.constant(0.5)]) if per_group else SEED
    scheduler = Scheduler(make_sgd(lrs), schedule, tensor_lr=tensor_lr)
    steps = 2 * scheduler._table.rows + 3  # over two chunk boundaries
    seen = run(scheduler, steps)
    assert seen.tobytes() == scheduler.table(steps).tobytes()
    assert scheduler.get_last_lr() == scheduler.table(1, start=steps)[0].tolist()
    assert scheduler.get_last_lr() is scheduler.get_last_lr()
    assert [type(v) for v in scheduler.get_last_lr()] == [float] * 3


def test_a_negative_value_raises_at_its_step_and_leaves_the_scheduler_there() -> None:
    falling = lrkit.linear(start=0.5, end=-0.5, length=4)  # 0.5, 0.25, 0.0, -0.25, ...
    for key in ["lr", "betas[0]"]:
        optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = Scheduler(optimizer, falling, key=key, relative=False)
        scheduler.step()
        scheduler.step()
        with pytest.raises(ValueError, match=r"param group 0: .* would be -0\.25; .* >= 0"):
            scheduler.step()
        assert scheduler.last_epoch == 2 and scheduler._step_count == 3
        assert float(_read(optimizer.param_groups[0], key)) == 0.0
        assert scheduler.get_last_lr() == [0.0]
    tensor = Scheduler(make_sgd([0.1]), falling, relative=False, tensor_lr=True)
    tensor.step(2)
    with pytest.raises(ValueError, match=r"param group 0 would get -0\.25"):
        tensor.step()
    assert tensor.last_epoch == 2 and float(tensor.optimizer.param_groups[0]["lr"]) == 0.0


def test_param_groups_added_later_or_replaced_by_a_load() -> None:
    optimizer = make_sgd([0.1, 0.2])
    scheduler = Scheduler(optimizer, SEED)
    saved = optimizer.state_dict()
    optimizer.load_state_dict(saved)  # new group dicts in a new list: the step writes those
    scheduler.step()
    assert [g["lr"] for g in optimizer.param_groups] == [
        0.1 * SEED_APPLIED(1),
        0.2 * SEED_APPLIED(1),
    ]
    optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
    with pytest.raises(ValueError, match="has 3 param groups and the table has 2 columns"):
        scheduler.step()
    assert scheduler.last_epoch == 1


# -- checkpoints --------------------------------------------------------------------------------


def roundtrip(state: dict) -> dict:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)  # type: ignore[no-any-return]


MILESTONES = lrkit.per_group(
    [
        lrkit.multistep(start=1.0, gamma=0.5, milestones=[100, 4096, 4100]),
        lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=9000), length=500),
    ]
)


@settings(max_examples=40)
@given(stop=st.sampled_from([1, 99, 100, 101, 4095, 4096, 4097, 4099, 4100]) | st.integers(0, 9000))
def test_resume_from_state_dict_is_bitwise_identical(stop: int) -> None:
    reference = Scheduler(make_sgd([0.3, 0.7]), MILESTONES)
    expected = run(reference, stop + 60)

    optimizer = make_sgd([0.3, 0.7])
    interrupted = Scheduler(optimizer, MILESTONES)
    run(interrupted, stop)
    state = roundtrip(interrupted.state_dict())
    json.dumps(state)  # plain data
    optimizer_state = roundtrip(optimizer.state_dict())

    fresh_optimizer = make_sgd([0.3, 0.7])
    fresh_optimizer.load_state_dict(optimizer_state)
    resumed = Scheduler(fresh_optimizer, MILESTONES)
    resumed.load_state_dict(state)
    assert resumed.last_epoch == stop
    assert np.array_equal(run(resumed, 60), expected[stop:])


def test_resume_through_the_constructor_continues_without_double_decay() -> None:
    schedule = lrkit.multistep(start=1.0, gamma=0.1, milestones=[3])
    optimizer = make_sgd([1.0])
    run(Scheduler(optimizer, schedule), 3)  # applied steps 0, 1, 2; optimizer holds initial_lr
    resumed = Scheduler(optimizer, schedule, last_step=2)
    assert resumed.last_epoch == 3
    assert run(resumed, 3)[:, 0].tolist() == [0.1, 0.1, 0.1]


def test_a_checkpoint_of_another_schedule_is_refused_unless_a_policy_picks_one() -> None:
    saved = Scheduler(make_sgd([1.0]), lrkit.constant(0.5))
    run(saved, 3)
    state = saved.state_dict()
    other = Scheduler(make_sgd([1.0]), lrkit.constant(0.25))
    with pytest.raises(ValueError, match=r"constant\(value=0.5\).*constant\(value=0.25\)"):
        other.load_state_dict(state)
    assert other.last_epoch == 0 and other.get_last_lr() == [0.25]
    other.load_state_dict(state, resume_schedule="checkpoint")
    assert other.last_epoch == 3 and other.get_last_lr() == [0.5]
    given = Scheduler(make_sgd([1.0]), lrkit.constant(0.25))
    given.load_state_dict(state, resume_schedule="given")
    assert given.last_epoch == 3 and given.get_last_lr() == [0.25]
    by_constructor = Scheduler(make_sgd([1.0]), lrkit.constant(0.25), resume_schedule="given")
    by_constructor.load_state_dict(state)
    assert by_constructor.get_last_lr() == [0.25]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Scheduler(make_sgd([1.0]), lrkit.constant(0.5)).load_state_dict(state)
    with pytest.raises(ValueError, match="resume_schedule must be one of"):
        Scheduler(make_sgd([1.0]), lrkit.constant(0.5), resume_schedule="yes")  # type: ignore[arg-type]


def test_unregistered_python_schedules_checkpoint_their_step() -> None:
    class Local(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def value(self, step: int) -> float:
            return 1.0 / (step + 1)

    first = Scheduler(make_sgd([1.0]), Local())
    run(first, 5)
    state = roundtrip(first.state_dict())
    assert state["schedule"] is None and state["step"] == 5
    second = Scheduler(make_sgd([1.0]), Local())
    second.load_state_dict(state)
    assert run(second, 2)[:, 0].tolist() == [1 / 6, 1 / 7]


def test_an_unregistered_python_schedule_loads_only_into_the_same_schedule() -> None:
    class Halving(lrkit.Schedule):
        def __init__(self, start: float) -> None:
            self.start = start

        def value(self, step: int) -> float:
            return self.start / 2 ** (step // 10)

    first = Scheduler(make_sgd([1.0]), Halving(0.1))
    run(first, 12)
    state = roundtrip(first.state_dict())
    assert state["schedule"] is None and state["schedule_repr"] == "Halving(start=0.1)"
    other = Scheduler(make_sgd([1.0]), Halving(0.2))
    with pytest.raises(ValueError, match=r"Halving\(start=0.1\).*Halving\(start=0.2\)"):
        other.load_state_dict(state)
    assert other.last_epoch == 0
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        other.load_state_dict(state, resume_schedule="checkpoint")
    other.load_state_dict(state, resume_schedule="given")
    assert other.get_last_lr() == [0.1]  # 0.2 / 2: the given schedule at the saved step
    constant = Scheduler(make_sgd([1.0]), lrkit.constant(0.1))
    with pytest.raises(ValueError, match="no registered name"):
        constant.load_state_dict(state)
    same = Scheduler(make_sgd([1.0]), Halving(0.1))
    same.load_state_dict(state)
    assert same.get_last_lr() == [0.05]


def test_load_state_dict_rejects_mismatches() -> None:
    state = Scheduler(make_sgd([1.0]), SEED).state_dict()
    with pytest.raises(ValueError, match="state has 1 param groups, the optimizer has 2"):
        Scheduler(make_sgd([1.0, 1.0]), SEED).load_state_dict(state)
    with pytest.raises(ValueError, match="for key 'lr', this scheduler drives 'momentum'"):
        Scheduler(make_sgd([1.0]), SEED, key="momentum").load_state_dict(state)
    with pytest.raises(ValueError, match="version"):
        Scheduler(make_sgd([1.0]), SEED).load_state_dict({**state, "version": 99})


def test_a_config_stands_for_the_schedule_it_names() -> None:
    config = {
        "name": "warmup",
        "schedule": {"name": "cosine", "start": 1.0, "end": 0.0, "length": 20},
        "length": 5,
    }
    by_config = Scheduler(make_sgd([0.1, 0.2]), config)
    by_object = Scheduler(make_sgd([0.1, 0.2]), lrkit.create(config))
    assert np.array_equal(run(by_config, 30), run(by_object, 30))
    per_group = Scheduler(make_sgd([0.1, 0.2]), [config, {"name": "constant", "value": 0.5}])
    assert per_group.lr_at(0) == [0.0, 0.1]
    with pytest.raises(lrkit.UnknownScheduleError):
        Scheduler(make_sgd([0.1]), {"name": "cosin", "start": 1.0, "end": 0.0, "length": 3})


def test_lrkit_plugins_needs_no_import_of_its_own() -> None:
    import importlib

    assert lrkit.plugins is importlib.import_module("lrkit.plugins")
