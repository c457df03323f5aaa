"""PyTorch integration: ``Scheduler`` (any lrkit schedule on any param-group entry), the seed's
``adjust_learning_rate`` function, and drop-ins with the names and signatures of
``torch.optim.lr_scheduler``'s classes. Importing this module imports torch; ``import lrkit``
does not."""

from lrkit.torch.functional import adjust_learning_rate
from lrkit.torch.scheduler import Scheduler

__all__ = ["Scheduler", "adjust_learning_rate"]
