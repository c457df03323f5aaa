"""Driven by the registry, so that no built-in can be forgotten: every registered built-in
(parity ones included) has engine == reference on random arguments, within the accuracy
contract (docs/contract.md, tests/contract.py), and appears in the random trees of
tests/strategies.py that the other property tests use."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import lrkit
from contract import assert_within_contract
from lrkit import plugins
from strategies import (
    COMBINATOR_KINDS,
    combinator,
    group_trees,
    leaf,
    names_in,
    primitives,
    schedule_trees,
)

STEPS = 400


def _builtins() -> list[str]:
    return sorted(e.name for e in plugins.registry().entries() if e.provider.startswith("lrkit."))


BUILTINS = _builtins()


def test_the_registry_lists_every_declared_builtin() -> None:
    assert set(lrkit.fields.DECLARED) == set(BUILTINS)
    assert len(BUILTINS) >= 26


def test_lrkit_exports_every_core_builtin_by_its_name() -> None:
    """``lrkit.__all__`` holds each declared constructor of the core modules (parity ones live
    in ``lrkit.parity``); the import line in ``lrkit/__init__.py`` is what type checkers read."""
    core_modules = {"lrkit.primitives", "lrkit.combinators", "lrkit.cycles"}
    expected = {
        name
        for name, factory in lrkit.fields.DECLARED.items()
        if factory.__module__ in core_modules
    }
    assert expected <= set(lrkit.__all__), sorted(expected - set(lrkit.__all__))
    for name in expected:  # (product's declared constructor takes a list: it is not public)
        assert getattr(lrkit, name).__module__ == lrkit.fields.DECLARED[name].__module__


def _rooted_at(name: str) -> st.SearchStrategy[lrkit.Schedule]:
    """Random schedules (tests/strategies.py) whose root is a ``name`` schedule."""
    if name == "per_group":
        return group_trees
    if name in COMBINATOR_KINDS:
        return combinator(name, primitives())
    return leaf(name)


@pytest.mark.parametrize("name", BUILTINS)
@settings(max_examples=30, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_builtin_engine_equals_reference(name: str, data: st.DataObject) -> None:
    schedule = data.draw(_rooted_at(name), label=name)
    if schedule.groups is not None:
        table = schedule.table(STEPS)
        for g, group in enumerate(schedule.schedules):  # type: ignore[attr-defined]
            reference = np.array([group(t) for t in range(STEPS)])
            assert_within_contract(group, table[:, g], reference)
        return
    reference = np.array([schedule(t) for t in range(STEPS)])
    assert_within_contract(schedule, schedule.table(STEPS), reference)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_appears_in_the_random_trees(name: str) -> None:
    trees = group_trees if name == "per_group" else schedule_trees
    found = find(
        trees,
        lambda s: name in names_in(s),
        settings=settings(max_examples=3000, database=None, deadline=None, phases=[Phase.generate]),
    )
    assert name in names_in(found)
