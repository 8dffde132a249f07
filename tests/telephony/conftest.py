"""Fixtures of the telephony tests: TIFF-F documents made with Pillow, and a call runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fax_calls import STANDARD, Call, make_tiff

from faxline.telephony.t30 import (
    AudioFaxSession,
    FaxOptions,
    FaxResult,
    FaxSession,
    T38FaxSession,
    run_back_to_back,
)


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The documents the calls carry, made once."""
    folder = tmp_path_factory.mktemp("fax-documents")
    return {
        "fine": make_tiff(folder / "fine.tif"),
        "standard": make_tiff(folder / "standard.tif", dpi=STANDARD, pages=1),
        "one": make_tiff(folder / "one.tif", pages=1, seed=3),
    }


@pytest.fixture
def call(tmp_path: Path) -> Call:
    """Run one back-to-back call: ``call(document, caller=FaxOptions, answerer=FaxOptions,
    t38=False, line=None, max_seconds=...)``; the received file is ``tmp_path/received.tif``."""

    def run(
        document: Path,
        *,
        caller: FaxOptions | None = None,
        answerer: FaxOptions | None = None,
        t38: bool = False,
        line: Callable[[bytes], bytes] | None = None,
        max_seconds: float = 900.0,
    ) -> tuple[FaxResult, FaxResult]:
        kind: type[FaxSession] = T38FaxSession if t38 else AudioFaxSession
        sending = kind(calling=True, options=caller or FaxOptions(), send=document)
        receiving = kind(
            calling=False, options=answerer or FaxOptions(), receive=tmp_path / "received.tif"
        )
        with sending, receiving:
            return run_back_to_back(sending, receiving, line=line, max_seconds=max_seconds)

    return run
