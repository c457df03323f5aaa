"""Lightning's LearningRateMonitor with lrkit.torch.Scheduler, in both LR modes (docs/torch.md).

Float lrs: the monitor logs the schedule's values, without a warning. Tensor lrs: Lightning's
monitor reads ``param_group["lr"]`` (the scheduler's tensor view) itself, warns when it copies it
with ``torch.tensor`` and keeps the one view in its history; recorded as an expected failure, so
a Lightning that converts tensors shows up as an unexpected pass. ``lrkit.torch.lightning``'s
monitor logs the values of each step in both modes (lr and a scheduled momentum), and nothing
warns (pyproject's filter makes every warning an error).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import torch

import lrkit
from lrkit.torch import Scheduler
from requires import package

SCHEDULE = lrkit.linear(start=1.0, end=0.0, length=10)
STEPS = 4


def monitored(
    tensor_lr: bool, *, lrkit_monitor: bool = False, key: str = "lr"
) -> tuple[list[float], dict[str, list[float]]]:
    """The monitor's lr history and what it logged per key (lr, momentum), after STEPS steps."""
    pl: Any = package("lightning.pytorch")

    class Tiny(pl.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self) -> Any:
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
            scheduler = Scheduler(optimizer, SCHEDULE, key=key, tensor_lr=tensor_lr)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }

        def train_dataloader(self) -> Any:
            x = torch.randn(STEPS * 4, 4, generator=torch.Generator().manual_seed(0))
            dataset = torch.utils.data.TensorDataset(x, x[:, :1])
            return torch.utils.data.DataLoader(dataset, batch_size=4)

    logged: dict[str, list[float]] = {}

    class Recorder(pl.loggers.logger.Logger):  # type: ignore[misc]
        name, version = "recorder", "0"

        def log_metrics(self, metrics: Any, step: Any = None) -> None:
            for name, value in metrics.items():
                logged.setdefault(name, []).append(float(value))

        def log_hyperparams(self, *args: Any, **kwargs: Any) -> None:
            pass

    if lrkit_monitor:
        from lrkit.torch.lightning import LearningRateMonitor

        monitor = LearningRateMonitor(logging_interval="step", log_momentum=True)
    else:
        monitor = pl.callbacks.LearningRateMonitor(logging_interval="step")
    trainer = pl.Trainer(
        max_steps=STEPS,
        accelerator="cpu",
        logger=Recorder(),
        callbacks=[monitor],
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    with warnings.catch_warnings():  # Lightning's own advice and deprecations (as test_hosts.py)
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        trainer.fit(Tiny())
    (history,) = monitor.lrs.values()
    if lrkit_monitor:
        assert all(isinstance(v, float) for v in history), history
    return [float(v) for v in history], logged


EXPECTED = [0.1 * SCHEDULE(t) for t in range(STEPS)]
MOMENTA = [0.9 * SCHEDULE(t) for t in range(STEPS)]


def test_the_monitor_logs_the_schedule_with_float_lrs() -> None:
    history, logged = monitored(tensor_lr=False)
    assert history == EXPECTED
    assert logged == {"lr-SGD": EXPECTED}


@pytest.mark.parametrize("tensor_lr", [False, True])
def test_lrkits_monitor_logs_the_schedule_in_both_modes(tensor_lr: bool) -> None:
    history, logged = monitored(tensor_lr=tensor_lr, lrkit_monitor=True)
    assert history == EXPECTED
    assert logged == {"lr-SGD": EXPECTED, "lr-SGD-momentum": [0.9] * STEPS}


@pytest.mark.parametrize("tensor_lr", [False, True])
def test_lrkits_monitor_logs_a_scheduled_momentum(tensor_lr: bool) -> None:
    history, logged = monitored(tensor_lr=tensor_lr, lrkit_monitor=True, key="momentum")
    assert history == [0.1] * STEPS
    assert logged == {"lr-SGD": [0.1] * STEPS, "lr-SGD-momentum": MOMENTA}


@pytest.mark.xfail(
    strict=True,
    reason="Lightning's monitor copies the group's tensor lr with torch.tensor (UserWarning) "
    "and keeps the shared view in its history",
)
def test_lightnings_monitor_logs_the_schedule_with_tensor_lrs() -> None:
    assert monitored(tensor_lr=True)[0] == EXPECTED
