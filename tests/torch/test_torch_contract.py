"""The torch contract (``lrkit.torch._torch_internals``) against the installed torch.

Every torch internal lrkit relies on exists, and torch still calls it the way lrkit assumes:
spies subclass torch's own classes and record the calls; the messages lrkit repeats are
compared with the ones torch's classes raise. A failure names the internal and says what torch
does now: the fix is in lrkit (follow torch, or pin it), never in these tests.
"""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.optim.lr_scheduler as T
from packaging.requirements import Requirement

import lrkit.torch as K
from lrkit.torch import _torch_internals as internals

if sys.version_info >= (3, 11):
    import tomllib
else:  # lrkit's dependency below 3.11
    import tomli as tomllib

OWNERS: dict[str, Any] = {
    "LRScheduler": T.LRScheduler,
    "StepLR": T.StepLR,
    "SequentialLR": T.SequentialLR,
    "ChainedScheduler": T.ChainedScheduler,
    "ReduceLROnPlateau": T.ReduceLROnPlateau,
    "CyclicLR": T.CyclicLR,
    "OneCycleLR": T.OneCycleLR,
    "LambdaLR": T.LambdaLR,
    "CosineAnnealingWarmRestarts": T.CosineAnnealingWarmRestarts,
    "Optimizer": torch.optim.Optimizer,
}
MESSAGES = {"GET_LR_OUTSIDE_STEP", "PAST_TOTAL_STEPS", "NEGATIVE_EPOCH", "NOT_AN_OPTIMIZER"}


def optimizer(lrs: tuple[float, ...] = (0.1,), **kwargs: Any) -> torch.optim.SGD:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9, **kwargs)


def broken(entry: str, torch_does: str) -> str:
    return (
        f"torch {torch.__version__} broke lrkit's torch contract, {entry}: torch now {torch_does} "
        "(lrkit assumes what lrkit/torch/_torch_internals.py says)"
    )


# -- the list -----------------------------------------------------------------------------------


def test_the_declared_torch_range_is_the_installed_torch() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    (spec,) = [r for r in pyproject["project"]["dependencies"] if r.startswith("torch")]
    requirement = Requirement(spec)
    assert str(requirement.specifier) == str(
        Requirement(f"torch{internals.TESTED_TORCH}").specifier
    ), (
        f"lrkit's pyproject declares {spec!r}, lrkit's _torch_internals.TESTED_TORCH says "
        f"{internals.TESTED_TORCH!r}"
    )
    installed = torch.__version__.split("+")[0]
    assert requirement.specifier.contains(installed), (
        f"the installed torch {torch.__version__} is outside the range lrkit declares ({spec})"
    )


@pytest.mark.parametrize("entry", internals.INTERNALS, ids=lambda e: f"{e.owner}.{e.name}")
def test_every_listed_internal_exists_in_torch(entry: internals.Internal) -> None:
    if entry.name in MESSAGES:
        assert isinstance(getattr(internals, entry.name), str)
        return  # compared with torch's own text below
    owner = OWNERS[entry.owner]
    if entry.owner == "Optimizer":  # instance attributes that LRScheduler's constructor installs
        opt = optimizer()
        T.StepLR(opt, 2)
        opt.step()
        target: Any = opt
    elif entry.name in ("_last_lr", "_step_count"):
        target = T.StepLR(optimizer(), 2)
    elif entry.name in ("_schedulers", "_scale_fn_custom", "_anneal_func_type", "lr_lambdas"):
        opt = optimizer()
        target = {
            "SequentialLR": lambda: T.SequentialLR(opt, [T.StepLR(opt, 2)], []),
            "CyclicLR": lambda: T.CyclicLR(opt, 0.01, 0.1),
            "OneCycleLR": lambda: T.OneCycleLR(opt, 0.1, total_steps=10),
            "LambdaLR": lambda: T.LambdaLR(opt, lambda e: 1.0),
        }[entry.owner]()
    elif entry.name == "_scale_fn_ref":
        target = T.CyclicLR(optimizer(), 0.01, 0.1)
    else:
        target = owner
    value = target
    for part in entry.name.split("."):
        assert hasattr(value, part), broken(
            f"{entry.owner}.{entry.name}", f"has no {part!r}; lrkit uses it in {entry.used_by}"
        )
        value = getattr(value, part)


def test_the_list_names_what_the_code_uses() -> None:
    listed = {e.name for e in internals.INTERNALS}
    for name in ("_update_lr", "_initial_step", "_get_closed_form_lr", "_is_initial", "_reduce_lr"):
        assert name in listed, f"lrkit's _torch_internals.INTERNALS does not list {name}"
    assert listed >= MESSAGES


# -- LRScheduler's step machinery -----------------------------------------------------------------


class Spy(T.StepLR):
    """torch's StepLR, recording how torch's machinery calls the internals lrkit overrides."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: list[tuple[Any, ...]] = []
        super().__init__(*args, **kwargs)

    def _initial_step(self) -> None:
        self.calls.append(("_initial_step",))
        super()._initial_step()

    def _update_lr(self, epoch: int | None = None) -> None:
        self.calls.append(("_update_lr", epoch, self._is_initial, self._step_count))
        super()._update_lr(epoch)

    def get_lr(self) -> list[Any]:
        self.calls.append(("get_lr", self.last_epoch, self._get_lr_called_within_step))
        return super().get_lr()

    def _get_closed_form_lr(self) -> list[Any]:
        self.calls.append(("_get_closed_form_lr", self.last_epoch))
        return super()._get_closed_form_lr()


def test_the_constructor_steps_through_initial_step_and_update_lr() -> None:
    spy = Spy(optimizer(), step_size=2)
    assert spy.calls == [("_initial_step",), ("_update_lr", None, True, 1), ("get_lr", 0, True)], (
        broken("LRScheduler.__init__/_initial_step", f"calls {spy.calls}")
    )
    assert spy._is_initial is False and spy._get_lr_called_within_step is False
    assert T.LRScheduler._is_initial is False and T.LRScheduler._get_lr_called_within_step is False


def test_step_calls_update_lr_after_its_bookkeeping() -> None:
    opt = optimizer()
    spy = Spy(opt, step_size=2)
    spy.calls.clear()
    opt.step()
    spy.step()
    assert spy.calls == [("_update_lr", None, False, 2), ("get_lr", 1, True)], broken(
        "LRScheduler.step -> _update_lr", f"calls {spy.calls} from step()"
    )
    spy.calls.clear()
    with pytest.warns(UserWarning) as caught:
        spy.step(4)
    assert [str(w.message) for w in caught] == [T.EPOCH_DEPRECATION_WARNING]
    assert spy.calls == [("_update_lr", 4, False, 3), ("_get_closed_form_lr", 4)], broken(
        "LRScheduler.step(epoch) -> _update_lr(epoch) -> _get_closed_form_lr",
        f"calls {spy.calls} from step(4)",
    )
    assert spy.last_epoch == 4 and spy._step_count == 3


def test_update_lr_without_a_closed_form_calls_get_lr() -> None:
    scheduler = T.LambdaLR(optimizer(), lambda e: 0.5**e)
    assert not hasattr(scheduler, "_get_closed_form_lr")
    scheduler._update_lr(3)
    assert scheduler.last_epoch == 3 and scheduler.get_last_lr() == [0.1 * 0.5**3]


def test_update_lr_fills_tensor_lrs_and_keeps_copies_in_last_lr() -> None:
    lr = torch.tensor(0.1, dtype=torch.float64)
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}])
    scheduler = T.ExponentialLR(opt, gamma=0.5)
    scheduler._update_lr(2)
    assert opt.param_groups[0]["lr"] is lr and float(lr) == pytest.approx(0.025)
    (last,) = scheduler._last_lr
    assert isinstance(last, torch.Tensor) and last is not lr and float(last) == float(lr), broken(
        "LRScheduler._update_lr", f"leaves _last_lr = {scheduler._last_lr!r}"
    )
    assert scheduler.get_last_lr() is scheduler._last_lr


def test_state_dict_is_the_dict_but_the_optimizer() -> None:
    scheduler = T.StepLR(optimizer(), 2)
    assert scheduler.state_dict() == {k: v for k, v in vars(scheduler).items() if k != "optimizer"}
    other = T.StepLR(optimizer(), 3)
    other.load_state_dict({"step_size": 5, "anything": 1})
    assert other.step_size == 5 and other.anything == 1  # type: ignore[attr-defined]


def test_the_optimizer_step_wrapper_records_the_step() -> None:
    opt = optimizer()
    T.StepLR(opt, 2)
    assert getattr(opt.step, "_wrapped_by_lr_sched", False), broken(
        "Optimizer.step._wrapped_by_lr_sched", "does not wrap optimizer.step"
    )
    assert not getattr(opt, "_opt_called", False)
    opt.step()
    assert opt._opt_called is True  # type: ignore[attr-defined]


def test_the_step_order_warning_reads_opt_called() -> None:
    for mark in (False, True):
        opt = optimizer()
        scheduler = T.StepLR(opt, 2)
        if mark:
            internals.mark_optimizer_stepped(opt)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step()
        orders = [w for w in caught if "before `optimizer.step()`" in str(w.message)]
        assert len(orders) == (0 if mark else 1), broken(
            "Optimizer._opt_called", f"warns {[str(w.message) for w in caught]} (marked: {mark})"
        )


def test_load_state_dict_post_hooks_run_after_optimizer_loads() -> None:
    opt = optimizer()
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict(optimizer().state_dict())
    assert seen == [opt]


# -- the combinators -------------------------------------------------------------------------------


class ChildSpy(T.ExponentialLR):
    def __init__(self, *args: Any, log: list[Any], **kwargs: Any) -> None:
        self.log = log
        super().__init__(*args, **kwargs)

    def _initial_step(self) -> None:
        self.log.append(("_initial_step", id(self)))
        super()._initial_step()

    def _update_lr(self, epoch: int | None = None) -> None:
        self.log.append(("_update_lr", id(self), epoch))
        super()._update_lr(epoch)

    def step(self, epoch: int | None = None) -> None:
        self.log.append(("step", id(self)))
        super().step(epoch)


@pytest.mark.parametrize("outer", [T.SequentialLR, K.SequentialLR], ids=["torch", "lrkit"])
def test_sequential_lr_restarts_children_through_initial_step_and_update_lr(outer: type) -> None:
    log: list[Any] = []
    opt = optimizer()
    first, second = ChildSpy(opt, 0.5, log=log), ChildSpy(opt, 0.9, log=log)
    opt.param_groups[0]["lr"] = 7.0  # reset to initial_lr by the construction
    log.clear()
    sequential = outer(opt, [first, second], milestones=[2])
    assert log[:1] == [("_initial_step", id(first))], broken("SequentialLR.__init__", f"{log}")
    assert first.last_epoch == 0 and second.last_epoch == -1  # recursive_undo, then the step
    assert opt.param_groups[0]["lr"] == 0.1
    log.clear()
    for _ in range(3):
        opt.step()
        sequential.step()
    calls = [c for c in log if c[0] != "_update_lr" or c[2] == 0]
    assert calls == [("step", id(first)), ("_update_lr", id(second), 0), ("step", id(second))], (
        broken("SequentialLR.step", f"calls {log}")
    )
    assert sequential.get_last_lr() == second.get_last_lr()
    assert [s["last_epoch"] for s in sequential.state_dict()["_schedulers"]] == [1, 1]


def test_lrkits_combinators_are_torchs() -> None:
    assert issubclass(K.SequentialLR, T.SequentialLR)
    assert issubclass(K.ChainedScheduler, T.ChainedScheduler)


@pytest.mark.parametrize("outer", [T.ChainedScheduler, K.ChainedScheduler], ids=["torch", "lrkit"])
def test_chained_scheduler_steps_every_child_in_order(outer: type) -> None:
    log: list[Any] = []
    opt = optimizer()
    first, second = ChildSpy(opt, 0.5, log=log), ChildSpy(opt, 0.9, log=log)
    chained = outer([first, second])
    log.clear()
    opt.step()
    chained.step()
    assert [c[:2] for c in log if c[0] == "step"] == [("step", id(first)), ("step", id(second))]
    assert chained._last_lr == [g["lr"] for g in opt.param_groups]


# -- ReduceLROnPlateau -----------------------------------------------------------------------------


def test_reduce_lr_on_plateau_reduces_through_reduce_lr() -> None:
    calls: list[Any] = []

    class PlateauSpy(T.ReduceLROnPlateau):
        def _reduce_lr(self, epoch: Any) -> None:
            calls.append((epoch, list(self.min_lrs), self.default_min_lr, self.factor, self.eps))
            super()._reduce_lr(epoch)

    opt = optimizer()
    plateau = PlateauSpy(opt, factor=0.5, patience=1, min_lr=0.001)
    for metric in (1.0, 1.0, 1.0):
        plateau.step(metric)
    assert calls == [(3, [0.001], 0.001, 0.5, 1e-8)], broken(
        "ReduceLROnPlateau.step -> _reduce_lr", f"calls {calls}"
    )
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)


# -- CyclicLR, OneCycleLR, LambdaLR ----------------------------------------------------------------


def test_cyclic_lr_scale_fn_attributes() -> None:
    for mode, kind in [("triangular", "function"), ("exp_range", "partial")]:
        scheduler = T.CyclicLR(optimizer(), 0.01, 0.1, mode=mode, gamma=0.9)  # type: ignore[arg-type]
        ref = scheduler._scale_fn_ref
        if kind == "partial":
            assert isinstance(ref, functools.partial) and ref.args == (0.9,)
            assert ref.func is T.CyclicLR._exp_range_scale_fn
        else:
            assert ref is T.CyclicLR._triangular_scale_fn
        assert scheduler._scale_fn_custom is None
        assert "_scale_fn_ref" not in scheduler.state_dict()
    assert T.CyclicLR._triangular2_scale_fn(3.0) == 0.25
    custom = T.CyclicLR(optimizer(), 0.01, 0.1, scale_fn=lambda x: 0.5)
    assert not hasattr(custom, "_scale_fn_ref")
    assert custom.state_dict()["_scale_fn_custom"] is None  # a function is not saved


class Amplitude:
    def __init__(self) -> None:
        self.rate = 0.5

    def __call__(self, x: float) -> float:
        return self.rate**x


def test_callables_are_saved_as_their_dict() -> None:
    cyclic = T.CyclicLR(optimizer(), 0.01, 0.1, scale_fn=Amplitude())
    assert cyclic.state_dict()["_scale_fn_custom"] == {"rate": 0.5}
    lambdas = T.LambdaLR(optimizer((0.1, 0.2)), [lambda e: 1.0, Amplitude()])
    assert lambdas.state_dict()["lr_lambdas"] == [None, {"rate": 0.5}]
    multiplicative = T.MultiplicativeLR(optimizer(), Amplitude())
    assert multiplicative.state_dict()["lr_lambdas"] == [{"rate": 0.5}]


def test_one_cycle_lr_anneal_attributes() -> None:
    scheduler = T.OneCycleLR(optimizer(), 0.1, total_steps=10, anneal_strategy="linear")
    assert scheduler.__dict__["_anneal_func_type"] == "linear"
    assert {
        "cos": T.OneCycleLR._annealing_cos,
        "linear": T.OneCycleLR._annealing_linear,
    } == internals.LEGACY_ANNEAL_FUNCTIONS
    del scheduler.__dict__["_anneal_func_type"]
    scheduler.anneal_func = T.OneCycleLR._annealing_cos  # type: ignore[attr-defined]
    assert scheduler._anneal_func(1.0, 0.0, 0.5) == pytest.approx(0.5)  # the legacy state


# -- messages lrkit repeats word for word ----------------------------------------------------------


def test_the_get_lr_warning_is_torchs() -> None:
    for module in (T, K):
        with pytest.warns(UserWarning) as caught:
            module.ExponentialLR(optimizer(), gamma=0.5).get_lr()
        assert [str(w.message) for w in caught] == [internals.GET_LR_OUTSIDE_STEP], (
            f"{module.__name__}.ExponentialLR.get_lr() warns {[str(w.message) for w in caught]}; "
            f"lrkit's copy of torch's text: {internals.GET_LR_OUTSIDE_STEP!r}"
        )


def test_the_one_cycle_error_past_total_steps_is_torchs() -> None:
    messages = {}
    for label, module in (("torch", T), ("lrkit", K)):
        opt = optimizer()
        scheduler = module.OneCycleLR(opt, 0.1, total_steps=2)
        with pytest.raises(ValueError) as raised:
            for _ in range(4):
                opt.step()
                scheduler.step()
        messages[label] = str(raised.value)
    assert messages["torch"] == internals.PAST_TOTAL_STEPS.format(step=3, total=2), messages
    assert messages["lrkit"] == messages["torch"], messages


def test_the_negative_epoch_error_is_torchs() -> None:
    messages = {}
    for label, module in (("torch", T), ("lrkit", K)):
        with pytest.raises(ValueError) as raised:
            module.CosineAnnealingWarmRestarts(optimizer(), T_0=3).step(-1)
        messages[label] = str(raised.value)
    assert messages["torch"] == internals.NEGATIVE_EPOCH.format(epoch=-1), messages
    assert messages["lrkit"] == messages["torch"], messages


def test_the_not_an_optimizer_error_is_torchs() -> None:
    messages = {}
    for label, module in (("torch", T), ("lrkit", K)):
        with pytest.raises(TypeError) as raised:
            module.OneCycleLR(object(), 0.1, total_steps=2)  # type: ignore[arg-type]
        messages[label] = str(raised.value)
    assert messages["torch"] == internals.NOT_AN_OPTIMIZER.format(name="object"), messages
    assert messages["lrkit"] == messages["torch"], messages
