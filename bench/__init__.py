"""Benchmarks, run with `python bench/run.py` (see bench/README.md)."""
