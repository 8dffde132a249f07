"""Fixtures of the porting tests: the standard cast."""

from cast import cast  # noqa: F401
