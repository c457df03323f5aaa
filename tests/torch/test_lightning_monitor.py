"""Lightning's LearningRateMonitor with lrkit.torch.Scheduler, in both LR modes (docs/torch.md).

Float lrs: the monitor logs the schedule's values, without a warning. Tensor lrs: the monitor
reads ``param_group["lr"]`` (the scheduler's tensor view) itself, warns when it copies it with
``torch.tensor`` and keeps the one view in its history; recorded as an expected failure, so a
Lightning that converts tensors shows up as an unexpected pass.
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


def monitored_lrs(tensor_lr: bool) -> list[float]:
    pl: Any = package("lightning.pytorch")

    class Tiny(pl.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self) -> Any:
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = Scheduler(optimizer, SCHEDULE, tensor_lr=tensor_lr)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }

        def train_dataloader(self) -> Any:
            x = torch.randn(STEPS * 4, 4, generator=torch.Generator().manual_seed(0))
            dataset = torch.utils.data.TensorDataset(x, x[:, :1])
            return torch.utils.data.DataLoader(dataset, batch_size=4)

    class Quiet(pl.loggers.logger.Logger):  # type: ignore[misc]
        name, version = "quiet", "0"

        def log_metrics(self, metrics: Any, step: Any = None) -> None:
            pass

        def log_hyperparams(self, *args: Any, **kwargs: Any) -> None:
            pass

    monitor = pl.callbacks.LearningRateMonitor(logging_interval="step")
    trainer = pl.Trainer(
        max_steps=STEPS,
        accelerator="cpu",
        logger=Quiet(),
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
    return [float(v) for v in history]


EXPECTED = [0.1 * SCHEDULE(t) for t in range(STEPS)]


def test_the_monitor_logs_the_schedule_with_float_lrs() -> None:
    assert monitored_lrs(tensor_lr=False) == EXPECTED


@pytest.mark.xfail(
    strict=True,
    reason="Lightning's monitor copies the group's tensor lr with torch.tensor (UserWarning) "
    "and keeps the shared view in its history",
)
def test_the_monitor_logs_the_schedule_with_tensor_lrs() -> None:
    assert monitored_lrs(tensor_lr=True) == EXPECTED
