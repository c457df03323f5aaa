"""lrkit._core's param-group writers (csrc/bind_groups.cpp): the values written are the table's,
bit for bit; bad inputs raise clear errors and leave every group as it was."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lrkit._native import core

TABLE = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])


def groups(n: int = 3, lr: float = 1.0) -> list[dict[str, object]]:
    return [{"params": [], "lr": lr, "momentum": 0.9} for _ in range(n)]


def lrs(gs: list[dict[str, object]], key: str = "lr") -> list[object]:
    return [g[key] for g in gs]


# -- set_group_values -------------------------------------------------------------------------


def test_set_group_values_writes_the_row_as_floats() -> None:
    gs = groups()
    assert core.set_group_values(gs, "lr", TABLE, 1) is True
    assert lrs(gs) == [0.4, 0.5, 0.6]
    assert all(type(v) is float for v in lrs(gs))
    assert core.set_group_values(gs, "momentum", TABLE, 2) is True
    assert lrs(gs, "momentum") == [0.7, 0.8, 0.9]
    assert lrs(gs) == [0.4, 0.5, 0.6]


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 6)),
        elements=st.floats(0.0, 1e300, allow_subnormal=True),
    ),
    st.data(),
)
def test_values_written_equal_the_table_row_bit_for_bit(table: np.ndarray, data) -> None:  # type: ignore[no-untyped-def]
    row = data.draw(st.integers(0, table.shape[0] - 1))
    gs = groups(table.shape[1])
    assert core.set_group_values(gs, "lr", table, row)
    assert np.array_equal(np.array(lrs(gs), dtype=np.float64), table[row])
    assert [np.float64(v).tobytes() for v in lrs(gs)] == [v.tobytes() for v in table[row]]


def test_a_one_dimensional_table_is_one_column() -> None:
    gs = groups(1)
    assert core.set_group_values(gs, "lr", np.array([0.5, 0.25]), 1)
    assert lrs(gs) == [0.25]


@pytest.mark.parametrize("row", [3, 4, -1, 2**70, -(2**70)])
def test_a_row_outside_the_table_writes_nothing_and_returns_false(row: int) -> None:
    gs = groups()
    assert core.set_group_values(gs, "lr", TABLE, row) is False
    assert lrs(gs) == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (((), "lr", TABLE, 0), TypeError, "groups must be a list of param-group dicts"),
        ((groups(), 7, TABLE, 0), TypeError, "key must be a str"),
        ((groups(), "lr", TABLE.tolist(), 0), TypeError, "table must be a C-contiguous float64"),
        ((groups(), "lr", TABLE.astype(np.float32), 0), TypeError, "array of dtype float32"),
        ((groups(), "lr", TABLE[:, ::2], 0), TypeError, "got a non-contiguous array of dtype"),
        ((groups(), "lr", np.asfortranarray(TABLE), 0), TypeError, "non-contiguous"),
        ((groups(2), "lr", TABLE[:, :1].copy(), 0), ValueError, "2 param groups"),
        ((groups(), "lr", TABLE.reshape(1, 3, 3), 0), TypeError, "3 dimensions"),
        ((groups(), "lr", TABLE, 1.0), TypeError, "row must be an int"),
        ((groups(4), "lr", TABLE, 0), ValueError, "has 4 param groups and the table has 3"),
        (([{"lr": 1.0}, [], {"lr": 1.0}], "lr", TABLE, 0), TypeError, "param group 1 must be"),
    ],
)
def test_set_group_values_rejects_bad_arguments(args: tuple, error: type, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=match):
        core.set_group_values(*args)


def test_wrong_argument_counts_are_type_errors() -> None:
    with pytest.raises(TypeError, match="takes 4 arguments, got 3"):
        core.set_group_values(groups(), "lr", TABLE)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 5 arguments"):
        core.step_group_values(groups(), TABLE, 1, ("lr",))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 4 arguments"):
        core.fill_group_buffer(np.zeros(3), TABLE, 1)  # type: ignore[call-arg]


@pytest.mark.parametrize("bad", [-0.5, -np.inf, np.inf, np.nan])
def test_non_finite_or_negative_values_never_reach_the_groups(bad: float) -> None:
    table = TABLE.copy()
    table[1, 2] = bad
    gs = groups()
    with pytest.raises(ValueError, match=r"param group 2: lr would be .*finite values >= 0"):
        core.set_group_values(gs, "lr", table, 1)
    assert lrs(gs) == [1.0, 1.0, 1.0]  # nothing written, not even the groups before it


def test_minus_zero_is_zero() -> None:
    gs = groups(2)
    assert core.set_group_values(gs, "lr", np.array([[-0.0, 0.0]]), 0)
    assert lrs(gs) == [0.0, 0.0]


def test_a_dict_subclass_is_written_through_its_setitem() -> None:
    seen: list[tuple[str, object]] = []

    class Group(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: str, value: object) -> None:
            seen.append((key, value))
            super().__setitem__(key, value)

    gs = [Group(lr=1.0), Group(lr=1.0)]
    assert core.set_group_values(gs, "lr", TABLE[:, :2].copy(), 0)
    assert seen == [("lr", 0.1), ("lr", 0.2)]


def test_no_reference_leaks() -> None:
    gs, key, table = groups(), "lr", TABLE.copy()
    before = [sys.getrefcount(x) for x in (gs, gs[0], key, table)]
    for row in range(3):
        core.set_group_values(gs, key, table, row)
        core.step_group_values(gs, table, row, (key,), False)
        core.fill_group_buffer(np.zeros(3), table, row, None)
        core.fill_group_buffer(np.zeros(3), table[:, 0].copy(), row, core.pack_bases(table[0]))
    assert [sys.getrefcount(x) for x in (gs, gs[0], key, table)] == before


# -- step_group_values (the drop-ins' fast path) ----------------------------------------------


def test_step_group_values_writes_and_returns_the_row() -> None:
    gs = groups(lr=0.1)
    gs[1]["lr"], gs[2]["lr"] = 0.2, 0.3
    written = core.step_group_values(gs, TABLE, 1, ("lr",), True)  # groups hold row 0
    assert written == [0.4, 0.5, 0.6] == lrs(gs)
    assert all(a is b for a, b in zip(written, lrs(gs), strict=True))  # type: ignore[arg-type]
    assert core.step_group_values(gs, TABLE, 2, ("lr",), True) == [0.7, 0.8, 0.9]


def test_step_group_values_writes_every_block_of_keys() -> None:
    table = np.array([[0.1, 0.2, 0.85, 0.8], [0.3, 0.4, 0.9, 0.95]])
    gs = groups(2)
    assert core.step_group_values(gs, table, 1, ("lr", "momentum"), False) == [0.3, 0.4]
    assert lrs(gs, "momentum") == [0.9, 0.95]


@pytest.mark.parametrize(
    ("change", "row", "chained"),
    [
        (lambda gs: gs[1].__setitem__("lr", 0.25), 1, True),  # someone else changed an lr
        (lambda gs: gs[1].__setitem__("lr", np.float64(0.2)), 1, True),  # not a float
        (lambda gs: gs[1].__setitem__("lr", 1), 1, False),  # an int
        (lambda gs: gs[1].__setitem__("lr", [0.2]), 1, False),  # e.g. a tensor: torch fills it
        (lambda gs: gs[1].pop("lr"), 1, False),  # no lr
        (lambda gs: gs.append({"lr": 0.2}), 1, False),  # a group added since
        (lambda gs: gs.__setitem__(1, type("G", (dict,), {})(lr=0.2)), 1, False),  # not a dict
        (lambda gs: None, 0, True),  # no previous row in this chunk
        (lambda gs: None, 3, False),  # past the chunk
        (lambda gs: None, -1, False),
    ],
)
def test_step_group_values_writes_nothing_unless_the_fast_path_is_exact(  # type: ignore[no-untyped-def]
    change, row: int, chained: bool
) -> None:
    gs = [{"lr": 0.1}, {"lr": 0.2}, {"lr": 0.3}]
    change(gs)
    before = [dict(g) for g in gs]
    assert core.step_group_values(gs, TABLE, row, ("lr",), chained) is None
    assert gs == before


@pytest.mark.parametrize("bad", [-0.5, np.inf, np.nan])
def test_step_group_values_leaves_unusual_values_to_the_caller(bad: float) -> None:
    table = np.array([[0.1, 0.2, 0.85, 0.8], [0.3, 0.4, 0.9, bad]])
    gs = groups(2)
    assert core.step_group_values(gs, table, 1, ("lr", "momentum"), False) is None
    assert lrs(gs) == [1.0, 1.0] and lrs(gs, "momentum") == [0.9, 0.9]


@pytest.mark.parametrize(
    "keys",
    [["lr"], (), ("lr", 0), (("lr", 0),), ("lr", ("betas", -1)), ("lr", ("betas",)), ("a",) * 5],
)
def test_step_group_values_rejects_bad_keys(keys: object) -> None:
    with pytest.raises(TypeError, match=r"keys must be a tuple of 1 to 4 keys, each a str or"):
        core.step_group_values(groups(), TABLE, 1, keys, False)  # type: ignore[arg-type]


def test_step_group_values_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="table must be"):
        core.step_group_values(groups(), TABLE.astype(np.float32), 1, ("lr",), False)
    with pytest.raises(TypeError, match="groups must be a list"):
        core.step_group_values(tuple(groups()), TABLE, 1, ("lr",), False)  # type: ignore[arg-type]


def test_step_group_values_replaces_an_element_of_a_tuple_like_torch() -> None:
    table = np.array([[0.1, 0.2, 0.85, 0.8], [0.3, 0.4, 0.88, 0.95]])
    gs: list[dict[str, object]] = [
        {"lr": 1.0, "betas": (0.9, 0.999)},
        {"lr": 1.0, "betas": [0.8, 0.99, 7]},
    ]
    assert core.step_group_values(gs, table, 1, ("lr", ("betas", 0)), False) == [0.3, 0.4]
    assert gs[0]["betas"] == (0.88, 0.999) and gs[1]["betas"] == (0.95, 0.99, 7)
    assert core.step_group_values(gs, table, 0, ("lr", ("betas", 2)), False) is None  # (0.9, ..)
    gs[0]["betas"] = "ab"  # not a tuple or list: torch's path
    assert core.step_group_values(gs, table, 0, ("lr", ("betas", 0)), False) is None
    assert lrs(gs) == [0.3, 0.4]


# -- fill_group_buffer (tensor-lr mode) -------------------------------------------------------


def as_given(base: np.ndarray | None, packed: bool) -> object:  # type: ignore[type-arg]
    """base as fill_group_buffer takes it: the array itself, or packed by pack_bases."""
    return core.pack_bases(base) if packed and base is not None else base


@pytest.mark.parametrize("packed", [False, True])
@given(
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0.0, 1e150)),
    hnp.arrays(np.float64, 8, elements=st.floats(0.0, 1e200)),
    st.integers(0, 7),
)
def test_fill_group_buffer_scales_the_schedule_like_a_table_with_base(  # type: ignore[no-untyped-def]
    packed: bool, base, values, row
) -> None:
    out = np.zeros(len(base))
    with np.errstate(over="ignore"):
        expected = base * values[row]  # what Schedule.table(base=...) computes
    if not np.isfinite(expected).all():  # past the largest float: refused, nothing written
        with pytest.raises(ValueError, match="would get inf"):
            core.fill_group_buffer(out, values, row, as_given(base, packed))
        assert not out.any()
        return
    assert core.fill_group_buffer(out, values, row, as_given(base, packed)) is True
    assert out.tobytes() == expected.tobytes()


def test_packed_bases_are_a_copy_checked_once() -> None:
    base = np.array([0.1, 0.2, 0.3])
    packed = core.pack_bases(base)
    base[1] = -1.0  # the packed copy does not see it
    out = np.zeros(3)
    assert core.fill_group_buffer(out, np.array([0.5]), 0, packed)
    assert out.tolist() == [0.05, 0.1, 0.15]
    for bad in (-0.5, np.inf, np.nan):
        with pytest.raises(ValueError, match=r"base\[1\] must be finite and >= 0, got"):
            core.pack_bases(np.array([0.1, bad]))
    assert core.pack_bases(np.array([-0.0, 0.0])) is not None  # -0.0 is a zero
    with pytest.raises(TypeError, match="base must be a C-contiguous float64"):
        core.pack_bases([0.1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base must be 1-dimensional"):
        core.pack_bases(np.ones((2, 2)))
    with pytest.raises(TypeError, match="takes 1 argument"):
        core.pack_bases()  # type: ignore[call-arg]


def test_fill_group_buffer_copies_whole_rows_without_base() -> None:
    out = np.zeros(3)
    assert core.fill_group_buffer(out, TABLE, 2, None) is True
    assert out.tolist() == [0.7, 0.8, 0.9]
    assert core.fill_group_buffer(out, TABLE, 3, None) is False
    assert out.tolist() == [0.7, 0.8, 0.9]


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize(
    ("table", "base", "bad"),
    [
        (np.array([0.5, 2.0]), np.array([0.1, 1e308, 0.2]), "param group 1 would get inf"),
        (np.array([0.5, -2.0]), np.array([0.1, 0.2, 0.3]), "param group 0 would get -0.2"),
        (np.array([0.5, np.nan]), np.array([0.1, 0.2, 0.3]), "param group 0 would get nan"),
        (np.array([0.5, np.inf]), np.array([0.0, 0.2, 0.3]), "param group 0 would get nan"),
        (np.array([[0.1, 0.2, 0.3], [0.1, np.nan, 0.3]]), None, "param group 1 would get nan"),
    ],
)
def test_fill_group_buffer_writes_nothing_bad(table, base, bad: str, packed: bool) -> None:  # type: ignore[no-untyped-def]
    out = np.full(3, 0.5)
    with pytest.raises(ValueError, match=bad):
        core.fill_group_buffer(out, table, 1, as_given(base, packed))
    assert out.tolist() == [0.5, 0.5, 0.5]


def test_a_negative_schedule_value_on_zero_bases_writes_zeros() -> None:
    """0 * -2.0 is -0.0, a zero: both forms write it, as the unpacked check always has."""
    for packed in (False, True):
        out = np.full(2, 0.5)
        assert core.fill_group_buffer(out, np.array([-2.0]), 0, as_given(np.zeros(2), packed))
        assert out.tolist() == [0.0, 0.0]


def test_fill_group_buffer_rejects_bad_arguments() -> None:
    readonly = np.zeros(3)
    readonly.flags.writeable = False
    with pytest.raises(TypeError, match="out must be a writeable 1-d"):
        core.fill_group_buffer(readonly, TABLE, 0, None)
    with pytest.raises(TypeError, match="out must be a writeable 1-d"):
        core.fill_group_buffer(np.zeros((3, 1)), TABLE, 0, None)
    with pytest.raises(ValueError, match="table has 3 columns and out 2"):
        core.fill_group_buffer(np.zeros(2), TABLE, 0, None)
    with pytest.raises(ValueError, match="base has 2 values and out 3"):
        core.fill_group_buffer(np.zeros(3), np.ones(4), 0, np.ones(2))
    with pytest.raises(ValueError, match="the table must have one column"):
        core.fill_group_buffer(np.zeros(3), TABLE, 0, np.ones(3))
    with pytest.raises(TypeError, match="base must be"):
        core.fill_group_buffer(np.zeros(3), np.ones(4), 0, [1.0, 1.0, 1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base has 2 values and out 3"):
        core.fill_group_buffer(np.zeros(3), np.ones(4), 0, core.pack_bases(np.ones(2)))
    import datetime  # any other capsule: datetime's C API

    with pytest.raises(ValueError, match="name"):
        core.fill_group_buffer(np.zeros(3), np.ones(4), 0, datetime.datetime_CAPI)  # type: ignore[arg-type]
