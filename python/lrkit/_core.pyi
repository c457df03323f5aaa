"""Type stub of lrkit._core, the C++ engine (hand-written; see csrc/)."""

import collections.abc as abc
from collections.abc import Callable
from typing import ClassVar, NewType

import numpy as np
import numpy.typing as npt

ABI_VERSION: int
BLOCK: int

class Node:
    """A lowered schedule: fills ranges of steps in C++."""

    def values(self, start: int, n: int) -> npt.NDArray[np.float64]: ...
    @property
    def native(self) -> bool: ...  # False: it calls back into Python (tables on one thread)

class Constant(Node):
    def __init__(self, value: float) -> None: ...

class Linear(Node):
    def __init__(self, start: float, end: float, length: int) -> None: ...

class Cosine(Node):
    def __init__(
        self, start: float, end: float, length: int, exponent: float = 1.0, k_decay: float = 1.0
    ) -> None: ...

class Exponential(Node):
    def __init__(
        self,
        start: float,
        gamma: float,
        every: int = 1,
        staircase: bool = False,
        begin: int = 0,
        end: float | None = None,
    ) -> None: ...

class StepDecay(Node):
    def __init__(self, start: float, gamma: float, every: int) -> None: ...

class MultiStep(Node):
    def __init__(self, start: float, gamma: float, milestones: abc.Sequence[int]) -> None: ...

class Polynomial(Node):
    def __init__(
        self, start: float, end: float, length: int, power: float, k_decay: float = 1.0
    ) -> None: ...

class InverseSqrt(Node):
    def __init__(self, start: float, timescale: int) -> None: ...

class Tanh(Node):
    def __init__(self, start: float, end: float, length: int, lb: float, ub: float) -> None: ...

class PiecewiseLinear(Node):
    def __init__(self, steps: abc.Sequence[int], values: abc.Sequence[float]) -> None: ...

class PiecewiseConstant(Node):
    def __init__(self, boundaries: abc.Sequence[int], values: abc.Sequence[float]) -> None: ...

class WarmupShape:
    """The ramp shape of a ``Warmup`` (``lrkit.warmup(shape=...)``)."""

    linear: ClassVar[WarmupShape]
    cosine: ClassVar[WarmupShape]
    one_minus_sqrt: ClassVar[WarmupShape]
    sqrt: ClassVar[WarmupShape]
    power: ClassVar[WarmupShape]
    exponential: ClassVar[WarmupShape]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class Warmup(Node):
    def __init__(
        self,
        child: Node,
        length: int,
        start: float,
        prefix: bool,
        shape: WarmupShape = ...,
        exponent: float = ...,
    ) -> None: ...

class Sequence(Node):
    def __init__(self, children: abc.Sequence[Node], boundaries: abc.Sequence[int]) -> None: ...

class Product(Node):
    def __init__(self, children: abc.Sequence[Node]) -> None: ...

class Scale(Node):
    def __init__(self, child: Node, factor: float) -> None: ...

class Clip(Node):
    def __init__(self, child: Node, low: float = ..., high: float = ...) -> None: ...

class Repeat(Node):
    def __init__(self, child: Node, period: int) -> None: ...

class Callback(Node):
    def __init__(self, fn: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float64]]) -> None: ...

def fill(node: Node, start: int, out: npt.NDArray[np.float64]) -> int: ...
def simd_path() -> str: ...
def cpu_simd_path() -> str: ...
def num_threads() -> int: ...
def fill_groups(
    nodes: abc.Sequence[Node],
    start: int,
    base: npt.NDArray[np.float64] | None,
    out: npt.NDArray[np.float64],
) -> int: ...

class CosineRestarts(Node):
    def __init__(
        self, start: float, end: float, period: int, mult: float, decay: float, limit: int
    ) -> None: ...

class CyclicMode:
    """The amplitude scaling of a triangle wave (``Cyclic``, ``TorchCyclic``)."""

    triangular: ClassVar[CyclicMode]
    triangular2: ClassVar[CyclicMode]
    exp_range: ClassVar[CyclicMode]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class Cyclic(Node):
    def __init__(
        self, low: float, high: float, up: int, down: int, mode: CyclicMode, gamma: float
    ) -> None: ...

class Noise(Node):
    def __init__(self, child: Node, amount: float, seed: int) -> None: ...

# torch's closed forms (csrc/torch_parity.hpp), used by lrkit.parity.torch
class TorchCosineAnnealing(Node):
    def __init__(self, start: float, end: float, period: int) -> None: ...

class TorchPhases(Node):
    def __init__(
        self, values: list[float], ends: list[float], cosine: bool, total: int
    ) -> None: ...

class TorchCyclic(Node):
    def __init__(
        self,
        low: float,
        high: float,
        up: float,
        down: float,
        mode: CyclicMode,
        gamma: float,
        by_cycle: bool,
        inverted: bool,
    ) -> None: ...

# Writing table rows into a torch optimizer's param groups (csrc/bind_groups.cpp).
def set_group_values(
    groups: list[dict[str, object]],
    key: str,
    table: npt.NDArray[np.float64],
    row: int,
    /,
) -> bool: ...
def step_group_values(
    groups: list[dict[str, object]],
    table: npt.NDArray[np.float64],
    row: int,
    keys: tuple[str | tuple[str, int], ...],
    chained: bool,
    /,
) -> list[float] | None: ...
def fill_group_buffer(
    out: npt.NDArray[np.float64],
    table: npt.NDArray[np.float64],
    row: int,
    base: PackedBases | npt.NDArray[np.float64] | None,
    /,
) -> bool: ...

# What pack_bases returns: a capsule holding an immutable copy of the bases (opaque).
PackedBases = NewType("PackedBases", object)

def pack_bases(base: npt.NDArray[np.float64], /) -> PackedBases: ...

# HF transformers' lambdas (csrc/hf_parity.hpp), used by lrkit.parity.hf
class HfKind:
    """Which of HF's lambdas an ``HfCurve`` evaluates."""

    constant_with_warmup: ClassVar[HfKind]
    linear: ClassVar[HfKind]
    cosine: ClassVar[HfKind]
    hard_restarts: ClassVar[HfKind]
    polynomial: ClassVar[HfKind]
    inverse_sqrt: ClassVar[HfKind]
    cosine_min_lr: ClassVar[HfKind]
    cosine_warmup_min_lr: ClassVar[HfKind]
    wsd: ClassVar[HfKind]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class HfWsdType:
    """The shape of ``get_wsd_schedule``'s warmup and decay in an ``HfCurve``."""

    linear: ClassVar[HfWsdType]
    cosine: ClassVar[HfWsdType]
    one_minus_sqrt: ClassVar[HfWsdType]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class HfCurve(Node):
    def __init__(
        self,
        kind: HfKind,
        warmup: float,
        training: float,
        cycles: float,
        min_rate: float,
        lr_end: float,
        lr_init: float,
        power: float,
        timescale: float,
        warmup_lr_rate: float,
        stable: float,
        decay: float,
        warmup_type: HfWsdType,
        decay_type: HfWsdType,
    ) -> None: ...

# timm's schedulers (csrc/timm_parity.hpp), used by lrkit.parity.timm
class TimmKind:
    """Which of timm's schedulers a ``TimmCurve`` evaluates."""

    cosine: ClassVar[TimmKind]
    poly: ClassVar[TimmKind]
    tanh: ClassVar[TimmKind]
    step: ClassVar[TimmKind]
    multistep: ClassVar[TimmKind]
    wsd: ClassVar[TimmKind]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class TimmStable:
    """The stable phase of timm's ``WSDLRScheduler`` in a ``TimmCurve``."""

    constant: ClassVar[TimmStable]
    rsqrt: ClassVar[TimmStable]
    power: ClassVar[TimmStable]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class TimmDecay:
    """The decay shape of timm's ``WSDLRScheduler`` in a ``TimmCurve``."""

    linear: ClassVar[TimmDecay]
    one_minus_sqrt: ClassVar[TimmDecay]
    cosine: ClassVar[TimmDecay]
    power: ClassVar[TimmDecay]
    exp: ClassVar[TimmDecay]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...

class TimmCurve(Node):
    def __init__(
        self,
        kind: TimmKind,
        base_lr: float,
        warmup_t: int,
        warmup_lr_init: float,
        warmup_prefix: bool,
        t_initial: int,
        lr_min: float,
        cycle_mul: float,
        cycle_decay: float,
        cycle_limit: int,
        k_decay: float,
        power: float,
        lb: float,
        ub: float,
        decay_t: float,
        decay_rate: float,
        milestones: abc.Sequence[int],
        stable_fn: TimmStable,
        stable_timescale: float,
        stable_power: float,
        decay_fn: TimmDecay,
        decay_power: float,
        decay_ratio: float,
        noise: Node | None,
        noise_start: int,
        noise_end: int,
    ) -> None: ...
