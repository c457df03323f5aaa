"""PyTorch integration: ``Scheduler`` (any lrkit schedule on any param-group entry), the seed's
``adjust_learning_rate`` function, and drop-ins with the names, signatures and values of
``torch.optim.lr_scheduler``'s classes. Importing this module imports torch; ``import lrkit``
does not."""

from lrkit.torch.compat import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from lrkit.torch.functional import adjust_learning_rate
from lrkit.torch.scheduler import Scheduler

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
    "Scheduler",
    "SequentialLR",
    "StepLR",
    "adjust_learning_rate",
]
