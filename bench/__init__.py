"""Benchmarks (run as scripts: python bench/bench_*.py)."""
