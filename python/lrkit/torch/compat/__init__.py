"""Drop-ins for ``torch.optim.lr_scheduler``: torch 2.13's class names, arguments and values.

``from lrkit.torch import StepLR`` (or any other class below) where the code had
``from torch.optim.lr_scheduler import StepLR``. Values come from the C++ engine's tables of each
class's closed form; composition (two schedulers on one optimizer, ``ChainedScheduler``,
``SequentialLR``, a ``ReduceLROnPlateau`` beside them) follows torch's recursion exactly. Where
torch is wrong (a double decay when resuming through the constructor at a milestone), these are
right; docs/torch.md lists each difference.
"""

from lrkit.torch.compat.composite import ChainedScheduler, SequentialLR
from lrkit.torch.compat.cycles import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from lrkit.torch.compat.decays import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from lrkit.torch.compat.plateau import ReduceLROnPlateau

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
