"""Benchmarks: `make bench` runs every `bench_*.py` module here (see README.md)."""
