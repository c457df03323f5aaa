"""Tensor-LR mode: one shared float64 buffer, one copy_ per step, no recompiles."""

from __future__ import annotations

import pytest
import torch

import lrkit
from contract import applied
from lrkit.torch import Scheduler

SCHEDULE = lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=200), length=20)
APPLIED = applied(SCHEDULE)  # the engine's values: what the scheduler writes


def model_and_groups(n_groups: int = 3) -> tuple[list[torch.nn.Parameter], list[dict]]:  # type: ignore[type-arg]
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(4)) for _ in range(n_groups)]
    groups = [{"params": [p], "lr": 0.1 * (g + 1)} for g, p in enumerate(params)]
    return params, groups


def train(optimizer_cls: type, tensor_lr: bool, steps: int = 40) -> tuple[list, list]:  # type: ignore[type-arg]
    params, groups = model_and_groups()
    optimizer = optimizer_cls(groups)
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)
    lrs = []
    for _ in range(steps):
        loss = sum((p**2).sum() for p in params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        lrs.append([float(g["lr"]) for g in optimizer.param_groups])
    return [p.detach().clone() for p in params], lrs


def test_groups_hold_views_of_one_float64_buffer() -> None:
    _, groups = model_and_groups()
    optimizer = torch.optim.SGD(groups)
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=True)
    lrs = [g["lr"] for g in optimizer.param_groups]
    assert all(isinstance(lr, torch.Tensor) and lr.dim() == 0 for lr in lrs)
    assert all(lr.dtype == torch.float64 for lr in lrs)
    assert len({lr.untyped_storage().data_ptr() for lr in lrs}) == 1
    for t in range(1, 30):
        scheduler.step()
        assert [float(lr) for lr in lrs] == [0.1 * (g + 1) * APPLIED(t) for g in range(3)]
        assert all(g["lr"] is lr for g, lr in zip(optimizer.param_groups, lrs, strict=True))
    assert scheduler.get_last_lr() == [0.1 * (g + 1) * APPLIED(29) for g in range(3)]


@pytest.mark.parametrize(
    "optimizer_cls",
    [
        lambda groups: torch.optim.SGD(groups, momentum=0.9),
        lambda groups: torch.optim.SGD(groups, momentum=0.9, foreach=False),
        lambda groups: torch.optim.Adam(groups),
        lambda groups: torch.optim.AdamW(groups, foreach=False),
    ],
)
def test_optimizers_step_with_tensor_lrs_like_with_floats(optimizer_cls: type) -> None:
    float_params, float_lrs = train(optimizer_cls, tensor_lr=False)
    tensor_params, tensor_lrs = train(optimizer_cls, tensor_lr=True)
    assert tensor_lrs == float_lrs
    for a, b in zip(float_params, tensor_params, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    assert not torch.equal(float_params[0], model_and_groups()[0][0])  # training moved them


def test_multi_tensor_adam_without_capturable_is_refused_at_construction() -> None:
    _, groups = model_and_groups()
    with pytest.raises(ValueError, match=r"foreach=False, or with capturable=True"):
        Scheduler(torch.optim.AdamW(groups, foreach=True), SCHEDULE, tensor_lr=True)


def test_tensor_mode_resumes_from_a_float_mode_checkpoint() -> None:
    _, groups = model_and_groups()
    saved = Scheduler(torch.optim.SGD(groups), SCHEDULE)
    for _ in range(25):
        saved.step()
    _, groups2 = model_and_groups()
    resumed = Scheduler(torch.optim.SGD(groups2), SCHEDULE, tensor_lr=True)
    resumed.load_state_dict(saved.state_dict())
    resumed.step()
    saved.step()
    assert resumed.get_last_lr() == saved.get_last_lr()
    assert [float(g["lr"]) for g in resumed.optimizer.param_groups] == saved.get_last_lr()


def test_compiled_optimizer_step_does_not_recompile_as_the_lr_changes() -> None:
    torch._dynamo.reset()
    compiles = []

    def counting_backend(gm: torch.fx.GraphModule, example_inputs: list) -> object:  # type: ignore[type-arg]
        compiles.append(gm)
        return gm.forward

    params, groups = model_and_groups(2)
    optimizer = torch.optim.Adam(groups)  # with float lrs it compiles a second graph at step 2
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=True)

    @torch.compile(backend=counting_backend)
    def optimizer_step() -> None:
        optimizer.step()

    expected = [p.detach().clone().double() for p in params]
    for t in range(50):
        for p in params:
            p.grad = torch.ones_like(p)
        optimizer_step()
        for g, p in enumerate(expected):  # Adam with a constant gradient moves lr per step
            p.sub_(0.1 * (g + 1) * APPLIED(t))
        scheduler.step()
    for p, e in zip(params, expected, strict=True):  # the compiled step used each step's lr
        torch.testing.assert_close(p.detach(), e.to(p.dtype), rtol=1e-5, atol=1e-5)
    after_first_steps = len(compiles)
    assert after_first_steps == 1, len(compiles)  # float lrs compile a second graph here
    for _ in range(10):
        for p in params:
            p.grad = torch.ones_like(p)
        optimizer_step()
        scheduler.step()
    assert len(compiles) == after_first_steps
    assert [float(g["lr"]) for g in optimizer.param_groups] == [
        0.1 * APPLIED(60),
        0.2 * APPLIED(60),
    ]


def test_a_buffer_off_the_cpu_is_filled_through_a_cpu_copy() -> None:
    """The path an accelerator takes (no GPU here: a second CPU tensor stands for the device
    buffer, which numpy cannot write): the row is written into the CPU staging tensor, then
    one copy_ moves it to the groups' buffer."""
    _, groups = model_and_groups()
    scheduler = Scheduler(torch.optim.SGD(groups), SCHEDULE, tensor_lr=True)
    device_buffer = torch.zeros(3, dtype=torch.float64)
    scheduler._buffer, scheduler._cpu_buffer = device_buffer, False
    scheduler._bind_views()
    for t in range(1, 30):
        scheduler.step()
        lrs = scheduler.optimizer.param_groups
        assert all(g["lr"].data_ptr() == device_buffer[i].data_ptr() for i, g in enumerate(lrs))
        assert [float(g["lr"]) for g in lrs] == [0.1 * (g + 1) * APPLIED(t) for g in range(3)]
    assert scheduler.get_last_lr() == [0.1 * (g + 1) * APPLIED(29) for g in range(3)]


def test_copies_and_pickles_continue_identically() -> None:
    """A copy has its own buffer, views and packed bases (a capsule, packed again), and steps
    like the original."""
    import copy
    import pickle

    _, groups = model_and_groups()
    optimizer = torch.optim.SGD(groups)
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=True)
    for _ in range(5):
        scheduler.step()
    for twin in (copy.deepcopy(scheduler), pickle.loads(pickle.dumps(scheduler))):
        twin.step()
        twin_lrs = [float(g["lr"]) for g in twin.optimizer.param_groups]
        assert twin_lrs == [0.1 * (g + 1) * APPLIED(6) for g in range(3)]
        twin.optimizer.load_state_dict(twin.optimizer.state_dict())  # its views bound again
        twin.step()
        assert [float(g["lr"]) for g in twin.optimizer.param_groups] == [
            0.1 * (g + 1) * APPLIED(7) for g in range(3)
        ]
    # the original, untouched by its copies, goes on
    assert [float(g["lr"]) for g in optimizer.param_groups] == [
        0.1 * (g + 1) * APPLIED(5) for g in range(3)
    ]
    scheduler.step()
    assert [float(g["lr"]) for g in optimizer.param_groups] == [
        0.1 * (g + 1) * APPLIED(6) for g in range(3)
    ]
