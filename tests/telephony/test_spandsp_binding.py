"""The cffi binding: built at install time, built on first use where it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import faxline
import faxline.telephony.spandsp as binding
from faxline.telephony.spandsp import build

pytestmark = pytest.mark.database_independent

SOURCES = Path(faxline.__file__).resolve().parent


def copy_package(root: Path) -> Path:
    """The binding's package and its parents, without any built extension, under ``root``."""
    package = root / "faxline" / "telephony" / "spandsp"
    package.mkdir(parents=True)
    shutil.copy(SOURCES / "__init__.py", root / "faxline" / "__init__.py")
    shutil.copy(SOURCES / "telephony" / "__init__.py", root / "faxline" / "telephony")
    for name in ("__init__.py", "build.py"):
        shutil.copy(SOURCES / "telephony" / "spandsp" / name, package / name)
    return package


def python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def extensions(package: Path) -> list[Path]:
    return sorted(package.glob("_spandsp*.so"))


def test_a_fresh_checkout_builds_on_first_use_and_the_build_module_rebuilds(
    tmp_path: Path,
) -> None:
    package = copy_package(tmp_path)
    assert extensions(package) == []
    done = python(
        tmp_path,
        "-c",
        "from faxline.telephony import spandsp; print(spandsp.release_date(), spandsp.__file__)",
    )
    assert done.returncode == 0, done.stderr
    date, where = done.stdout.split()
    assert date == "20110122"  # Debian's spandsp 0.0.6
    assert Path(where).parent == package  # the copy, not the worktree's package
    (extension,) = extensions(package)
    built_at = extension.stat().st_mtime
    # Up to date: the build module's --if-stale (what an install step may run) leaves it alone.
    again = python(tmp_path, "-m", "faxline.telephony.spandsp.build", "--if-stale")
    assert again.returncode == 0 and again.stdout == "", again.stderr
    assert extension.stat().st_mtime == built_at
    # The build script is newer (an edited declaration): it is rebuilt, replaced atomically.
    later = time.time() + 5
    os.utime(package / "build.py", (later, later))
    rebuilt = python(tmp_path, "-m", "faxline.telephony.spandsp.build", "--if-stale")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "built" in rebuilt.stdout
    assert extension.stat().st_mtime > built_at
    assert not list(package.glob(".*.tmp"))  # no staging file left behind


def test_without_the_extension_and_no_way_to_build_it_the_error_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(build, "is_stale", lambda: True)
    monkeypatch.setattr(binding.os, "access", lambda path, mode: False)
    with pytest.raises(binding.BindingUnavailable, match=r"run `make`.*spandsp\.build"):
        binding._load()


def test_the_compiler_supplies_the_layout_of_the_0_0_6_statistics() -> None:
    # 15 ints in 0.0.6 (spandsp 3.0 changed this struct): the header decides, not us.
    assert binding.ffi.sizeof("t30_stats_t") == 60
    assert binding.ffi.offsetof("t30_stats_t", "pages_rx") == 12
    assert binding.ffi.offsetof("t30_stats_t", "current_status") == 56
    assert binding.lib.T4_COMPRESSION_ITU_T6 == 3  # an enum value in 0.0.6, not a bit
