"""The plugin contract: built-ins and third-party plugins through one hook, failures isolated."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

import lrkit
from lrkit import hookspecs, plugins
from lrkit.registry import DuplicateScheduleError, Registry, UnknownScheduleError

InstallFn = Callable[..., None]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


class Halving(lrkit.Schedule):
    """A pure-Python schedule with a plain __init__ (no base-class ceremony)."""

    def __init__(self, start: float, every: int) -> None:
        self.start = start
        self.every = every

    def value(self, step: int) -> float:
        return self.start * 0.5 ** (step // self.every)


def halving_function(start: float, every: int) -> Halving:
    """A registered function (not the class) returning a plugin schedule."""
    return Halving(start, every)


def plateau(peak: float, length: int) -> lrkit.Schedule:
    """A composition of built-ins."""
    return lrkit.warmup(lrkit.constant(peak), length=length)


class GoodPlugin:
    @staticmethod
    @lrkit.hookimpl
    def lrkit_register_schedules(register: hookspecs.Register) -> None:
        register("halving", Halving)
        register("halving_fn", halving_function)
        register("plateau", plateau)


def test_builtins_register_through_the_hook_like_plugins() -> None:
    manager = plugins.plugin_manager()
    for module_name in plugins.BUILTIN_MODULES:
        module = importlib.import_module(module_name)
        assert manager.get_plugin(module_name) is module
        impls = manager.hook.lrkit_register_schedules.get_hookimpls()
        assert any(impl.plugin is module for impl in impls)
    names = lrkit.schedules()
    for name in ("constant", "cosine", "multistep", "warmup", "sequence", "per_group", "wsd"):
        assert names[name].startswith("lrkit."), (name, names[name])
    assert names["cosine"] == "lrkit.primitives"
    assert names["warmup"] == "lrkit.combinators"


def test_hook_lrkit_register_schedules(install: InstallFn) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    assert lrkit.schedules()["halving"] == "lrkit-good 1.0"
    s = lrkit.create({"name": "halving", "start": 0.8, "every": 10})
    assert isinstance(s, Halving)
    assert [s(t) for t in (0, 9, 10, 25)] == [0.8, 0.8, 0.4, 0.2]
    assert s.table(30)[[0, 9, 10, 25]].tolist() == [0.8, 0.8, 0.4, 0.2]
    info = next(p for p in plugins.plugins() if p.distribution == "lrkit-good")
    assert (info.name, info.version, info.schedules) == (
        "good",
        "1.0",
        ("halving", "halving_fn", "plateau"),
    )
    assert plugins.failures() == []


@pytest.mark.parametrize(
    "config",
    [
        {"name": "halving", "start": 0.8, "every": 10},
        {"name": "halving_fn", "start": 0.8, "every": 10},
        {"name": "plateau", "peak": 0.5, "length": 4},
        {"name": "warmup", "schedule": {"name": "plateau", "peak": 0.5, "length": 4}, "length": 2},
    ],
)
def test_a_schedule_created_by_name_serialises_back_to_its_config(
    install: InstallFn, config: dict[str, Any]
) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    s = lrkit.create(config)
    assert s.to_config() == config
    again = lrkit.create(s.to_config())
    assert again == s
    assert again.table(50).tolist() == s.table(50).tolist()


def test_a_plugin_class_built_directly_serialises_when_the_class_is_registered(
    install: InstallFn,
) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    assert Halving(0.8, 10).to_config() == {"name": "halving", "start": 0.8, "every": 10}


def test_resolving_a_schedule_created_by_name_keeps_its_name(install: InstallFn) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    s = lrkit.create({"name": "plateau", "peak": 0.5, "length": {"epochs": 2}})
    assert s.to_config()["length"] == {"epochs": 2}
    resolved = s.resolve(steps_per_epoch=3)
    assert resolved.to_config() == {"name": "plateau", "peak": 0.5, "length": 6}
    assert (
        resolved.table(8).tolist() == lrkit.warmup(lrkit.constant(0.5), length=6).table(8).tolist()
    )


def test_import_failure_is_reported_by_distribution_and_others_keep_working(
    install: InstallFn,
) -> None:
    install("lrkit-broken", {"broken": None}, version="0.3")
    install("lrkit-good", {"good": GoodPlugin})
    (failure,) = plugins.failures()
    assert (failure.distribution, failure.version, failure.plugin, failure.stage) == (
        "lrkit-broken",
        "0.3",
        "broken",
        "import",
    )
    assert "ModuleNotFoundError" in failure.error
    assert "lrkit-broken 0.3" in str(failure)
    assert lrkit.create({"name": "halving", "start": 1.0, "every": 2})(2) == 0.5
    assert lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": 2})(1) == 0.5


def test_a_hook_that_raises_is_reported_and_registers_nothing(install: InstallFn) -> None:
    class Raising:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("half_registered", Halving)
            raise RuntimeError("plugin bug")

    install("lrkit-raising", {"raising": Raising}, version="2.0")
    install("lrkit-good", {"good": GoodPlugin})
    (failure,) = plugins.failures()
    assert (failure.distribution, failure.stage) == ("lrkit-raising", "hook")
    assert failure.error == "RuntimeError: plugin bug"
    assert "half_registered" not in lrkit.schedules()
    assert "halving" in lrkit.schedules()


def test_a_duplicate_name_is_an_error_naming_both_providers(install: InstallFn) -> None:
    class Other:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("halving", halving_function)
            register("other_only", plateau)

    install("lrkit-good", {"good": GoodPlugin})
    install("lrkit-other", {"other": Other}, version="0.9")
    with pytest.raises(
        DuplicateScheduleError, match=r"'halving'.*lrkit-good 1\.0.*lrkit-other 0\.9"
    ):
        lrkit.create({"name": "halving", "start": 1.0, "every": 2})
    (failure,) = plugins.failures()
    assert failure.stage == "register"
    assert "lrkit-good 1.0" in failure.error and "lrkit-other 0.9" in failure.error
    # everything else keeps working, including the other names of both plugins
    assert lrkit.create({"name": "other_only", "peak": 1.0, "length": 2})(1) == 0.5
    assert lrkit.create({"name": "plateau", "peak": 1.0, "length": 2})(2) == 1.0
    assert "halving" not in lrkit.schedules()


def test_a_plugin_taking_a_builtin_name_leaves_the_builtin_working(
    install: InstallFn, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrkit.cli import main
    from lrkit.torch import Scheduler

    class Shadow:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("cosine", plateau)
            register("shadow_only", plateau)

    config = {"name": "cosine", "start": 1.0, "end": 0.0, "length": 2}
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    state = Scheduler(optimizer, lrkit.create(config)).state_dict()  # saved before the install
    install("lrkit-shadow", {"shadow": Shadow})
    assert type(lrkit.create(config)) is type(lrkit.cosine(1.0, 0.0, 2))
    assert lrkit.schedules()["cosine"] == "lrkit.primitives"
    fresh = Scheduler(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0), config)
    fresh.load_state_dict(state)  # the checkpoint still loads
    (failure,) = plugins.failures()
    assert failure.stage == "register"
    assert "'cosine' is a built-in (lrkit.primitives)" in failure.error
    assert "reach it as 'lrkit-shadow/cosine'" in failure.error
    shadowed = lrkit.create({"name": "lrkit-shadow/cosine", "peak": 1.0, "length": 2})
    assert shadowed(1) == plateau(peak=1.0, length=2)(1)
    assert shadowed.to_config()["name"] == "lrkit-shadow/cosine"
    assert lrkit.create({"name": "shadow_only", "peak": 1.0, "length": 2})(2) == 1.0
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "lrkit-shadow/cosine  lrkit-shadow 1.0  (qualified: 'cosine' is the name of" in out
    assert "1 plugin problem(s)" in out
    assert main(["--quiet", "table", "cosine:start=1,end=0,length=2", "--steps", "2"]) == 0


def test_two_plugins_with_one_name_are_each_reachable_qualified(
    install: InstallFn, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrkit.cli import main

    class Other:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("halving", plateau)

    install("lrkit-good", {"good": GoodPlugin})
    install("lrkit_Other", {"other": Other}, version="0.9")
    with pytest.raises(
        DuplicateScheduleError, match="'lrkit-good/halving' or 'lrkit-other/halving'"
    ):
        lrkit.create({"name": "halving", "start": 1.0, "every": 2})
    good = lrkit.create({"name": "lrkit-good/halving", "start": 1.0, "every": 2})
    other = lrkit.create({"name": "lrkit-other/halving", "peak": 1.0, "length": 2})
    assert [good(t) for t in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert other(1) == 0.5
    assert lrkit.create(good.to_config()) == good and lrkit.create(other.to_config()) == other
    assert lrkit.create({"name": "halving_fn", "start": 1.0, "every": 2})(2) == 0.5
    assert main(["--quiet", "table", "lrkit-good/halving:start=1,every=2", "--steps", "3"]) == 0
    assert capsys.readouterr().out.split() == ["step,value", "0,1.0", "1,1.0", "2,0.5"]


def test_a_misspelt_hook_is_reported_not_silently_ignored(install: InstallFn) -> None:
    class Typo:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedule(register: hookspecs.Register) -> None:
            register("never", plateau)

    install("lrkit-typo", {"typo": Typo})
    (failure,) = plugins.failures()
    assert (failure.distribution, failure.stage) == ("lrkit-typo", "validate")
    assert "lrkit_register_schedule" in failure.error
    assert "never" not in lrkit.schedules()


def test_a_hook_may_take_fewer_arguments_than_its_spec(install: InstallFn) -> None:
    class NoArguments:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules() -> None:
            pass

    install("lrkit-quiet", {"quiet": NoArguments})
    assert plugins.failures() == []
    assert any(p.distribution == "lrkit-quiet" for p in plugins.plugins())


def test_bad_registrations_are_reported(install: InstallFn) -> None:
    class Bad:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("not a name", plateau)
            register("fine", plateau)
            register("not_callable", 3)  # type: ignore[arg-type]

    install("lrkit-bad", {"bad": Bad})
    errors = [f.error for f in plugins.failures()]
    assert len(errors) == 2
    assert "'not a name'" in errors[0] and "lrkit-bad" in errors[0]
    assert "not callable" in errors[1]
    assert "fine" in lrkit.schedules()


@pytest.mark.parametrize("value", ["1", "true", "all"])
def test_disable_env_skips_every_entry_point(
    install: InstallFn, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    monkeypatch.setenv("LRKIT_DISABLE_PLUGINS", value)
    plugins.reload()
    assert "halving" not in lrkit.schedules()
    assert "cosine" in lrkit.schedules()
    assert plugins.state().disabled == ["lrkit-good 1.0 (good)"]
    with pytest.raises(UnknownScheduleError, match="unknown schedule 'halving'"):
        lrkit.create({"name": "halving", "start": 1.0, "every": 2})


def test_disable_env_with_names_skips_only_those(
    install: InstallFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Other:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("halving", halving_function)

    install("lrkit-good", {"good": GoodPlugin})
    install("lrkit-other", {"other": Other})
    monkeypatch.setenv("LRKIT_DISABLE_PLUGINS", "lrkit_other")  # names compare normalised
    plugins.reload()
    assert lrkit.schedules()["halving"] == "lrkit-good 1.0"
    assert plugins.failures() == []
    monkeypatch.setenv("LRKIT_DISABLE_PLUGINS", "nothing-else, Lrkit.Other ")  # spaces too
    plugins.reload()
    assert lrkit.schedules()["halving"] == "lrkit-good 1.0"
    assert plugins.state().disabled == ["lrkit-other 1.0 (other)"]


def test_disable_env_zero_disables_nothing(
    install: InstallFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    install("lrkit-good", {"good": GoodPlugin})
    monkeypatch.setenv("LRKIT_DISABLE_PLUGINS", "0")
    plugins.reload()
    assert "halving" in lrkit.schedules()


def test_load_with_registers_an_unpackaged_plugin(install: InstallFn) -> None:
    state = plugins.load_with(GoodPlugin(), name="local")
    assert state.registry.providers()["plateau"] == "local 0+inline"
    assert lrkit.create({"name": "plateau", "peak": 2.0, "length": 2})(1) == 1.0


def test_unknown_names_suggest_close_matches() -> None:
    with pytest.raises(UnknownScheduleError, match="did you mean 'cosine'"):
        lrkit.create({"name": "cosin", "start": 1.0, "end": 0.0, "length": 2})
    with pytest.raises(UnknownScheduleError) as info:
        lrkit.create({"name": "zzzzzz"})
    assert "did you mean" not in str(info.value)


def test_arguments_are_checked_against_the_factory_signature() -> None:
    with pytest.raises(TypeError, match="'cosine' has no argument 'lenght'; did you mean 'length'"):
        lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "lenght": 2})
    with pytest.raises(TypeError, match="'cosine' is missing argument 'length'"):
        lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0})


def test_a_factory_must_return_a_schedule(install: InstallFn) -> None:
    class NotASchedule:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("number", lambda: 0.1)

    install("lrkit-number", {"number": NotASchedule})
    with pytest.raises(
        TypeError, match=r"factory of 'number' returned 0\.1, not a lrkit\.Schedule"
    ):
        lrkit.create({"name": "number"})


def test_registry_refuses_duplicates_and_bad_entries_directly() -> None:
    registry = Registry()
    registry.register("a", plateau, provider="first")
    with pytest.raises(
        DuplicateScheduleError, match="'a' is registered twice: by first and by second"
    ):
        registry.register("a", plateau, provider="second")
    with pytest.raises(TypeError, match="name"):
        registry.register("", plateau, provider="p")
    with pytest.raises(TypeError, match="not callable"):
        registry.register("b", None, provider="p")  # type: ignore[arg-type]
    registry.register("myorg.a", plateau, provider="p")
    assert registry.providers() == {"a": "first", "myorg.a": "p"}


def test_every_hook_has_a_test_and_is_documented() -> None:
    hooks = [name for name in dir(hookspecs) if name.startswith("lrkit_")]
    assert hooks == ["lrkit_register_schedules"]
    docs = DOCS.read_text(encoding="utf-8")
    tests = globals()
    for hook in hooks:
        assert f"test_hook_{hook}" in tests, f"no test_hook_{hook}"
        assert f"{hook}(register)" in docs, f"{hook} is not documented in {DOCS}"


def test_cli_reports_plugins_failures_and_conflicts(
    install: InstallFn, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrkit.cli import main

    class Other:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("plateau", halving_function)

    install("lrkit-broken", {"broken": None}, version="0.3")
    install("lrkit-good", {"good": GoodPlugin})
    install("lrkit-other", {"other": Other}, version="0.9")
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "plugin    lrkit-good 1.0  (good = fake_lrkit_plugin_lrkit_good_good)" in out
    assert "3 schedule(s): halving, halving_fn, plateau" in out
    assert "lrkit-broken 0.3 (broken), import: ModuleNotFoundError" in out
    assert "lrkit-other 0.9 (other), register: schedule name 'plateau' is registered twice" in out
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "plateau" in out and "CONFLICT: registered by lrkit-good 1.0 and lrkit-other 0.9" in out
    assert "2 plugin problem(s): run `lrkit plugins`" in out
    assert main(["--quiet", "table", "halving:start=1,every=2", "--steps", "5"]) == 0
    assert capsys.readouterr().out.split() == [
        "step,value",
        "0,1.0",
        "1,1.0",
        "2,0.5",
        "3,0.5",
        "4,0.25",
    ]
    assert main(["--quiet", "show", "plateau:peak=1,length=2", "--steps", "5"]) == 2
    assert "registered twice: by lrkit-good 1.0 and by lrkit-other 0.9" in capsys.readouterr().err


def test_a_plugin_using_names_while_loading_fails_alone(install: InstallFn) -> None:
    class Eager:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("eager", lambda: lrkit.create({"name": "constant"}))
            lrkit.create({"name": "constant"})  # too early: the registry is being built

    install("lrkit-eager", {"eager": Eager})
    install("lrkit-good", {"good": GoodPlugin})
    (failure,) = plugins.failures()
    assert failure.distribution == "lrkit-eager" and failure.stage == "hook"
    assert "still loading plugins" in failure.error
    assert "halving" in lrkit.schedules() and "eager" not in lrkit.schedules()


def test_the_remembered_config_survives_pickle_and_deepcopy(install: InstallFn) -> None:
    import copy
    import pickle

    install("lrkit-good", {"good": GoodPlugin})
    config = {"name": "plateau", "peak": 0.5, "length": 4}
    s = lrkit.create(config)
    for clone in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s)):
        assert clone == s and clone.to_config() == config
        assert clone.table(6).tolist() == [0.0, 0.125, 0.25, 0.375, 0.5, 0.5]


def test_a_factory_handing_out_a_shared_instance_keeps_it_unchanged() -> None:
    shared = lrkit.warmup(lrkit.constant(0.5), length=4)

    class Shared:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("shared", lambda: shared)

    plugins.load_with(Shared())
    created = lrkit.create({"name": "shared"})
    assert created.to_config() == {"name": "shared"}
    assert created is not shared and created == shared
    assert shared.to_config()["name"] == "warmup"


def test_a_plugin_exiting_at_import_or_in_its_hook_fails_alone(
    install: InstallFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = "fake_lrkit_plugin_lrkit_exit_import_exits"  # the name `install` gives it
    (tmp_path / f"{module}.py").write_text("import sys\nsys.exit('no GPU here')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)

    class ExitingHook:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("never", plateau)
            sys.exit(3)

    install("lrkit-exit-hook", {"hook": ExitingHook})
    install("lrkit-exit-import", {"exits": None}, version="0.1")  # imports the file above
    install("lrkit-good", {"good": GoodPlugin})
    failures = {f.distribution: f for f in plugins.failures()}
    assert set(failures) == {"lrkit-exit-hook", "lrkit-exit-import"}
    assert (failures["lrkit-exit-hook"].stage, failures["lrkit-exit-hook"].error) == (
        "hook",
        "SystemExit: 3",
    )
    assert failures["lrkit-exit-import"].stage == "import"
    assert failures["lrkit-exit-import"].error == "SystemExit: no GPU here"
    assert "halving" in lrkit.schedules() and "never" not in lrkit.schedules()


def test_failures_are_one_line(install: InstallFn) -> None:
    class WrongArgument:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(reg: hookspecs.Register) -> None:
            reg("never", plateau)

    install("lrkit-wrong", {"wrong": WrongArgument})
    (failure,) = plugins.failures()
    assert failure.stage == "validate"
    assert "\n" not in str(failure)
    assert "{'reg'} are declared in the hookimpl but can not be found in the hookspec" in str(
        failure
    )


def test_register_after_the_hook_returned_is_an_error(install: InstallFn) -> None:
    kept: list[hookspecs.Register] = []

    class Keeper:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            kept.append(register)

    install("lrkit-keeper", {"keeper": Keeper})
    assert plugins.failures() == []
    with pytest.raises(RuntimeError, match="called after lrkit_register_schedules returned"):
        kept[0]("late", plateau)
    assert "late" not in lrkit.schedules()


def test_one_plugin_registering_a_name_twice(install: InstallFn) -> None:
    class Twice:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("twice", plateau)
            register("twice", halving_function)
            register("once", plateau)

    install("lrkit-twice", {"twice": Twice}, version="3.1")
    (failure,) = plugins.failures()
    assert failure.error == (
        "schedule name 'twice' is registered twice by lrkit-twice 3.1; "
        "each name must be registered once"
    )
    with pytest.raises(DuplicateScheduleError, match=r"registered twice by lrkit-twice 3\.1"):
        lrkit.create({"name": "twice", "peak": 1.0, "length": 2})
    assert "once" in lrkit.schedules()


def test_three_providers_of_one_name_are_all_named(install: InstallFn) -> None:
    def taker(register: hookspecs.Register) -> None:
        register("shared_name", plateau)

    for dist in ("lrkit-a", "lrkit-b", "lrkit-c"):
        namespace = type("P", (), {"lrkit_register_schedules": staticmethod(lrkit.hookimpl(taker))})
        install(dist, {"p": namespace})
    with pytest.raises(DuplicateScheduleError) as error:
        lrkit.create({"name": "shared_name", "peak": 1.0, "length": 2})
    assert "registered 3 times: by lrkit-a 1.0 and by lrkit-b 1.0 and by lrkit-c 1.0" in str(
        error.value
    )


def test_cli_plugins_marks_names_that_conflict(
    install: InstallFn, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrkit.cli import main

    class Other:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            register("plateau", halving_function)

    class Empty:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules() -> None:
            pass

    install("lrkit-good", {"good": GoodPlugin})
    install("lrkit-other", {"other": Other}, version="0.9")
    install("lrkit-empty", {"empty": Empty})
    assert main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "          3 schedule(s): halving, halving_fn, plateau (CONFLICT)" in lines
    assert (
        lines[
            lines.index("plugin    lrkit-empty 1.0  (empty = fake_lrkit_plugin_lrkit_empty_empty)")
            + 1
        ]
        == "          0 schedules"
    )


def _python_blocks(text: str) -> list[str]:
    blocks, inside, lines = [], False, []
    for line in text.splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append("\n".join(lines))
            inside, lines = line == "```python", []
        elif inside:
            lines.append(line)
    return blocks


def test_the_code_in_docs_plugins_md_works_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ten lines, the Python schedule and the many-names hook of docs/plugins.md, run as a
    plugin (the installed example plugin, which has the same names, is switched off)."""
    import types

    import numpy as np

    ten_lines, _, many_names, rex, created = _python_blocks(DOCS.read_text(encoding="utf-8"))
    module = types.ModuleType("docs_plugin")
    exec(ten_lines, module.__dict__)
    exec(rex, module.__dict__)
    exec(many_names, module.__dict__)
    monkeypatch.setenv(plugins.DISABLE_ENV, "lrkit-example-plugin")
    plugins.load_with(module, name="docs-plugin")
    assert plugins.failures() == []
    assert (
        lrkit.schedules()["rex"]
        == lrkit.schedules()["warmup_cosine_decay"]
        == "docs-plugin 0+inline"
    )
    namespace: dict[str, Any] = {"lrkit": lrkit}
    exec(created, namespace)
    config = {"name": "warmup_cosine_decay", "peak": 0.1, "warmup": 500, "decay": 9500}
    assert namespace["s"].to_config() == config  # what the comment in the docs says
    s = lrkit.create({"name": "rex", "peak": 0.1, "length": 100})
    assert s.to_config() == {"name": "rex", "peak": 0.1, "length": 100}
    built = module.Rex(peak=0.1, length=100)  # built directly: every argument
    assert built.to_config() == {"name": "rex", "peak": 0.1, "length": 100, "floor": 0.0}
    assert lrkit.create(built.to_config()) == built
    expected = [0.1 * (1 - t / 100) / (0.5 + 0.5 * (1 - t / 100)) for t in range(100)] + [0.0]
    np.testing.assert_allclose(s.table(101), expected, rtol=1e-12, atol=1e-18)
    assert [s(t) for t in (0, 50, 100)] == [0.1, pytest.approx(0.1 / 1.5), 0.0]


def test_a_plugin_raising_a_base_exception_fails_alone_but_ctrl_c_stops_loading(
    install: InstallFn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from lrkit.cli import main

    module = "fake_lrkit_plugin_lrkit_cancelled_cancels"  # the name `install` gives it
    (tmp_path / f"{module}.py").write_text("import asyncio\nraise asyncio.CancelledError()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)

    class GeneratorExitHook:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            raise GeneratorExit

    install("lrkit-cancelled", {"cancels": None})
    install("lrkit-genexit", {"hook": GeneratorExitHook})
    install("lrkit-good", {"good": GoodPlugin})
    failures = {f.distribution: f for f in plugins.failures()}
    assert failures["lrkit-cancelled"].stage == "import"
    assert failures["lrkit-cancelled"].error.startswith("CancelledError")
    assert failures["lrkit-genexit"].stage == "hook"
    assert lrkit.create({"name": "halving", "start": 1.0, "every": 2})(2) == 0.5
    assert lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": 2})(1) == 0.5
    assert main(["list"]) == 0
    assert "2 plugin problem(s)" in capsys.readouterr().out

    class Interrupted:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: hookspecs.Register) -> None:
            raise KeyboardInterrupt

    install("lrkit-interrupted", {"hook": Interrupted})
    with pytest.raises(KeyboardInterrupt):
        lrkit.schedules()
