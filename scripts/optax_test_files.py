"""Run optax's own schedule tests against lrkit.parity.optax and count the cases that pass.

optax ships its tests beside its code (``optax/schedules/_schedule_test.py`` and
``_join_test.py``). This script imports each with its ``_schedule`` / ``_join`` module replaced by
lrkit's functions of the same names, then runs it with ``unittest``. lrkit's schedules become
jax-callable through ``jax.pure_callback`` (so the tests' ``jax.jit`` and the optimizers that
take a schedule as ``learning_rate`` work unchanged), evaluated by lrkit's engine (what lrkit's
schedulers apply). The tests run as optax runs them (float32 unless ``--x64``)::

    .venv/bin/python scripts/optax_test_files.py [--x64] [-v]

Prints one line per file (``passed / total``) and the cases that did not pass, with why.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import types
import unittest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np


class JaxSchedule:
    """A lrkit schedule callable with jax counts (ints, arrays, tracers under ``jax.jit``)."""

    def __init__(self, schedule: Any) -> None:
        self.schedule = schedule

    def __call__(self, count: Any) -> Any:
        import jax
        import jax.numpy as jnp

        count = jnp.asarray(count)
        dtype = jnp.result_type(float)  # float32, or float64 under x64

        def host(steps: Any) -> np.ndarray:
            steps = np.asarray(steps)
            flat = [int(t) for t in steps.reshape(-1)]
            values = [self.schedule.table(1, start=t)[0] for t in flat]
            return np.asarray(values, dtype=dtype).reshape(steps.shape)

        shape = jax.ShapeDtypeStruct(count.shape, dtype)
        return jax.pure_callback(host, shape, count, vmap_method="expand_dims")


def _plain(value: Any) -> Any:
    """Numbers as Python numbers (the tests pass some as numpy or jax scalars)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, JaxSchedule):
        return value.schedule
    if hasattr(value, "shape") and getattr(value, "shape", None) == ():
        return value.item()
    return value


def _wrapped(function: Callable[..., Any]) -> Callable[..., JaxSchedule]:
    def make(*args: Any, **kwargs: Any) -> JaxSchedule:
        return JaxSchedule(function(*_plain(args), **_plain(kwargs)))

    make.__name__ = function.__name__
    return make


def _missing(name: str) -> Callable[..., Any]:
    def absent(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{name} is not in the module under test")

    absent.__name__ = name
    return absent


def lrkit_modules(ours: Any) -> dict[str, types.ModuleType]:
    """Stand-ins for optax's ``_schedule`` and ``_join`` modules, made of the functions of
    ``ours`` (``lrkit.parity.optax``)."""

    names = [
        "constant_schedule",
        "polynomial_schedule",
        "linear_schedule",
        "piecewise_constant_schedule",
        "piecewise_interpolate_schedule",
        "exponential_decay",
        "cosine_decay_schedule",
        "warmup_cosine_decay_schedule",
        "warmup_exponential_decay_schedule",
        "warmup_constant_schedule",
        "sgdr_schedule",
        "linear_onecycle_schedule",
        "cosine_onecycle_schedule",
        "join_schedules",
    ]
    schedule = types.ModuleType("lrkit_as_optax_schedule")
    join = types.ModuleType("lrkit_as_optax_join")
    for name in names:
        function = getattr(ours, name, None) or _missing(name)
        setattr(join if name == "join_schedules" else schedule, name, _wrapped(function))
    schedule.join_schedules = join.join_schedules  # type: ignore[attr-defined]
    return {"optax.schedules._schedule": schedule, "optax.schedules._join": join}


@contextlib.contextmanager
def replaced(modules: dict[str, types.ModuleType]) -> Iterator[None]:
    """``modules`` in place of optax's while a test file is imported."""
    import optax.schedules as package

    saved = {name: sys.modules[name] for name in modules}
    try:
        for name, module in modules.items():
            sys.modules[name] = module
            setattr(package, name.rsplit(".", 1)[1], module)
        yield
    finally:
        for name, module in saved.items():
            sys.modules[name] = module
            setattr(package, name.rsplit(".", 1)[1], module)


def _stub_missing(names: list[str]) -> None:
    """Empty stand-ins for packages optax's test helpers import but the schedule tests never
    use (``alias_test`` imports scikit-learn for its optimizer tests)."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            package, _, child = name.rpartition(".")
            module = types.ModuleType(name)
            sys.modules[name] = module
            if package:
                setattr(sys.modules[package], child, module)


def load(path: Path, modules: dict[str, types.ModuleType]) -> types.ModuleType:
    _stub_missing(["sklearn", "sklearn.datasets", "sklearn.linear_model"])
    spec = importlib.util.spec_from_file_location(f"lrkit_run_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with replaced(modules):
        spec.loader.exec_module(module)
    return module


def run(path: Path, modules: dict[str, types.ModuleType], verbose: bool) -> tuple[int, int]:
    suite = unittest.defaultTestLoader.loadTestsFromModule(load(path, modules))
    tests = list(_tests(suite))  # the suite forgets its tests as it runs them
    result = unittest.TestResult()
    suite.run(result)
    failed = {test.id(): trace for test, trace in [*result.failures, *result.errors]}
    skipped = {test.id() for test, _ in result.skipped}
    classes: dict[str, list[int]] = {}
    for test in tests:
        if test.id() not in skipped:
            counts = classes.setdefault(type(test).__name__, [0, 0])
            counts[0] += test.id() not in failed
            counts[1] += 1
    passed = sum(p for p, _ in classes.values())
    total = sum(t for _, t in classes.values())
    print(f"{path.name}: {passed} / {total} passed ({len(skipped)} skipped)")
    for name, (p, t) in classes.items():
        print(f"  {name}: {p} / {t}")
    for test_id, trace in failed.items():
        last = trace.strip().splitlines()[-1]
        print(f"  FAILED {test_id.split('.', 1)[1]}: {trace if verbose else last}")
    return passed, total


def _tests(suite: unittest.TestSuite) -> Iterator[unittest.TestCase]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _tests(item)
        else:
            yield item


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--x64", action="store_true", help="run in float64 (jax_enable_x64)")
    parser.add_argument("-v", "--verbose", action="store_true", help="full tracebacks")
    parser.add_argument(
        "--parity-module",
        type=Path,
        help="a file to test instead of lrkit.parity.optax (an older version, say)",
    )
    args = parser.parse_args()

    import jax
    from absl import flags

    if args.x64:
        jax.config.update("jax_enable_x64", True)
    flags.FLAGS.mark_as_parsed()
    import optax.schedules

    folder = Path(optax.schedules.__file__).parent
    if args.parity_module is None:
        from lrkit.parity import optax as ours
    else:
        spec = importlib.util.spec_from_file_location("lrkit_parity_under_test", args.parity_module)
        assert spec is not None and spec.loader is not None
        ours = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ours)
    modules = lrkit_modules(ours)
    passed = total = 0
    for name in ("_schedule_test.py", "_join_test.py"):
        if (folder / name).exists():
            p, t = run(folder / name, modules, args.verbose)
            passed, total = passed + p, total + t
    print(f"all: {passed} / {total} passed")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
