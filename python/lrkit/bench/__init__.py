"""Benchmarks of lrkit against numpy and torch: the rows of ``lrkit bench``."""

__all__: list[str] = []
