"""Benchmarks and the dataset generator (not an app: nothing in the apps imports it)."""
