"""lrkit.torch.Scheduler inside the real host frameworks: Lightning, HF Trainer, accelerate.

Each host is imported lazily, so a missing package skips its tests only (the ``integration``
extra installs all three); where ``CI=true`` (``.ci/run`` sets it) a missing host fails them
instead, so a broken CI environment cannot turn these tests into silent skips. The LRs a
host's optimizer holds at each step are compared with the schedule's closed form bit for bit,
and a run resumed from the host's own checkpoint must continue exactly like an uninterrupted
one.
"""

from __future__ import annotations

import inspect
import io
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

import lrkit
from contract import applied
from lrkit.torch import Scheduler
from requires import in_ci
from requires import package as host

# Warmup, cosine, then the constant end: a 30-step run sees all three pieces.
SCHEDULE = lrkit.warmup(lrkit.cosine(start=1.0, end=0.01, length=20), length=5)
APPLIED = applied(SCHEDULE)  # the engine's values: what the scheduler writes
BASE = [0.1, 0.02]  # two param groups: the layer's weight and its bias
STEPS = 30
SAVE_AT = 12  # mid-epoch: 16 batches of 4 per epoch
SAMPLES = 64
BATCH = 4


def closed_form(steps: range, base: list[float] = BASE) -> list[list[float]]:
    """The LRs of every group at each step: initial_lr * schedule(t)."""
    return [[b * APPLIED(t) for b in base] for t in steps]


def two_group_sgd(layer: torch.nn.Linear) -> torch.optim.SGD:
    return torch.optim.SGD(
        [{"params": [layer.weight], "lr": BASE[0]}, {"params": [layer.bias], "lr": BASE[1]}],
        momentum=0.9,
    )


def synthetic_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(SAMPLES, 4, generator=generator)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1
    return x, y


def group_lrs(optimizer: Any) -> list[float]:
    return [float(group["lr"]) for group in optimizer.param_groups]


# Both LR modes through each host. In tensor mode every group's lr is a view into the
# Scheduler's buffer, and hosts replace those tensors (a resume restores the optimizer before the
# scheduler; accelerate's prepare() round-trips the optimizer's state_dict for device placement).
LR_MODES = pytest.mark.parametrize(
    "tensor_lr", [pytest.param(False, id="float"), pytest.param(True, id="tensor")]
)


# -- Lightning ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pl() -> Any:
    return host("lightning.pytorch")


def lightning_run(
    pl: Any, root: Path, *, tensor_lr: bool, ckpt_path: Path | None = None
) -> tuple[list[tuple[int, list[float]]], Any]:
    """Fit a tiny module for STEPS optimizer steps; (global_step, LRs) seen by training_step."""

    class Tiny(pl.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)
            self.seen: list[tuple[int, list[float]]] = []

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            self.seen.append((self.trainer.global_step, group_lrs(self.optimizers())))
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self) -> Any:
            optimizer = two_group_sgd(self.layer)
            scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }

        def train_dataloader(self) -> Any:
            x, y = synthetic_data()
            dataset = torch.utils.data.TensorDataset(x, y)
            return torch.utils.data.DataLoader(dataset, batch_size=BATCH)

    torch.manual_seed(0)
    module = Tiny()
    checkpoint = pl.callbacks.ModelCheckpoint(
        dirpath=root, filename="{step}", every_n_train_steps=SAVE_AT, save_top_k=-1
    )
    trainer = pl.Trainer(
        max_steps=STEPS,
        accelerator="cpu",
        devices=1,
        logger=False,
        callbacks=[checkpoint],
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=root,
    )
    with warnings.catch_warnings():
        # Lightning's advice (dataloader workers, mid-epoch resumes, a checkpoint directory that
        # differs from the resumed run's) and its own torch deprecations: not what is tested.
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        warnings.filterwarnings("ignore", message=".*dirpath has changed.*")
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*resuming from a checkpoint that ended.*")
        warnings.filterwarnings("ignore", message=".*isn't resumable.*")
        # Lightning >= 2.5 can load checkpoints with weights_only=True: ours must allow it.
        strict = (
            ckpt_path is not None and "weights_only" in inspect.signature(trainer.fit).parameters
        )
        trainer.fit(module, ckpt_path=ckpt_path, **({"weights_only": True} if strict else {}))
    return module.seen, trainer


@LR_MODES
def test_lightning_steps_follow_the_schedule_and_resume_bit_for_bit(
    pl: Any, tmp_path: Path, tensor_lr: bool
) -> None:
    seen, trainer = lightning_run(pl, tmp_path / "full", tensor_lr=tensor_lr)
    config = trainer.lr_scheduler_configs[0]
    assert isinstance(config.scheduler, Scheduler)
    assert config.interval == "step"
    assert [step for step, _ in seen] == list(range(STEPS))
    assert [lrs for _, lrs in seen] == closed_form(range(STEPS))
    assert float(trainer.optimizers[0].param_groups[0]["lr"]) == BASE[0] * APPLIED(STEPS)

    # Lightning's checkpoint holds our state_dict as plain data: weights_only loading works.
    path = tmp_path / "full" / f"step={SAVE_AT}.ckpt"
    saved = torch.load(path, weights_only=True)["lr_schedulers"]
    assert saved == [saved[0]] and saved[0]["step"] == SAVE_AT

    resumed, trainer = lightning_run(pl, tmp_path / "resumed", tensor_lr=tensor_lr, ckpt_path=path)
    assert [step for step, _ in resumed] == list(range(SAVE_AT, STEPS))
    assert resumed == seen[SAVE_AT:]  # bit for bit: floats compared with ==
    assert trainer.lr_scheduler_configs[0].scheduler.last_epoch == STEPS


# -- HF Trainer -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf() -> Any:
    return host("transformers")


class TinyRegressor(torch.nn.Module):
    """What HF Trainer needs of a model: forward(**batch) returning a dict with a loss."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": torch.nn.functional.mse_loss(self.layer(x), labels)}


def hf_run(
    hf: Any, out: Path, *, tensor_lr: bool, resume: Path | None = None
) -> tuple[list[tuple[int, list[float]]], list[tuple[int, float]], Scheduler]:
    """Train for STEPS; the (global_step, LRs) at each step's start, and the logged LRs."""
    x, y = synthetic_data()
    dataset = [{"x": x[i], "labels": y[i]} for i in range(SAMPLES)]
    torch.manual_seed(0)
    model = TinyRegressor()
    optimizer = two_group_sgd(model.layer)
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)
    seen: list[tuple[int, list[float]]] = []

    class Record(hf.TrainerCallback):  # type: ignore[misc]
        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            seen.append((state.global_step, group_lrs(kwargs["optimizer"])))

    args = hf.TrainingArguments(
        output_dir=str(out),
        max_steps=STEPS,
        save_strategy="steps",
        save_steps=SAVE_AT,
        logging_steps=1,
        per_device_train_batch_size=BATCH,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = hf.Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        optimizers=(optimizer, scheduler),
        callbacks=[Record()],
    )
    trainer.train(resume_from_checkpoint=None if resume is None else str(resume))
    assert trainer.lr_scheduler is scheduler  # HF steps ours directly (not accelerate-wrapped)
    logged = [(e["step"], e["learning_rate"]) for e in trainer.state.log_history if "loss" in e]
    return seen, logged, scheduler


@LR_MODES
def test_hf_trainer_steps_follow_the_schedule_and_resume_bit_for_bit(
    hf: Any, tmp_path: Path, tensor_lr: bool
) -> None:
    seen, logged, scheduler = hf_run(hf, tmp_path / "full", tensor_lr=tensor_lr)
    assert [step for step, _ in seen] == list(range(STEPS))
    assert [lrs for _, lrs in seen] == closed_form(range(STEPS))
    # HF logs get_last_lr()[0] after optimizer.step() and before scheduler.step(): the LR the
    # step used, under the step number it reached (global_step + 1).
    assert logged == [(t + 1, BASE[0] * APPLIED(t)) for t in range(STEPS)]
    assert scheduler.last_epoch == STEPS

    checkpoint = tmp_path / "full" / f"checkpoint-{SAVE_AT}"
    state = torch.load(checkpoint / "scheduler.pt", weights_only=True)
    assert state["step"] == SAVE_AT

    resumed, logged_after, scheduler = hf_run(
        hf, tmp_path / "resumed", tensor_lr=tensor_lr, resume=checkpoint
    )
    assert [step for step, _ in resumed] == list(range(SAVE_AT, STEPS))
    assert resumed == seen[SAVE_AT:]
    assert logged_after == logged  # the restored log history, then the resumed steps' logs
    assert scheduler.last_epoch == STEPS


def test_hf_calling_convention_without_the_trainer() -> None:
    """What HF Trainer does with a scheduler, played by hand: step() with no argument,
    get_last_lr()[0], torch.save of the state_dict and torch.load(weights_only=True)."""
    layer = torch.nn.Linear(4, 1)
    scheduler = Scheduler(two_group_sgd(layer), SCHEDULE)
    logged = []
    for _ in range(SAVE_AT):
        logged.append(scheduler.get_last_lr()[0])
        scheduler.step()
    buffer = io.BytesIO()
    torch.save(scheduler.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)

    fresh_optimizer = two_group_sgd(torch.nn.Linear(4, 1))
    fresh = Scheduler(fresh_optimizer, SCHEDULE)
    fresh.load_state_dict(state)
    for _ in range(SAVE_AT, STEPS):
        logged.append(fresh.get_last_lr()[0])
        assert group_lrs(fresh_optimizer) == fresh.get_last_lr()
        fresh.step()
        scheduler.step()
        assert fresh.get_last_lr() == scheduler.get_last_lr()
    assert logged == [BASE[0] * APPLIED(t) for t in range(STEPS)]
    assert isinstance(logged[0], float)


def test_tensor_lr_continues_after_the_hosts_resume_order() -> None:
    """HF Trainer and Lightning build the optimizer and the scheduler, then load the optimizer's
    state_dict, then the scheduler's: the tensor mode must keep driving the groups."""
    optimizer = two_group_sgd(torch.nn.Linear(4, 1))
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=True)
    for _ in range(SAVE_AT):
        optimizer.step()
        scheduler.step()
    buffer = io.BytesIO()
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)

    fresh_optimizer = two_group_sgd(torch.nn.Linear(4, 1))
    fresh = Scheduler(fresh_optimizer, SCHEDULE, tensor_lr=True)
    fresh_optimizer.load_state_dict(state["optimizer"])
    fresh.load_state_dict(state["scheduler"])
    seen = []
    for _ in range(SAVE_AT, STEPS):
        seen.append(group_lrs(fresh_optimizer))
        fresh_optimizer.step()
        fresh.step()
    assert seen == closed_form(range(SAVE_AT, STEPS))


# -- accelerate -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accelerate() -> Any:
    return host("accelerate")


@pytest.fixture
def fresh_accelerate_state(accelerate: Any) -> Any:
    """accelerate keeps process-wide singletons; each test starts and ends with none."""
    accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)
    yield
    accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)


def accelerate_run(
    accelerator: Any, steps: int, *, tensor_lr: bool = False
) -> tuple[list[list[float]], Scheduler]:
    """The LRs before each optimizer step of a prepared (model, optimizer, scheduler)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    optimizer = two_group_sgd(model)
    scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)
    model, prepared_optimizer, prepared_scheduler = accelerator.prepare(model, optimizer, scheduler)
    x, y = synthetic_data()
    seen = []
    for step in range(steps):
        seen.append(group_lrs(optimizer))
        batch = slice(step * BATCH % SAMPLES, step * BATCH % SAMPLES + BATCH)
        accelerator.backward(torch.nn.functional.mse_loss(model(x[batch]), y[batch]))
        prepared_optimizer.step()
        prepared_scheduler.step()
        prepared_optimizer.zero_grad()
    return seen, scheduler


@LR_MODES
def test_accelerate_without_step_with_optimizer_advances_once_per_optimizer_step(
    accelerate: Any, fresh_accelerate_state: Any, tensor_lr: bool
) -> None:
    """The configuration docs/torch.md recommends: the schedule counts optimizer steps."""
    accelerator = accelerate.Accelerator(cpu=True, step_scheduler_with_optimizer=False)
    seen, scheduler = accelerate_run(accelerator, STEPS, tensor_lr=tensor_lr)
    assert seen == closed_form(range(STEPS))
    assert scheduler.last_epoch == STEPS


def test_accelerate_split_batches_advances_once_per_optimizer_step(
    accelerate: Any, fresh_accelerate_state: Any
) -> None:
    config = accelerate.DataLoaderConfiguration(split_batches=True)
    accelerator = accelerate.Accelerator(cpu=True, dataloader_config=config)
    seen, scheduler = accelerate_run(accelerator, STEPS)
    assert seen == closed_form(range(STEPS))
    assert scheduler.last_epoch == STEPS


def test_accelerate_default_configuration_steps_an_lrkit_scheduler(
    accelerate: Any, fresh_accelerate_state: Any
) -> None:
    """One process: accelerate's default steps the scheduler once per optimizer step."""
    accelerator = accelerate.Accelerator(cpu=True)
    seen, _ = accelerate_run(accelerator, STEPS)
    assert seen == closed_form(range(STEPS))


def test_accelerate_does_not_take_an_lrkit_scheduler_for_a_one_cycle(
    accelerate: Any, fresh_accelerate_state: Any
) -> None:
    """accelerate stops stepping any scheduler with a ``total_steps`` attribute once
    ``_step_count > total_steps`` (OneCycleLR's length). lrkit's ``total_steps=`` only resolves
    fractional lengths; the schedule keeps advancing (here: holding its end value) after it."""
    accelerator = accelerate.Accelerator(cpu=True)
    torch.manual_seed(0)
    optimizer = two_group_sgd(torch.nn.Linear(4, 1))
    scheduler = Scheduler(optimizer, SCHEDULE, total_steps=10)
    prepared_optimizer, prepared_scheduler = accelerator.prepare(optimizer, scheduler)
    seen = []
    for _ in range(STEPS):
        seen.append(group_lrs(optimizer))
        prepared_optimizer.step()
        prepared_scheduler.step()
    assert seen == closed_form(range(STEPS))
    assert scheduler.last_epoch == STEPS


def accelerate_two_process_worker(rank: int, store: str, out: str) -> None:
    """One of two accelerate processes (MULTI_CPU, gloo); writes the LRs it saw."""
    import accelerate

    os.environ.update(RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2")
    os.environ.update(MASTER_ADDR="127.0.0.1", OMP_NUM_THREADS="1")
    torch.distributed.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=2
    )
    try:
        results = {}
        for name, kwargs in {
            "default": {},
            "step_with_optimizer=False": {"step_scheduler_with_optimizer": False},
            "split_batches": {
                "dataloader_config": accelerate.DataLoaderConfiguration(split_batches=True)
            },
        }.items():
            accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)
            accelerator = accelerate.Accelerator(cpu=True, **kwargs)
            assert accelerator.num_processes == 2
            optimizer = two_group_sgd(torch.nn.Linear(4, 1))
            scheduler = Scheduler(optimizer, SCHEDULE)
            prepared_optimizer, prepared_scheduler = accelerator.prepare(optimizer, scheduler)
            seen = []
            for _ in range(8):
                seen.append(group_lrs(optimizer))
                prepared_optimizer.step()
                prepared_scheduler.step()
            results[name] = seen
        torch.save(results, os.path.join(out, f"rank{rank}.pt"))
    finally:
        torch.distributed.destroy_process_group()


def test_accelerate_two_processes_default_advances_num_processes_times(
    accelerate: Any, tmp_path: Path
) -> None:
    """accelerate's default assumes a schedule counted in one process's batches and steps it
    num_processes times per optimizer step; the two configurations docs/torch.md gives keep an
    lrkit schedule in optimizer steps."""
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        reason = "torch.distributed with gloo is not available"
        if in_ci():
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    torch.multiprocessing.spawn(
        accelerate_two_process_worker,
        args=(str(tmp_path / "store"), str(tmp_path)),
        nprocs=2,
        join=True,
    )
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2)]
    assert ranks[0] == ranks[1]
    results = ranks[0]
    assert results["default"] == closed_form(range(0, 16, 2))  # two advances per step
    assert results["step_with_optimizer=False"] == closed_form(range(8))
    assert results["split_batches"] == closed_form(range(8))
