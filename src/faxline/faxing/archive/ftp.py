"""Upload of archive files to a customer's FTP server: FTPS when the server offers it.

The host was vetted when the Archive tab was saved (``core.net.check_public_host``); it is
resolved and vetted again here (:func:`faxline.core.net.resolve_public`) and the client
connects to the address that check returned, never to the name (a name re-pointed at the
provider's own network after it was saved is refused). Passive mode's data connections go to
the control connection's address (``ftplib`` ignores the address a PASV reply names).

Encryption: when the server's FEAT lists ``AUTH TLS`` the session is upgraded before the
password is sent (``AUTH TLS``, then ``PBSZ 0`` / ``PROT P`` so that the files travel
encrypted too); otherwise it is plain FTP, as the customer's server offers. The server's
certificate is not verified (opportunistic encryption, as SMTP's STARTTLS between servers):
archive servers commonly have self-signed certificates, and what is protected against is
eavesdropping on the way (decision 0033).

Each file is stored under a temporary name (``.<name>.part``) and renamed when complete, so
that a reader of the directory never sees half a file. Every network operation has a
time-out.
"""

from __future__ import annotations

import contextlib
import ftplib
import io
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

from faxline.core.errors import ValidationFailed
from faxline.core.net import resolve_public
from faxline.documents.received import DeliveredFile

TIMEOUT_SECONDS = 30.0
FIELD = "settings.archive.ftp_host"


class FtpFailed(Exception):
    """An upload did not complete; the message is fit to show (no password)."""


@dataclass(frozen=True)
class FtpTarget:
    """Where to upload: host (name or address, vetted again here), port, login, directory."""

    host: str
    port: int = 21
    username: str = ""
    password: str = ""
    directory: str = "/"

    def __repr__(self) -> str:  # never the password, in a traceback or a log
        return f"FtpTarget({self.host!r}, {self.port}, {self.username!r}, {self.directory!r})"


@dataclass(frozen=True)
class Uploaded:
    """What an upload did: the names stored and whether the session was encrypted."""

    names: list[str]
    encrypted: bool


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def offers_tls(client: ftplib.FTP) -> bool:
    """Whether the server's FEAT reply lists AUTH TLS (a server without FEAT offers none)."""
    try:
        reply = client.sendcmd("FEAT")
    except ftplib.error_perm:
        return False
    for line in reply.splitlines()[1:]:
        words = line.strip().upper().split()
        if len(words) >= 2 and words[0] == "AUTH" and "TLS" in words[1].split(";"):
            return True
    return False


def _enter(client: ftplib.FTP, directory: str) -> None:
    """Change to ``directory``, creating the missing parts."""
    path = (directory or "/").strip()
    try:
        client.cwd(path)
        return
    except ftplib.error_perm:
        pass
    if path.startswith("/"):
        client.cwd("/")
    for part in [p for p in path.split("/") if p]:
        try:
            client.cwd(part)
        except ftplib.error_perm:
            client.mkd(part)
            client.cwd(part)


def _listing(client: ftplib.FTP) -> set[str]:
    try:
        return {name.rsplit("/", 1)[-1] for name in client.nlst()}
    except ftplib.error_perm:  # some servers answer 550 for an empty directory
        return set()


def _free_name(name: str, taken: set[str], suffix: str) -> str:
    if name not in taken:
        return name
    stem, dot, extension = name.rpartition(".")
    return f"{stem}-{suffix}{dot}{extension}" if dot else f"{name}-{suffix}"


def _connect(target: FtpTarget, timeout: float) -> ftplib.FTP_TLS:
    try:
        addresses = resolve_public(target.host, field=FIELD)
    except ValidationFailed as exc:
        raise FtpFailed(exc.message) from exc
    last: Exception | None = None
    for address in addresses[:4]:
        # FTP is what the customer's server speaks; TLS is used when it offers it.
        client = ftplib.FTP_TLS(context=_tls_context(), timeout=timeout)  # noqa: S321
        try:
            client.connect(str(address), target.port, timeout=timeout)
            return client
        except (OSError, EOFError, ftplib.Error) as exc:
            last = exc
            client.close()
    raise FtpFailed(f"Could not connect to {target.host} port {target.port}: {last}")


def _session(target: FtpTarget, timeout: float) -> tuple[ftplib.FTP_TLS, bool]:
    """A logged-in session in ``target.directory`` (created when missing), TLS when the
    server offers it; returns it and whether it is encrypted."""
    client = _connect(target, timeout)
    try:
        encrypted = offers_tls(client)
        if encrypted:
            client.auth()
        client.login(target.username or "anonymous", target.password or "", secure=False)
        if encrypted:
            client.prot_p()
        client.set_pasv(True)
        _enter(client, target.directory)
    except BaseException:
        client.close()
        raise
    return client, encrypted


def _failed(exc: BaseException) -> FtpFailed:
    return FtpFailed(f"{type(exc).__name__}: {exc}".strip()[:300])


def ftp_upload(
    target: FtpTarget,
    files: Sequence[DeliveredFile],
    *,
    keep_existing: bool = False,
    suffix: str = "",
    timeout: float = TIMEOUT_SECONDS,
) -> Uploaded:
    """Upload ``files`` in order into ``target.directory`` (created when missing), each
    under a temporary name renamed when complete. ``keep_existing``: a name already in the
    directory gets ``-<suffix>`` before its extension instead of being replaced. Raises
    :class:`FtpFailed` with what went wrong."""
    try:
        client, encrypted = _session(target, timeout)
    except (OSError, EOFError, ftplib.Error) as exc:
        raise _failed(exc) from exc
    try:
        taken = _listing(client) if keep_existing else set()
        names: list[str] = []
        for item in files:
            name = _free_name(item.name, taken, suffix) if keep_existing else item.name
            partial = f".{name}.part"
            client.storbinary(f"STOR {partial}", io.BytesIO(item.data))
            client.rename(partial, name)
            taken.add(name)
            names.append(name)
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            client.quit()
        return Uploaded(names=names, encrypted=encrypted)
    except (OSError, EOFError, ftplib.Error) as exc:
        raise _failed(exc) from exc
    finally:
        client.close()


PROBE_NAME = ".faxline-connection-test.part"


def ftp_check(target: FtpTarget, *, timeout: float = 10.0) -> bool:
    """The Archive tab's "Test FTP connection": connect, log in, enter (or make) the
    directory, write a small file and delete it. Returns whether the session was
    encrypted; raises :class:`FtpFailed` with what went wrong."""
    try:
        client, encrypted = _session(target, timeout)
    except (OSError, EOFError, ftplib.Error) as exc:
        raise _failed(exc) from exc
    try:
        client.storbinary(f"STOR {PROBE_NAME}", io.BytesIO(b"faxline archive test\n"))
        client.delete(PROBE_NAME)
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            client.quit()
        return encrypted
    except (OSError, EOFError, ftplib.Error) as exc:
        raise _failed(exc) from exc
    finally:
        client.close()
