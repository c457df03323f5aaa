"""Reading ``lrkit list``: a provider's line, then its schedules indented under it."""

from __future__ import annotations


def listed(out: str) -> dict[str, tuple[str, str]]:
    """``name -> (provider, first sentence)`` for every schedule ``lrkit list`` printed."""
    rows: dict[str, tuple[str, str]] = {}
    provider = ""
    for line in out.splitlines():
        if line.startswith("  "):
            name, _, sentence = line.strip().partition("  ")
            rows[name] = (provider, sentence.strip())
        else:  # a provider, or a line after the listing (conflicts, hints)
            provider = line
    return rows
