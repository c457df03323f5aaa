"""Other libraries' schedules, by their names and conventions, as lrkit schedules.

Libraries disagree on off-by-one choices (where a milestone applies, whether a warmup shifts the
main curve, where the floor is reached). lrkit has one convention (0-based steps, a length
``L`` reached exactly at ``t = L``); these constructors reproduce each library's own curve so a
training script can move to lrkit without changing its learning rates:

* ``lrkit.parity.hf``: HF transformers' ``get_*_schedule*`` functions (multipliers of the base LR);
* ``lrkit.parity.timm``: timm's scheduler classes (absolute LRs from ``base_lr``);
* ``lrkit.parity.optax``: optax's schedule functions (absolute values);
* ``lrkit.parity.torch``: the curves of torch's classes whose boundaries differ from lrkit's
  (periodic ``CosineAnnealingLR``, ``OneCycleLR``'s float phase ends, ``CyclicLR``).

torch's classes themselves are reproduced by ``lrkit.torch`` (drop-ins with torch's class names),
built on these. None of these modules imports torch (timm's noise imports it on first use).
Each function documents where its curve departs from lrkit's defaults; the tests compare them
with the libraries' published test values.
"""

from lrkit.parity import hf, optax, timm, torch

__all__ = ["hf", "optax", "timm", "torch"]
