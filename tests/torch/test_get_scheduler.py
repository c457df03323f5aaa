"""lrkit.torch.get_scheduler against HF transformers' own get_scheduler, for real: every
SchedulerType, the lrs of every group at every step (past the end too) and after a state_dict
resume through torch.load(weights_only=True), HF's errors, and HF Trainer / Lightning running
lrkit's scheduler with the lrs HF's own gives them."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

import lrkit
import lrkit.torch
from requires import package

transformers = package("transformers")
optimization = package("transformers.optimization")
SchedulerType = package("transformers.trainer_utils").SchedulerType

W, T = 5, 30
STEPS = 2 * T + 7  # past the end

#: name -> HF's extra arguments (several configs for the ones with knobs).
CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("linear", {}),
    ("cosine", {}),
    ("cosine", {"num_cycles": 1.3}),
    ("cosine_with_restarts", {"num_cycles": 3}),
    ("cosine_with_restarts", {"num_cycles": 4}),
    ("polynomial", {}),
    ("polynomial", {"lr_end": 1e-3, "power": 2.0}),
    ("constant", {}),
    ("constant_with_warmup", {}),
    ("inverse_sqrt", {}),
    ("inverse_sqrt", {"timescale": 7}),
    ("cosine_with_min_lr", {"min_lr": 1e-3}),
    ("cosine_with_min_lr", {"min_lr_rate": 0.1, "num_cycles": 0.7}),
    ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.05}),
    ("cosine_warmup_with_min_lr", {"min_lr": 2e-3, "warmup_lr_rate": 0.1}),
    ("warmup_stable_decay", {"num_decay_steps": 10}),
    (
        "warmup_stable_decay",
        {
            "num_decay_steps": 8,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
            "min_lr_ratio": 0.1,
        },
    ),
    ("warmup_stable_decay", {"num_decay_steps": 6, "num_stable_steps": 4, "decay_type": "linear"}),
]


def two_groups() -> torch.optim.Optimizer:
    """Two groups with their own lrs, and a default lr differing from both (HF's polynomial and
    min_lr read the default)."""
    layer = torch.nn.Linear(3, 1)
    return torch.optim.AdamW(
        [{"params": [layer.weight], "lr": 0.1}, {"params": [layer.bias], "lr": 0.02}], lr=0.05
    )


def lrs(optimizer: torch.optim.Optimizer) -> list[float]:
    return [float(g["lr"]) for g in optimizer.param_groups]


def build(make: Any, name: str, kwargs: dict[str, Any]) -> tuple[torch.optim.Optimizer, Any]:
    optimizer = two_groups()
    training = None if "num_stable_steps" in kwargs else T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # HF: both training and stable steps
        scheduler = make(name, optimizer, W, training, scheduler_specific_kwargs=dict(kwargs))
    return optimizer, scheduler


@pytest.mark.parametrize(
    ("name", "kwargs"), CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]
)
def test_every_step_and_a_resume_match_hf(name: str, kwargs: dict[str, Any]) -> None:
    hf_opt, hf_sched = build(optimization.get_scheduler, name, kwargs)
    opt, sched = build(lrkit.torch.get_scheduler, name, kwargs)
    assert isinstance(sched, lrkit.torch.Scheduler) and sched.relative
    seen, expected = [lrs(opt)], [lrs(hf_opt)]
    for _ in range(STEPS):
        hf_opt.step()
        hf_sched.step()
        opt.step()
        sched.step()
        seen.append(lrs(opt))
        expected.append(lrs(hf_opt))
        assert sched.get_last_lr() == hf_sched.get_last_lr()
    assert seen == expected  # bit for bit

    # resume from step 12 through HF Trainer's way of saving
    opt, sched = build(lrkit.torch.get_scheduler, name, kwargs)
    for _ in range(12):
        opt.step()
        sched.step()
    buffer = io.BytesIO()
    torch.save(sched.state_dict(), buffer)
    buffer.seek(0)
    fresh_opt, fresh = build(lrkit.torch.get_scheduler, name, kwargs)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    resumed = [lrs(fresh_opt)]
    for _ in range(12, STEPS):
        fresh_opt.step()
        fresh.step()
        resumed.append(lrs(fresh_opt))
    assert resumed == expected[12:]


@pytest.mark.parametrize("name", [t.value for t in SchedulerType])
def test_missing_arguments_raise_as_hf_does(name: str) -> None:
    for warmup, training in [(None, T), (W, None), (None, None)]:
        try:
            optimization.get_scheduler(name, two_groups(), warmup, training)
        except (ValueError, TypeError) as exc:
            with pytest.raises(type(exc)) as ours:
                lrkit.torch.get_scheduler(name, two_groups(), warmup, training)
            if isinstance(exc, ValueError):
                hf_message = str(exc).split(" requires ")[-1]
                assert str(ours.value).split(" requires ")[-1] == hf_message
                assert str(ours.value).startswith(f"{name} requires")
        else:
            lrkit.torch.get_scheduler(name, two_groups(), warmup, training)


def test_names_and_enum() -> None:
    for member in SchedulerType:
        assert member.value in lrkit.torch.hf.SCHEDULER_TYPES
    assert list(lrkit.torch.hf.SCHEDULER_TYPES) == [t.value for t in SchedulerType]
    sched = lrkit.torch.get_scheduler(SchedulerType.LINEAR, two_groups(), 2, 10)
    assert isinstance(sched, lrkit.torch.Scheduler)
    with pytest.raises(ValueError, match="bogus is not a valid SchedulerType"):
        lrkit.torch.get_scheduler("bogus", two_groups(), 2, 10)
    with pytest.raises(ValueError, match="lr_end"):
        lrkit.torch.get_scheduler(
            "polynomial", two_groups(), 2, 10, scheduler_specific_kwargs={"lr_end": 0.05}
        )


METRICS = [5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.9, 0.9, 0.95, 1.0, 1.0, 1.1, 0.5]
METRICS += [0.4, 0.3, 0.2, 0.1, 0.05] + [0.05] * 30 + [0.01, 0.005, 0.001, 0.0005, 0.0001]


def test_reduce_lr_on_plateau_is_hf_s() -> None:
    kwargs = {"patience": 2, "factor": 0.5, "min_lr": 0.004, "cooldown": 1}
    hf_opt, hf_sched = two_groups(), None
    hf_sched = optimization.get_scheduler(
        "reduce_lr_on_plateau", hf_opt, scheduler_specific_kwargs=kwargs
    )
    opt = two_groups()
    sched = lrkit.torch.get_scheduler("reduce_lr_on_plateau", opt, scheduler_specific_kwargs=kwargs)
    assert isinstance(sched, lrkit.torch.ReduceLROnPlateau)
    for metric in METRICS:
        hf_sched.step(metric)
        sched.step(metric)
        assert lrs(opt) == lrs(hf_opt)
    assert min(lrs(opt)) < 0.02  # it did reduce


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 2, "factor": 0.5, "min_lr": 0.01, "max_lr": 0.5, "reset_start": 3},
        {"patience": 1, "factor": 0.8, "cooldown": 2, "warmup": 1, "threshold_mode": "rel"},
        {"patience": 1, "factor": 0.7, "smooth": True, "window_size": 3, "mode": "max"},
        {"patience": 0, "min_lr": [0.02, 0.001], "max_lr": [0.3, 0.2], "eps": 1e-3},
    ],
)
def test_greedy_is_hf_s(kwargs: dict[str, Any]) -> None:
    hf_opt, opt = two_groups(), two_groups()
    hf_sched = optimization.get_scheduler("greedy", hf_opt, scheduler_specific_kwargs=kwargs)
    sched = lrkit.torch.get_scheduler("greedy", opt, scheduler_specific_kwargs=kwargs)
    assert isinstance(sched, lrkit.torch.GreedyLR)
    for i, metric in enumerate(METRICS):
        hf_sched.step(metric)
        sched.step(metric)
        assert lrs(opt) == lrs(hf_opt), i
        assert sched.get_last_lr() == hf_sched.get_last_lr()
        assert sched.state_dict() == hf_sched.state_dict()
        if i == 20:  # resume into a fresh one through weights_only loading
            buffer = io.BytesIO()
            torch.save(sched.state_dict(), buffer)
            buffer.seek(0)
            opt = two_groups()
            sched = lrkit.torch.GreedyLR(opt, **kwargs)
            sched.load_state_dict(torch.load(buffer, weights_only=True))
            assert lrs(opt) == lrs(hf_opt)


# -- the hosts ------------------------------------------------------------------------------------


class TinyRegressor(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": torch.nn.functional.mse_loss(self.layer(x), labels)}


def trainer_run(make: Any, out: Path, resume: Path | None = None) -> list[tuple[int, list[float]]]:
    """HF Trainer for T steps with make(name, optimizer, ...) as its scheduler; the lrs at the
    start of each step."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=generator)
    dataset = [{"x": x[i], "labels": x[i, :1] * 2.0} for i in range(64)]
    torch.manual_seed(0)
    model = TinyRegressor()
    optimizer = torch.optim.SGD(
        [{"params": [model.layer.weight], "lr": 0.1}, {"params": [model.layer.bias], "lr": 0.02}]
    )
    scheduler = make(
        "warmup_stable_decay", optimizer, W, T, scheduler_specific_kwargs={"num_decay_steps": 12}
    )
    seen: list[tuple[int, list[float]]] = []

    class Record(transformers.TrainerCallback):  # type: ignore[misc]
        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            seen.append((state.global_step, lrs(kwargs["optimizer"])))

    args = transformers.TrainingArguments(
        output_dir=str(out),
        max_steps=T,
        save_strategy="steps",
        save_steps=12,
        logging_steps=1,
        per_device_train_batch_size=4,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = transformers.Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        optimizers=(optimizer, scheduler),
        callbacks=[Record()],
    )
    trainer.train(resume_from_checkpoint=None if resume is None else str(resume))
    return seen


def test_hf_trainer_runs_lrkit_get_scheduler_like_hf_s_own(tmp_path: Path) -> None:
    theirs = trainer_run(optimization.get_scheduler, tmp_path / "hf")
    ours = trainer_run(lrkit.torch.get_scheduler, tmp_path / "lrkit")
    assert [step for step, _ in ours] == list(range(T))
    assert ours == theirs
    resumed = trainer_run(
        lrkit.torch.get_scheduler, tmp_path / "resumed", resume=tmp_path / "lrkit" / "checkpoint-12"
    )
    assert resumed == theirs[12:]


def test_lightning_takes_lrkit_get_scheduler() -> None:
    pl = package("lightning.pytorch")
    seen: list[list[float]] = []

    class Tiny(pl.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            seen.append(lrs(self.optimizers().optimizer))
            return torch.nn.functional.mse_loss(self.layer(batch[0]), batch[1])

        def configure_optimizers(self) -> Any:
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = lrkit.torch.get_scheduler("cosine", optimizer, W, T)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }

        def train_dataloader(self) -> Any:
            x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
            return torch.utils.data.DataLoader(
                torch.utils.data.TensorDataset(x, x[:, :1]), batch_size=4
            )

    trainer = pl.Trainer(
        max_steps=T, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        trainer.fit(Tiny())
    (lam,) = optimization.get_cosine_schedule_with_warmup(
        torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1), W, T
    ).lr_lambdas
    assert seen == [[0.1 * lam(t)] for t in range(T)]
