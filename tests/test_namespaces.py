"""lrkit's public namespaces: an ``__all__`` in every public module that lists what it defines,
a package namespace without typing helpers, and ``lrkit.torch`` reachable as an attribute
without ``import lrkit`` importing torch."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import types
from pathlib import Path

import pytest

import lrkit

PACKAGE = Path(lrkit.__file__).resolve().parent


def _module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts[1:]) and parts[-1] != "__main__":
            continue  # private modules (lrkit._native, lrkit.torch._torch_internals, ...)
        if parts[-1] == "__main__":
            continue  # `python -m lrkit`, `python -m lrkit.cli`: scripts, not namespaces
        names.append(".".join(parts))
    return names


PUBLIC = _module_names()


def _defined_here(module: types.ModuleType) -> set[str]:
    """Public functions and classes the module's own source defines at top level."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    }


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_module_has_an_all_listing_its_definitions(name: str) -> None:
    if name.startswith("lrkit.torch") or name == "lrkit.bench.torch_anchors":
        pytest.importorskip("torch")
    if name == "lrkit.torch.lightning":
        pytest.importorskip("lightning")
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__ list"
    exported = module.__all__
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what the module does not have: {missing}"
    unlisted = sorted(_defined_here(module) - set(exported))
    assert not unlisted, f"{name} defines public {unlisted} but leaves them out of __all__"


def test_the_package_namespace_is_its_api() -> None:
    """``dir(lrkit)``: the names of ``__all__``, lrkit's submodules and the lazy attributes,
    nothing imported for the package's own use (``Any``, ``annotations``, ...)."""
    lazy = {"adjust_learning_rate", "plugins", "torch"}
    public = {n for n in dir(lrkit) if not n.startswith("_")}
    for helper in ("Any", "annotations", "TYPE_CHECKING", "typing", "importlib"):
        assert helper not in public
    stray = {
        n
        for n in public - set(lrkit.__all__) - lazy
        if not (
            isinstance(getattr(lrkit, n), types.ModuleType)
            and getattr(lrkit, n).__name__ == f"lrkit.{n}"
        )
    }
    assert not stray, f"dir(lrkit) shows names that are not lrkit's API: {sorted(stray)}"
    assert lazy <= set(dir(lrkit))
    assert len(set(lrkit.__all__)) == len(lrkit.__all__)


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=300
    ).stdout


def test_lrkit_torch_is_an_attribute_imported_on_first_use() -> None:
    pytest.importorskip("torch")
    out = _run(
        "import sys, lrkit\n"
        "print('torch' in sys.modules, 'lrkit.torch' in sys.modules)\n"
        "scheduler = lrkit.torch.Scheduler\n"
        "print('torch' in sys.modules, scheduler.__module__, lrkit.adjust_learning_rate.__name__)\n"
    )
    assert out.split("\n")[:2] == [
        "False False",
        "True lrkit.torch.scheduler adjust_learning_rate",
    ]


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'lrkit' has no attribute 'torchh'"):
        lrkit.torchh  # type: ignore[attr-defined]  # noqa: B018


def test_type_checkers_see_the_lazy_attributes_and_no_catch_all() -> None:
    """For a type checker, ``lrkit.torch`` (and the other lazy names) are imported under
    ``TYPE_CHECKING``, and ``__getattr__`` is hidden from it, so a misspelt attribute is an
    error in the checker too (a module ``__getattr__`` would make every attribute valid)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    seen: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                seen |= {alias.asname or alias.name for alias in stmt.names}
            assert all(
                not isinstance(s, ast.FunctionDef) or s.name != "__getattr__" for s in node.body
            )
        elif isinstance(node, ast.FunctionDef):
            assert node.name != "__getattr__", "a visible __getattr__ accepts any attribute"
    assert seen == {"adjust_learning_rate", "plugins", "torch"}
