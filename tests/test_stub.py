"""python/lrkit/_core.pyi, the hand-written stub, names exactly what the extension defines, with
the same constructor parameters."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import lrkit._core as core

STUB = Path(__file__).resolve().parents[1] / "python" / "lrkit" / "_core.pyi"


def _stub() -> dict[str, ast.AST]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def test_the_stub_and_the_extension_define_the_same_names() -> None:
    defined = {n for n in dir(core) if not n.startswith("_")}
    assert set(_stub()) == defined


def test_constructor_parameters_match() -> None:
    for name, node in _stub().items():
        if not isinstance(node, ast.ClassDef) or name == "Node":
            continue
        init = next(
            (f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"),
            None,
        )
        assert init is not None, name
        stub_params = [a.arg for a in init.args.args[1:]]
        doc = inspect.getdoc(getattr(core, name).__init__) or ""
        signature = doc.splitlines()[0]  # pybind11: "__init__(self: ..., start: float, ...)"
        bound = [p.split(":")[0].strip() for p in signature.split("(", 1)[1].split(",")[1:]]
        bound = [p.rstrip(")") for p in bound if p]
        assert bound == stub_params, (name, bound, stub_params)
