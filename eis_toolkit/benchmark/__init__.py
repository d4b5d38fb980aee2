"""Benchmarks: the numbers of DESIGN.md computed from submitted reviews, charts and exports."""
