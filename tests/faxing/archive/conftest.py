"""The archive tests' FTP server (pyftpdlib on loopback) and the settings that let
faxline connect to loopback (``FAXLINE_ALLOW_PRIVATE_NETWORKS``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faxing.archive.ftp_support import FTP_PASSWORD, FTP_USER, LoopbackFtp
from faxing.archive.ftps_support import LoopbackFtps


@pytest.fixture
def ftp_server(tmp_path: Path, settings: Any) -> Iterator[LoopbackFtp]:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    root = tmp_path / "ftp"
    root.mkdir()
    server = LoopbackFtp(root).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ftps_server(tmp_path: Path, settings: Any) -> Iterator[LoopbackFtps]:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    root = tmp_path / "ftps"
    root.mkdir()
    server = LoopbackFtps(root, FTP_USER, FTP_PASSWORD, certs=tmp_path)
    try:
        yield server
    finally:
        server.stop()
