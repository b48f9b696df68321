"""Benchmarks: `make bench` (stage timings and message statistics at national scale)."""
