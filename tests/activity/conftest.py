from cast import cast  # noqa: F401
