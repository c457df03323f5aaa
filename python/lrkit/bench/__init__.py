"""Benchmarks of lrkit against numpy and torch: the rows of ``lrkit bench``."""
