"""The layers of lrkit (DESIGN.md §2), read from the source: every import, function-level and
``TYPE_CHECKING`` ones included.

* Model (schedule classes, their Python references, units, checks) imports only the Model;
  the one exception is the façade inside ``Schedule.table``, which calls ``lrkit.engine``.
* Lowering (``lrkit.engine``, ``lrkit._native``) imports the Model and the compiled ``_core``.
* Registry (plain data ``lrkit.names``, ``hookspecs``, ``plugins`` with its catalog,
  ``builtins``, the ``registry`` façade) imports the Model and itself, never the engine.
* No import cycle among lrkit's modules (the package ``__init__``, the public façade that
  re-exports everything, is left out: the Model, Lowering and Registry may not import it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "python"
PACKAGE = ROOT / "lrkit"

MODEL = {
    "lrkit.schedule",
    "lrkit.units",
    "lrkit._checks",
    "lrkit._cfloat",
    "lrkit.fields",
    "lrkit.primitives",
    "lrkit.combinators",
    "lrkit.cycles",
    "lrkit.parity",
    "lrkit.parity.hf",
    "lrkit.parity.optax",
    "lrkit.parity.timm",
    "lrkit.parity.torch",
}
LOWERING = {"lrkit.engine", "lrkit._native", "lrkit._core"}
REGISTRY = {
    "lrkit.names",
    "lrkit.hookspecs",
    "lrkit.plugins",
    "lrkit.builtins",
    "lrkit.registry",
    "lrkit._version",
}
#: The only upward imports: (module, function it sits in, module it imports).
FACADES = {("lrkit.schedule", "table", "lrkit.engine"), ("lrkit.schedule", "plot", "lrkit.plot")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    if node.level:
        package = module.split(".")
        is_package = MODULES.get(module, Path()).name == "__init__.py"
        base = package[: len(package) - node.level + (1 if is_package else 0)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        targets.append(candidate if candidate in MODULES or candidate in LOWERING else prefix)
    return targets


def imports(module: str) -> list[tuple[str, str]]:
    """``(function or "<module>", imported lrkit module)`` for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            scope = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope = child.name
            if isinstance(child, ast.Import):
                found.extend((scope, a.name) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend((scope, t) for t in _resolve(module, child))
            visit(child, scope)

    visit(tree, "<module>")
    return [(w, t) for w, t in found if t == "lrkit" or t.startswith("lrkit.")]


def _violations(layer: set[str], allowed: set[str]) -> list[str]:
    bad = []
    for module in sorted(layer & set(MODULES)):
        for where, target in imports(module):
            if target in allowed or (module, where, target) in FACADES:
                continue
            bad.append(f"{module} ({where}) imports {target}")
    return bad


def test_the_layers_are_the_modules_that_exist() -> None:
    assert (MODEL | REGISTRY | {"lrkit.engine", "lrkit._native"}) <= set(MODULES)


def test_the_model_imports_only_the_model() -> None:
    assert _violations(MODEL, MODEL) == []


def test_lowering_imports_only_the_model_and_the_compiled_engine() -> None:
    assert _violations(LOWERING, MODEL | LOWERING) == []


def test_the_registry_imports_only_the_model_and_itself() -> None:
    assert _violations(REGISTRY, MODEL | REGISTRY) == []


def test_torch_reaches_the_engine_only_through_lowering() -> None:
    torch_layer = {m for m in MODULES if m == "lrkit.torch" or m.startswith("lrkit.torch.")}
    assert torch_layer
    compiled = {"lrkit._native", "lrkit._core"}
    assert _violations(torch_layer, set(MODULES) - compiled) == []


def test_no_import_cycle() -> None:
    graph = {
        m: {
            t
            for where, t in imports(m)
            if t in MODULES and t != "lrkit" and (m, where, t) not in FACADES
        }
        for m in MODULES
        if m != "lrkit"
    }
    cycles = _cycles(graph)
    assert cycles == [], cycles


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from lrkit._native import core", {("<module>", "lrkit._native")}),
        ("def f():\n    from lrkit.engine import table", {("f", "lrkit.engine")}),
        ("from lrkit import plugins", {("<module>", "lrkit.plugins")}),
        ("import lrkit.registry", {("<module>", "lrkit.registry")}),
    ],
)
def test_the_reader_sees_every_kind_of_import(
    source: str, expected: set[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, "lrkit.probe", probe)
    assert set(imports("lrkit.probe")) == expected
    assert _violations({"lrkit.probe"}, MODEL) != []


def test_a_cycle_is_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
