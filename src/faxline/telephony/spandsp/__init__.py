"""The cffi binding to libspandsp 0.0.6 (API mode, compiled against the installed headers).

``ffi`` and ``lib`` come from the extension ``_spandsp`` that ``make`` builds at install time
(``python -m faxline.telephony.spandsp.build``). When it is missing or older than the build
script and this directory is writable (a fresh clone or worktree running its tests), it is built
here on first use, which takes about a second; otherwise the import fails saying how to build
it. The T.30 sessions built on it are in ``faxline.telephony.t30``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

__all__ = ["BindingUnavailable", "ffi", "lib", "release_date"]


class BindingUnavailable(ImportError):
    """The compiled extension is missing and cannot be built here."""


def _load() -> Any:
    from faxline.telephony.spandsp import build as _build

    if _build.is_stale():
        if not os.access(_build.PACKAGE_DIR, os.W_OK):
            raise BindingUnavailable(
                "the spandsp binding is not built (or older than its build script) and "
                f"{_build.PACKAGE_DIR} is not writable: run `make` or "
                "`python -m faxline.telephony.spandsp.build` where it is installed "
                "(needs gcc, libspandsp-dev and libtiff-dev)"
            )
        try:
            _build.build()
        except Exception as exc:  # cffi raises VerificationError, distutils errors, OSError
            raise BindingUnavailable(
                f"building the spandsp binding failed ({exc}); it needs gcc, libspandsp-dev "
                "0.0.6 and libtiff-dev (`make deps-system`)"
            ) from exc
    return importlib.import_module("faxline.telephony.spandsp._spandsp")


_loaded: Any = None


def __getattr__(name: str) -> Any:
    # Loaded (and if need be built) on first use, so that running the build module
    # (``python -m faxline.telephony.spandsp.build``) does not load what it is building.
    global _loaded
    if name in ("ffi", "lib"):
        if _loaded is None:
            _loaded = _load()
        return getattr(_loaded, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def release_date() -> int:
    """spandsp's release date as compiled in (20110122 for Debian's 0.0.6)."""
    return int(__getattr__("lib").faxline_spandsp_release_date())
