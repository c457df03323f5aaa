"""Lightning's ``LearningRateMonitor`` for schedulers that keep tensor values in the groups.

With ``Scheduler(..., tensor_lr=True)`` each group's ``lr`` (or whatever entry the scheduler
drives) is a 0-dim tensor view that the scheduler updates in place. Lightning's own monitor
reads ``param_group["lr"]`` as it is: it keeps that one live view in its ``lrs`` history, where
every entry then shows the latest value, and logs it through ``torch.tensor(...)``, which warns
("copy construct from a tensor"). :class:`LearningRateMonitor` is the same callback reading the
groups' values as Python floats at each logging step (one ``.item()`` per logged value, on the
logging interval only), so the history holds the values of each step and nothing warns.

Importing this module imports Lightning (``lightning.pytorch``, or the standalone
``pytorch_lightning`` when only that is installed); ``import lrkit.torch`` does not.

>>> from lightning.pytorch import Trainer
>>> from lrkit.torch.lightning import LearningRateMonitor
>>> monitor = LearningRateMonitor(logging_interval="step")
>>> trainer = Trainer(callbacks=[monitor], logger=False, enable_progress_bar=False)
>>> # trainer.fit(module)  # whose configure_optimizers returns Scheduler(..., tensor_lr=True)
>>> # monitor.lrs then holds one float per logged step, per param group
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

try:
    from lightning.pytorch.callbacks import LearningRateMonitor as _LightningMonitor
except ImportError:  # the standalone distribution of the same package
    try:
        from pytorch_lightning.callbacks import (  # type: ignore[assignment, unused-ignore]
            LearningRateMonitor as _LightningMonitor,
        )
    except ImportError as error:
        raise ImportError("lrkit.torch.lightning needs Lightning: pip install lightning") from error

__all__ = ["LearningRateMonitor"]


def _float(value: Any) -> Any:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, tuple):  # Adam's betas, either element may be scheduled
        return tuple(_float(v) for v in value)
    return value


def _floats(param_group: Mapping[str, Any]) -> dict[str, Any]:
    """The group as the monitor should see it: one-element tensors read as floats."""
    return {key: _float(value) for key, value in param_group.items() if key != "params"}


class LearningRateMonitor(_LightningMonitor):  # type: ignore[misc, unused-ignore]
    """Lightning's ``LearningRateMonitor`` (same arguments, names and logged keys) that reads
    tensor values in the param groups (lr, momentum, betas, weight decay) as floats.

    Use it in place of Lightning's with ``Scheduler(..., tensor_lr=True)``; with float lrs the
    two log the same values.
    """

    def _extract_lr(self, param_group: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super()._extract_lr(_floats(param_group), *args, **kwargs)

    def _extract_momentum(self, param_group: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super()._extract_momentum(_floats(param_group), *args, **kwargs)

    def _extract_weight_decay(self, param_group: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super()._extract_weight_decay(_floats(param_group), *args, **kwargs)
