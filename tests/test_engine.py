"""The C++ engine: Python-only schedules through call-backs, big threaded tables, buffers,
the build check, and import hygiene."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import lrkit
from contract import assert_within_contract
from lrkit import _native
from lrkit.engine import BLOCK, ChunkedTable
from strategies import HalvingEvery, VectorRamp


def test_python_schedule_works_in_table_and_nested_in_builtins() -> None:
    halving = HalvingEvery(start=1.0, every=3)
    assert halving.table(7).tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    nested = lrkit.warmup(lrkit.scale(halving, factor=2.0), length=2)
    expected = [0.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    assert nested.table(7).tolist() == expected == [nested(t) for t in range(7)]


def test_python_schedule_spanning_many_blocks_matches_its_reference() -> None:
    ramp = VectorRamp(start=0.0, slope=1e-3)
    n = 3 * BLOCK + 17
    s = lrkit.sequence([lrkit.constant(5.0), ramp], boundaries=[BLOCK - 3])
    table = s.table(n, start=11)
    assert np.array_equal(table, [s(t) for t in range(11, 11 + n)])


def test_scalar_python_schedule_is_called_once_per_block() -> None:
    calls: list[int] = []

    class Counting(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def values(self, steps: np.ndarray) -> np.ndarray:
            calls.append(len(steps))
            return steps.astype(np.float64)

    Counting().table(2 * BLOCK + 5)
    assert calls == [BLOCK, BLOCK, 5]


def test_python_errors_propagate_out_of_the_engine() -> None:
    class Broken(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def value(self, step: int) -> float:
            raise RuntimeError(f"broken at {step}")

    with pytest.raises(RuntimeError, match="broken at 0"):
        lrkit.scale(Broken(), factor=2.0).table(3)


def test_python_schedule_returning_bad_values_is_caught() -> None:
    class Short(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def values(self, steps: np.ndarray) -> np.ndarray:
            return np.zeros(len(steps) - 1)

    class NotANumber(lrkit.Schedule):
        def __init__(self) -> None:
            pass

        def value(self, step: int) -> float:
            return float("nan") if step == 4 else 1.0

    with pytest.raises(ValueError, match=r"Short.values returned shape \(2,\) for 3 steps"):
        Short().table(3)
    with pytest.raises(lrkit.NonFiniteValueError, match="nan at step 4"):
        lrkit.product(NotANumber(), lrkit.constant(2.0)).table(10)
    with pytest.raises(lrkit.NonFiniteValueError, match="at step 4"):
        NotANumber()(4)


def test_python_schedule_needs_its_arguments_as_attributes() -> None:
    class Forgetful(lrkit.Schedule):
        def __init__(self, rate: float) -> None:
            self._rate = rate

        def value(self, step: int) -> float:
            return self._rate

    with pytest.raises(TypeError, match=r"takes \['rate'\] but does not store them"):
        repr(Forgetful(rate=1.0))


def test_threaded_tables_equal_small_chunks_bit_for_bit() -> None:
    s = lrkit.warmup(
        lrkit.sequence(
            [
                lrkit.cosine(start=1.0, end=0.01, length=300_000),
                lrkit.multistep(start=0.5, gamma=0.5, milestones=[10_000, 70_000]),
            ],
            boundaries=[250_000],
        ),
        length=5_000,
    )
    n = 400_000  # large enough for several threads
    whole = s.table(n)
    pieces = np.concatenate([s.table(BLOCK + 1, start=k) for k in range(0, n, BLOCK + 1)])[:n]
    assert np.array_equal(whole, pieces)
    grouped = s.table(n // 4, base=[1.0, 0.5, 2.0, 3.0])
    assert np.array_equal(grouped, np.outer(whole[: n // 4], [1.0, 0.5, 2.0, 3.0]))


def test_schedules_pickle_and_deep_copy_without_their_engine_node() -> None:
    s = lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=10), length=3)
    expected = s.table(20)  # builds and caches the C++ node
    for copy_ in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s), copy.copy(s)):
        assert copy_ == s
        assert np.array_equal(copy_.table(20), expected)
    python_only = HalvingEvery(start=1.0, every=2)
    assert pickle.loads(pickle.dumps(python_only)) == python_only


def test_out_buffer_is_filled_in_place() -> None:
    out = np.full((5, 2), -1.0)
    result = lrkit.linear(start=0.0, end=1.0, length=4).table(5, base=[1.0, 2.0], out=out)
    assert result is out
    assert out[:, 1].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_missing_or_stale_extension_says_how_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lrkit._core", None)
    with pytest.raises(ImportError, match=r"not built.*make install"):
        _native.load_core()
    monkeypatch.undo()
    monkeypatch.setattr(lrkit._core, "ABI_VERSION", 0)  # type: ignore[attr-defined]
    with pytest.raises(ImportError, match=r"stale.*ABI version 0.*Rebuild"):
        _native.load_core()


def test_import_lrkit_does_not_import_torch() -> None:
    code = "import sys, lrkit; lrkit.cosine(1.0, 0.0, 5).table(3); print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _progress_of_another_thread_during(work: Callable[[], object]) -> int:
    """How far a counting loop in this thread gets while ``work`` runs in another thread.

    A tiny switch interval keeps the window in which the counter may run before ``work`` starts
    (or after it ends) to a few increments; only a call that releases the GIL lets it count far.
    """
    progress = {"count": 0, "during": 0}
    done = threading.Event()

    def run() -> None:
        before = progress["count"]
        work()
        progress["during"] = progress["count"] - before
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        while not done.is_set():
            progress["count"] += 1
        worker.join()
    finally:
        sys.setswitchinterval(old)
    return progress["during"]


def test_tables_release_the_gil() -> None:
    s = lrkit.cosine(start=1.0, end=0.0, length=10**7)
    # A GIL-holding C call of similar length lets the counter run only around its edges
    # (~1e3 counts on an idle machine, ~2e4 on a busy one); the table lets it run (~3e5).
    holding = _progress_of_another_thread_during(lambda: sum(range(3 * 10**7)))
    out = np.empty(6 * 10**6)
    releasing = _progress_of_another_thread_during(
        lambda: [s.table(6 * 10**6, out=out) for _ in range(20)]  # ~0.1 s in the engine
    )
    assert releasing > 20_000 and releasing > 5 * holding, (holding, releasing)


def _one_of_each() -> list[lrkit.Schedule]:
    cos = lrkit.cosine(start=1.0, end=0.1, length=10**12)
    return [
        lrkit.constant(0.3),
        lrkit.linear(start=0.0, end=1.0, length=2**53),
        cos,
        lrkit.exponential(start=1.0, gamma=1.0 - 1e-12),
        lrkit.step(start=1.0, gamma=0.999, every=10**6),
        lrkit.multistep(start=1.0, gamma=0.5, milestones=[10**9, 2**53 - 1]),
        lrkit.polynomial(start=1.0, end=0.0, length=2**53 - 3, power=0.5),
        lrkit.inverse_sqrt(start=1.0, timescale=7),
        lrkit.piecewise_linear([(0, 0.0), (10**10, 1.0), (2**53, 0.5)]),
        lrkit.piecewise_constant([10**9, 2**52], [1.0, 0.5, 0.25]),
        lrkit.warmup(cos, length=10**9 + 1, start=0.01),
        lrkit.warmup(cos, length=10**9 + 1, mode="overlay"),
        lrkit.sequence([cos, lrkit.constant(2.0), cos], boundaries=[10**9, 2**53 - 2]),
        lrkit.product(cos, lrkit.inverse_sqrt(start=2.0, timescale=3)),
        lrkit.clip(lrkit.scale(cos, factor=3.0), low=0.5, high=2.0),
        lrkit.repeat(cos, period=10**12 + 39),
        lrkit.noise(cos, amount=0.1, seed=2**32 - 1),
        lrkit.cosine_restarts(start=1.0, end=0.0, period=1000, period_mult=1.5, decay=0.9),
        lrkit.cosine_restarts(start=1.0, end=0.0, period=7, limit=10**15),
        lrkit.cyclic(low=0.1, high=1.0, up=10**9 + 3, down=2**52, mode="triangular2"),
        lrkit.scale(VectorRamp(start=1.0, slope=1e-16), factor=0.5),
    ]


@pytest.mark.parametrize("t", [10**9, 10**12 + 7, 2**53 - BLOCK - 1, 2**53 - 1, 2**53])
def test_huge_steps_equal_the_reference_up_to_max_steps(t: int) -> None:
    for s in _one_of_each():
        values = s.table(2, start=t - 1)
        reference = np.array([s(t - 1), s(t)])
        assert_within_contract(s, values, reference)
        assert np.array_equal(values, s.table(t + 1 - (t - BLOCK), start=t - BLOCK)[-2:]), s


def test_steps_and_durations_past_max_steps_are_refused() -> None:
    cos = lrkit.cosine(start=1.0, end=0.0, length=10)
    assert lrkit.units.MAX_STEPS == 2**53
    assert cos.table(1, start=2**53)[0] == 0.0
    with pytest.raises(ValueError, match=r"steps must be <= 2\*\*53.*last step 9007199254740993"):
        cos.table(2, start=2**53)
    with pytest.raises(ValueError, match=r"<= 2\*\*53"):
        cos.table(1, start=2**63)  # not a pybind11 overflow TypeError
    with pytest.raises(ValueError, match=r"step must be <= 2\*\*53.*9007199254740993"):
        cos(2**53 + 1)
    with pytest.raises(ValueError, match=r"linear: length must be <= 2\*\*53 steps.*10{30}"):
        lrkit.linear(start=1.0, end=0.0, length=10**30)
    with pytest.raises(ValueError, match=r"milestones\[1\] must be <= 2\*\*53"):
        lrkit.multistep(start=1.0, gamma=0.5, milestones=[5, 2**64])
    with pytest.raises(ValueError, match=r"cosine_restarts: limit must be <= 2\*\*53"):
        lrkit.cosine_restarts(start=1.0, end=0.0, period=5, limit=2**63)
    long = lrkit.warmup(cos, length=lrkit.epochs(1e30))
    with pytest.raises(ValueError, match=r"warmup\(length=...\) is epochs\(1e\+30\): 1e\+32 steps"):
        long.resolve(steps_per_epoch=100)
    with pytest.raises(ValueError, match=r"inf steps"):
        lrkit.warmup(cos, length=lrkit.epochs(1e308)).resolve(steps_per_epoch=100)
    with pytest.raises(ValueError, match=r"<= 2\*\*53"):
        lrkit._core.fill(lrkit._core.Constant(1.0), 2**53, np.empty(2))
    with pytest.raises(ValueError, match=r"2\*\*53"):
        lrkit._core.Constant(1.0).values(0, -1)
    rows = ChunkedTable(cos, rows=100)
    assert rows.row(2**53 - 5) == 0.0 and rows.row(2**53) == 0.0  # the last chunk is shorter
    assert len(rows.chunk) == 6


def test_base_must_be_a_sequence_not_a_number() -> None:
    with pytest.raises(ValueError, match=r"base must be a non-empty 1-d sequence.*shape \(\)"):
        lrkit.constant(1.0).table(3, base=2.0)  # type: ignore[arg-type]


def test_threaded_tables_report_the_first_non_finite_step() -> None:
    growth = lrkit.exponential(start=1.0, gamma=10.0)  # inf from step 309 of its own clock
    late = lrkit.sequence([lrkit.constant(1.0), growth], boundaries=[300_000])
    with pytest.raises(lrkit.NonFiniteValueError, match=r"inf at step 300309$"):
        late.table(400_000)  # only the second thread's rows overflow
    with pytest.raises(lrkit.NonFiniteValueError, match=r"inf at step 309$"):
        lrkit.sequence([growth, growth], boundaries=[300_000]).table(400_000)  # both threads
    with pytest.raises(lrkit.NonFiniteValueError, match="inf at step 300309, group 0"):
        late.table(400_000, base=[1.0, 0.5])
    with pytest.raises(lrkit.NonFiniteValueError, match="inf at step 300308, group 1"):
        late.table(400_000, base=[1e-300, 2.0])  # 2 * 1e308 overflows one step earlier


EXIT_DURING_TABLE = """
import threading, time, lrkit
s = lrkit.cosine(1.0, 0.0, 10**9)
def loop():
    while True:
        s.table(200_000)
threading.Thread(target=loop, daemon=True).start()
time.sleep(0.2)
"""


#: The same with a Python schedule inside a built-in: the thread is ended while it runs the
#: callback's Python code, or while it waits for the GIL to call it.
EXIT_DURING_CALLBACK = """
import threading, time, lrkit

class Ramp(lrkit.Schedule):
    def __init__(self, n):
        self.n = n
    def value(self, step):
        return step / self.n
    def values(self, steps):
        return steps / self.n

s = lrkit.scale(Ramp(10**9), factor=0.5)
def loop():
    while True:
        s.table(200_000)
threading.Thread(target=loop, daemon=True).start()
time.sleep(0.3)
"""


@pytest.mark.parametrize(
    ("script", "runs"),
    [(EXIT_DURING_TABLE, 3), (EXIT_DURING_CALLBACK, 8)],
    ids=["native", "callback"],
)
def test_interpreter_exit_while_a_daemon_thread_is_in_a_table(script: str, runs: int) -> None:
    """At exit CPython ends a daemon thread that asks for the GIL back by unwinding it; the
    engine takes the GIL back outside any noexcept frame, and the callback node holds no
    Python object by RAII on that unwind, so the process exits cleanly (it aborted with
    "terminate called without an active exception", and the callback variant segfaulted in
    about a third of the runs)."""
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True)
        assert done.returncode == 0, (done.returncode, done.stderr.decode())


def test_every_built_in_lowers_to_a_native_node() -> None:
    """A built-in either declares its node (``node = "..."``, lowered field by field), has a
    lowering written in lrkit.engine, or is a composition: none falls back to a Python
    callback, which would be correct but slow."""
    from lrkit import engine, fields

    default = engine.lower.dispatch(lrkit.Schedule)
    for name, cls in fields.CLASSES.items():
        if (
            issubclass(cls, fields.Composite)
            or cls is lrkit.per_group([lrkit.constant(1.0)]).__class__
        ):
            continue
        declared = getattr(cls, "node", None)
        assert declared is not None or engine.lower.dispatch(cls) is not default, name
        if declared is not None:
            assert engine.lower.dispatch(cls) is default, f"{name}: node and a written lowering"
            assert hasattr(engine.core, declared), f"{name}: lrkit._core has no {declared}"


#: The arguments a timm schedule needs (the rest at timm's defaults, noise off).
TIMM_REQUIRED: dict[str, dict[str, Any]] = {
    "timm.cosine": {"t_initial": 10},
    "timm.poly": {"t_initial": 10},
    "timm.tanh": {"t_initial": 10},
    "timm.step": {"decay_t": 3},
    "timm.multistep": {"decay_t": [2, 5]},
    "timm.wsd": {"t_initial": 10, "decay_t": 4},
}


def test_every_timm_schedule_without_noise_lowers_to_a_native_node() -> None:
    """The timm compositions (lrkit.parity.timm) are native without noise: their curve lowers
    to ``TimmCurve``, which calls nothing back (``Node.native``), alone and nested."""
    from lrkit import engine, fields
    from lrkit.parity import timm

    timm_names = {n for n in fields.CLASSES if n.startswith("timm.")}
    assert timm_names == set(TIMM_REQUIRED)  # a new timm name: list it (and give it the node)
    for name, kw in TIMM_REQUIRED.items():
        schedule = fields.CLASSES[name](**kw)
        node = engine.node_of(schedule)
        assert isinstance(node, engine.core.TimmCurve) and node.native, name
        assert engine.node_of(lrkit.scale(schedule, factor=2.0)).native, name
        assert not engine.callback_node(timm.TimmCurve(schedule)).native


def test_declared_lowering_names_the_argument_of_an_unresolved_duration() -> None:
    s = lrkit.repeat(lrkit.constant(1.0), period=lrkit.epochs(2))
    with pytest.raises(lrkit.UnresolvedDurationError, match=r"repeat\(period=\.\.\.\)"):
        s.table(3)
