"""Metrics: pure functions over the processed tables, polars in and out, parameters as data."""
