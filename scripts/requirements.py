"""Prints requirements declared in pyproject.toml, one per line (the Makefile's pip input).

    python scripts/requirements.py build-system          # [build-system] requires
    python scripts/requirements.py dependencies          # [project] dependencies
    python scripts/requirements.py extras test lint      # those optional-dependencies groups

Works on every Python lrkit supports: tomllib from 3.11, the tomli backport before.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def requirements(what: str, groups: list[str]) -> list[str]:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    if what == "build-system":
        return list(data["build-system"]["requires"])
    if what == "dependencies":
        return list(data["project"]["dependencies"])
    if what == "extras":
        extras = data["project"]["optional-dependencies"]
        unknown = [g for g in groups if g not in extras]
        if unknown:
            raise SystemExit(f"no optional-dependencies group {unknown} (have {sorted(extras)})")
        found: list[str] = []
        for group in groups:
            found += [r for r in extras[group] if r not in found]
        return found
    raise SystemExit(f"usage: {sys.argv[0]} build-system | dependencies | extras GROUP [GROUP ...]")


if __name__ == "__main__":
    print(*requirements(sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:]), sep="\n")
