"""The names the ``>>>`` examples in lrkit's docstrings use, so ``make test`` runs them
(``--doctest-modules`` over python/lrkit, pyproject.toml). Outside the package: not shipped."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import pytest

# Modules whose import needs an optional host framework: their examples run where it is installed.
collect_ignore = [
    path
    for path, package in (("lrkit/torch/lightning.py", "lightning"),)
    if importlib.util.find_spec(package) is None
]


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, Any]) -> None:
    """``lrkit`` (with ``lrkit.parity`` and ``lrkit.torch`` loaded) for every example, and for
    the training-loop ones a tiny model: ``opt`` (its SGD optimizer), ``data`` (a few batches)
    and ``loss(batch)`` (a scalar tensor to call ``backward()`` on)."""
    import torch

    import lrkit
    import lrkit.parity.torch
    import lrkit.torch

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    data = [torch.randn(8, 4) for _ in range(3)]

    def loss(batch: torch.Tensor) -> torch.Tensor:
        return model(batch).square().mean()

    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    names: dict[str, Callable[..., Any] | object] = {
        "lrkit": lrkit,
        "opt": opt,
        "data": data,
        "loss": loss,
    }
    doctest_namespace.update(names)
