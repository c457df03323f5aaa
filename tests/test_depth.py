"""Schedule trees deeper than ``lrkit.schedule.MAX_DEPTH`` are refused at construction, naming
the limit; every tree up to it works everywhere (repr, ==, hash, configs, pickles, tables,
checkpoints), without RecursionError."""

from __future__ import annotations

import copy
import pickle

import pytest
import torch

import lrkit
from lrkit.schedule import MAX_DEPTH, depth_of
from lrkit.torch import Scheduler


def chain(levels: int) -> lrkit.Schedule:
    schedule: lrkit.Schedule = lrkit.constant(1.0)
    for i in range(levels - 1):
        schedule = lrkit.scale(schedule, 1.0) if i % 2 else lrkit.clip(schedule, 0.0, 2.0)
    return schedule


def test_the_deepest_tree_works_everywhere() -> None:
    deep = chain(MAX_DEPTH)
    assert depth_of(deep) == MAX_DEPTH
    assert repr(deep).count("scale(") == (MAX_DEPTH - 1) // 2
    rebuilt = lrkit.create(deep.to_config())
    assert rebuilt == deep and hash(rebuilt) == hash(deep) and repr(rebuilt) == repr(deep)
    assert pickle.loads(pickle.dumps(deep)) == deep == copy.deepcopy(deep)
    assert deep.table(3).tolist() == [1.0, 1.0, 1.0] and deep(5) == 1.0
    assert deep.resolve(steps_per_epoch=3) is deep
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    state = Scheduler(optimizer, deep).state_dict()
    resumed = Scheduler(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5), deep)
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == [0.5]


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 300])
def test_a_deeper_tree_is_refused_at_construction(levels: int) -> None:
    with pytest.raises(ValueError, match=f"{MAX_DEPTH + 1} levels deep.*limit of {MAX_DEPTH}"):
        chain(levels)
    config = chain(MAX_DEPTH).to_config()
    with pytest.raises(ValueError, match="levels deep"):
        lrkit.create({"name": "scale", "schedule": config, "factor": 1.0})
    with pytest.raises(ValueError, match="levels deep"):  # the depth survives a pickle
        lrkit.scale(pickle.loads(pickle.dumps(chain(MAX_DEPTH))), 1.0)


def test_a_combinator_at_the_limit_still_evaluates() -> None:
    warm = lrkit.warmup(chain(MAX_DEPTH - 1), 5)  # level MAX_DEPTH
    assert warm.table(3).tolist() == [0.0, 0.2, 0.4]
