"""The PyTorch half of ``make run``: a small model trained with two param groups on two lrkit
schedules (the seed's per-batch warmup + cosine, and a milestone halving), then the cost of
``step()`` against torch's equivalent scheduler at 1 and 1000 param groups."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, LRScheduler, SequentialLR

import lrkit
from lrkit.bench.timing import best_of
from lrkit.torch import Scheduler
from lrkit.torch._torch_internals import mark_optimizer_stepped

EPOCHS, BATCHES, WARMUP = 20, 16, 2


def make_optimizer(groups: int, *, tensor_lr: bool = False) -> torch.optim.SGD:
    """SGD over ``groups`` one-element param groups (the scheduler's cost is per group)."""
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(groups)]
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    mark_optimizer_stepped(optimizer)  # no step-order warning
    return optimizer


def seed_lrkit(
    optimizer: torch.optim.Optimizer, warm: int, total: int, *, tensor_lr: bool = False
) -> Scheduler:
    schedule = lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=total - warm), length=warm)
    return Scheduler(optimizer, schedule, tensor_lr=tensor_lr)


def seed_torch(optimizer: torch.optim.Optimizer, warm: int, total: int) -> LRScheduler:
    """The usual torch spelling of the same schedule (LinearLR cannot start from 0)."""
    return SequentialLR(
        optimizer,
        [
            LinearLR(optimizer, start_factor=1e-8, total_iters=warm),
            CosineAnnealingLR(optimizer, T_max=total - warm),
        ],
        milestones=[warm],
    )


def microseconds_per_step(scheduler: LRScheduler, steps: int) -> float:
    return best_of(scheduler.step, 5, number=steps) * 1e6


def train() -> None:
    torch.manual_seed(0)
    inputs = torch.randn(BATCHES * 64, 16)
    targets = inputs @ torch.randn(16, 1) + 0.1 * torch.randn(BATCHES * 64, 1)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimizer = torch.optim.SGD(
        [
            {"params": model[0].parameters(), "lr": 0.05},
            {"params": model[2].parameters(), "lr": 0.02},
        ],
        momentum=0.9,
    )
    backbone = lrkit.warmup(  # the seed: per batch, warmup then cosine, lengths in epochs
        lrkit.cosine(start=1.0, end=0.01, length=lrkit.epochs(EPOCHS - WARMUP)),
        length=lrkit.epochs(WARMUP),
    )
    head = lrkit.multistep(start=1.0, gamma=0.5, milestones=[lrkit.epochs(EPOCHS // 2)])
    scheduler = Scheduler(optimizer, [backbone, head], steps_per_epoch=BATCHES)
    print(f"Training a small MLP, {EPOCHS} epochs x {BATCHES} batches, two param groups:")
    print(f"  backbone: {backbone!r} x 0.05")
    print(f"  head:     {head!r} x 0.02")
    print(f"  {'epoch':>5} {'loss':>9} {'backbone lr':>12} {'head lr':>9}")
    for epoch in range(EPOCHS):
        lrs = scheduler.get_last_lr()
        total = 0.0
        for batch in range(BATCHES):
            rows = slice(batch * 64, (batch + 1) * 64)
            loss = torch.nn.functional.mse_loss(model(inputs[rows]), targets[rows])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            scheduler.step()
            total += loss.item()
        if epoch in (0, 1, 2, 5, 9, 10, 15, EPOCHS - 1):
            print(f"  {epoch:>5} {total / BATCHES:>9.4f} {lrs[0]:>12.6f} {lrs[1]:>9.5f}")
    print()


def compare_step_costs() -> None:
    print("Cost of one scheduler step() (best of 5), warmup+cosine over 1e6 steps:")
    print(
        f"  {'groups':>6} {'torch SequentialLR':>19} {'lrkit float':>12} {'lrkit tensor':>13}"
        f"  {'lrkit is faster by':>19}"
    )
    warm, total = 50_000, 1_000_000
    for groups, steps in ((1, 20_000), (1000, 200)):
        timings: list[float] = []
        makers: list[Callable[[torch.optim.Optimizer], LRScheduler]] = [
            lambda o: seed_torch(o, warm, total),
            lambda o: seed_lrkit(o, warm, total),
            lambda o: seed_lrkit(o, warm, total, tensor_lr=True),
        ]
        for make in makers:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                timings.append(microseconds_per_step(make(make_optimizer(groups)), steps))
        torch_us, float_us, tensor_us = timings
        print(
            f"  {groups:>6} {torch_us:>16.2f} us {float_us:>9.2f} us {tensor_us:>10.2f} us"
            f"  {torch_us / float_us:>7.1f}x (float) {torch_us / tensor_us:>6.1f}x (tensor)"
        )
    print()


def compare_drop_ins() -> None:
    """torch's OneCycleLR and CosineAnnealingLR+MultiStepLR (composed) next to lrkit's drop-ins
    of the same names: the same lrs, every step, for less work per group."""
    import torch.optim.lr_scheduler as torch_schedulers

    import lrkit.torch as lrkit_schedulers

    print("Drop-ins (`from lrkit.torch import OneCycleLR` instead of torch's), 2,000 steps:")
    cases: dict[str, Callable[..., list[LRScheduler]]] = {
        "OneCycleLR": lambda M, o: [M.OneCycleLR(o, max_lr=0.1, total_steps=2_000)],
        "CosineAnnealingLR x MultiStepLR": lambda M, o: [
            M.CosineAnnealingLR(o, T_max=300, eta_min=1e-4),
            M.MultiStepLR(o, milestones=[500, 1500], gamma=0.5),
        ],
    }
    for name, build in cases.items():
        traces = []
        for module in (lrkit_schedulers, torch_schedulers):
            optimizer = make_optimizer(3)
            schedulers = build(module, optimizer)
            trace: list[float] = []
            for _ in range(2_000):
                trace.extend(float(g["lr"]) for g in optimizer.param_groups)
                for scheduler in schedulers:
                    scheduler.step()
            traces.append(trace)
        ours, theirs = traces
        worst = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs, strict=True) if b)
        same = sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(ours)
        print(f"  {name:<32} {same:6.1%} bit-identical, max relative difference {worst:.1e}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        costs = [
            microseconds_per_step(
                module.OneCycleLR(make_optimizer(1000), 0.1, total_steps=10**7), 200
            )
            for module in (torch_schedulers, lrkit_schedulers)
        ]
    print(
        f"  OneCycleLR step() at 1000 groups: torch {costs[0]:.0f} us, lrkit {costs[1]:.0f} us"
        f" ({costs[0] / costs[1]:.1f}x faster)"
    )
    print()


def main() -> None:
    torch.set_num_threads(1)
    train()
    compare_step_costs()
    compare_drop_ins()


if __name__ == "__main__":
    main()
