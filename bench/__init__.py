"""Benchmarks that measure govwatch beside the tools a user would pick instead, in one run."""
