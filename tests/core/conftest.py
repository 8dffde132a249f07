"""Fixtures of the core tests: the standard cast."""

from cast import cast  # noqa: F401
