"""Two DistributedDataParallel processes (gloo, CPU) driven by lrkit.torch.Scheduler: both ranks
see identical LRs at every step, before and after a checkpoint saved by rank 0 and loaded by
both into fresh schedulers, equal to the closed form of an uninterrupted run."""

from __future__ import annotations

import os
from typing import Any

import pytest
import torch
import torch.distributed as dist

import lrkit
from contract import applied
from lrkit.torch import Scheduler

SCHEDULE = lrkit.warmup(lrkit.cosine(start=1.0, end=0.01, length=20), length=5)
APPLIED = applied(SCHEDULE)  # the engine's values: what the scheduler writes
BASE = [0.1, 0.02]
STEPS = 30
SAVE_AT = 13
WORLD = 2

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available",
)


def build(
    tensor_lr: bool,
) -> tuple[
    torch.nn.parallel.DistributedDataParallel, torch.nn.Sequential, torch.optim.SGD, Scheduler
]:
    """The same model on every rank (seeded), DDP-wrapped; SGD with two param groups."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    model = torch.nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.SGD(
        [
            {"params": net[0].parameters(), "lr": BASE[0]},
            {"params": net[2].parameters(), "lr": BASE[1]},
        ],
        momentum=0.9,
    )
    return model, net, optimizer, Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)


def train(
    model: torch.nn.Module,
    optimizer: torch.optim.SGD,
    scheduler: Scheduler,
    steps: range,
    rank: int,
) -> list[list[float]]:
    """The LRs of every group before each optimizer step; each rank trains on its own batches."""
    seen = []
    for step in steps:
        generator = torch.Generator().manual_seed(1000 * rank + step)
        x = torch.randn(8, 4, generator=generator)
        loss = (model(x) - x.sum(dim=1, keepdim=True)).pow(2).mean()
        seen.append([float(group["lr"]) for group in optimizer.param_groups])
        optimizer.zero_grad()
        loss.backward()  # DDP all-reduces the gradients: every rank applies the same update
        optimizer.step()
        scheduler.step()
    return seen


def worker(rank: int, store: str, out: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=WORLD)
    torch.set_num_threads(1)
    try:
        results = {}
        for tensor_lr in (False, True):
            model, net, optimizer, scheduler = build(tensor_lr)
            before = train(model, optimizer, scheduler, range(SAVE_AT), rank)
            checkpoint = os.path.join(out, f"checkpoint-{tensor_lr}.pt")
            if rank == 0:
                state = {
                    "model": net.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                }
                torch.save(state, checkpoint)
            dist.barrier()
            state = torch.load(checkpoint, weights_only=True)
            model, net, optimizer, scheduler = build(tensor_lr)  # fresh: at step 0 again
            net.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            after = train(model, optimizer, scheduler, range(SAVE_AT, STEPS), rank)
            params = [p.detach().clone() for p in model.parameters()]
            results[f"tensor_lr={tensor_lr}"] = {
                "lrs": before + after,
                "last_epoch": scheduler.last_epoch,
                "params": params,
            }
        torch.save(results, os.path.join(out, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """One 2-process run (both modes, each resumed at SAVE_AT); what every rank saw."""
    out = tmp_path_factory.mktemp("ddp")
    torch.multiprocessing.spawn(worker, args=(str(out / "store"), str(out)), nprocs=WORLD)
    return [torch.load(out / f"rank{r}.pt", weights_only=True) for r in range(WORLD)]


def check(ranks: list[dict[str, Any]], mode: str) -> None:
    expected = [[b * APPLIED(t) for b in BASE] for t in range(STEPS)]
    for rank in ranks:
        assert rank[mode]["lrs"][:SAVE_AT] == expected[:SAVE_AT]
        assert rank[mode]["lrs"] == expected  # bit for bit, across the checkpoint
        assert rank[mode]["last_epoch"] == STEPS
    assert ranks[0][mode]["lrs"] == ranks[1][mode]["lrs"]
    # The same LRs and all-reduced gradients: the replicas stayed identical.
    for p0, p1 in zip(ranks[0][mode]["params"], ranks[1][mode]["params"], strict=True):
        assert torch.equal(p0, p1)


def test_two_ddp_ranks_see_identical_lrs_before_and_after_a_resume(
    ranks: list[dict[str, Any]],
) -> None:
    check(ranks, "tensor_lr=False")


def test_two_ddp_ranks_tensor_lr_resume(ranks: list[dict[str, Any]]) -> None:
    check(ranks, "tensor_lr=True")
