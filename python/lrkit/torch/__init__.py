"""PyTorch integration: ``Scheduler`` (any lrkit schedule on any param-group entry), the seed's
``adjust_learning_rate`` function, HF's ``get_scheduler`` (with HF's ``GreedyLR``), and drop-ins
with the names, signatures and values of ``torch.optim.lr_scheduler``'s classes
(``lrkit.torch.compat``). Importing this module imports torch; ``import lrkit`` does not."""

from lrkit.torch import compat
from lrkit.torch.compat import *  # noqa: F403  (the 15 drop-ins, listed in compat.__all__)
from lrkit.torch.functional import adjust_learning_rate
from lrkit.torch.greedy import GreedyLR
from lrkit.torch.hf import get_scheduler
from lrkit.torch.scheduler import Scheduler
from lrkit.torch.timm_factory import PlateauLRScheduler, TimmScheduler, create_scheduler

__all__ = [
    "GreedyLR",
    "PlateauLRScheduler",
    "Scheduler",
    "TimmScheduler",
    "adjust_learning_rate",
    "create_scheduler",
    "get_scheduler",
    *compat.__all__,
]
