import pytest

from liveinstall import Home, shared_demo_home

from cast import cast  # noqa: F401


@pytest.fixture(scope="session")
def live_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A migrated demo install on SQLite, made once per run; copy it per test
    (``liveinstall.copy_home``)."""
    return shared_demo_home(tmp_path_factory)
