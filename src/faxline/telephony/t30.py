"""T.30 fax sessions on spandsp: one endpoint of a fax call, over audio or T.38.

An :class:`AudioFaxSession` exchanges 8 kHz 16-bit linear audio in frames (``transmit`` what it
sends to the line, ``receive`` what the line brings); a :class:`T38FaxSession` exchanges T.38 IFP
packets instead (``advance`` the clock, ``take_packets``, ``receive_packet``). Both send a TIFF-F
file (``send``) or write the pages they receive into one (``receive``), report the T.30 phases
(``on_phase``) and end with a :class:`FaxResult`. Time is *simulated*: it moves by the samples
exchanged, never by the wall clock, so a call runs as fast as the CPU allows; a transport that
wants real time paces the frames itself. A watchdog on simulated time
(``FaxOptions.max_call_seconds``) terminates a call that never ends.

:func:`run_back_to_back` connects a caller and an answerer directly (optionally through a
``line`` that impairs the audio), which is how the sandbox PSTN carries on-net calls.

Threads: sessions may run concurrently in several threads (spandsp is called without the GIL).
A session itself is not thread-safe: use each from one thread at a time. spandsp 0.0.6's log
handler carries no user data, so every call into spandsp goes through a small C wrapper that
records the calling session's number in a C thread-local first; the log lines (and libtiff's
messages) emitted during that call are filed under that number, in that session's log.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from faxline.telephony.spandsp import ffi, lib

__all__ = [
    "AudioFaxSession",
    "Compression",
    "FaxOptions",
    "FaxResult",
    "FaxSession",
    "Modem",
    "PhaseEvent",
    "T38FaxSession",
    "WhiteNoise",
    "completion_text",
    "run_back_to_back",
]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 8000
FRAME = 160
LOG_LINES = 2000
IDENT_MAX = 20

#: Completion code used when a call is terminated (watchdog, hang-up) while spandsp still
#: reports "OK" because nothing had failed yet: "The call dropped prematurely".
CALL_DROPPED = int(lib.T30_ERR_CALLDROPPED)


class Modem(StrEnum):
    """The image-transfer modems a session may offer or use."""

    V27TER = "v27ter"
    V29 = "v29"
    V17 = "v17"


class Compression(StrEnum):
    """Image compressions a session may offer (T.6 only ever with ECM)."""

    T4_1D = "t4-1d"
    T4_2D = "t4-2d"
    T6 = "t6"


_MODEM_BITS = {
    Modem.V27TER: int(lib.T30_SUPPORT_V27TER),
    Modem.V29: int(lib.T30_SUPPORT_V29),
    Modem.V17: int(lib.T30_SUPPORT_V17),
}
_COMPRESSION_BITS = {
    Compression.T4_1D: int(lib.T30_SUPPORT_T4_1D_COMPRESSION),
    Compression.T4_2D: int(lib.T30_SUPPORT_T4_2D_COMPRESSION),
    Compression.T6: int(lib.T30_SUPPORT_T6_COMPRESSION),
}
_RES_STANDARD = int(lib.T30_SUPPORT_STANDARD_RESOLUTION) | int(lib.T30_SUPPORT_R8_RESOLUTION)
_RES_ALL = (
    _RES_STANDARD
    | int(lib.T30_SUPPORT_FINE_RESOLUTION)
    | int(lib.T30_SUPPORT_SUPERFINE_RESOLUTION)
    | int(lib.T30_SUPPORT_R16_RESOLUTION)
)
_IMAGE_SIZES = (
    int(lib.T30_SUPPORT_215MM_WIDTH)
    | int(lib.T30_SUPPORT_255MM_WIDTH)
    | int(lib.T30_SUPPORT_303MM_WIDTH)
    | int(lib.T30_SUPPORT_UNLIMITED_LENGTH)
    | int(lib.T30_SUPPORT_A4_LENGTH)
    | int(lib.T30_SUPPORT_B4_LENGTH)
    | int(lib.T30_SUPPORT_US_LETTER_LENGTH)
    | int(lib.T30_SUPPORT_US_LEGAL_LENGTH)
)
_LOG_LEVEL = (
    int(lib.SPAN_LOG_SHOW_SEVERITY)
    | int(lib.SPAN_LOG_SHOW_PROTOCOL)
    | int(lib.SPAN_LOG_SHOW_TAG)
    | int(lib.SPAN_LOG_FLOW)
)
_LOG_LEVEL_QUIET = (
    int(lib.SPAN_LOG_SHOW_SEVERITY)
    | int(lib.SPAN_LOG_SHOW_PROTOCOL)
    | int(lib.SPAN_LOG_SHOW_TAG)
    | int(lib.SPAN_LOG_WARNING)
)


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


@dataclass(frozen=True)
class FaxOptions:
    """How one endpoint takes part in a call. Invalid values raise ``ValueError`` naming them.

    ``ident`` is our TSI when sending, our CSI when receiving (at most 20 printable ASCII
    characters). ``accept_fine=False`` makes a receiver that takes only 204x98 (standard).
    ``max_call_seconds`` is the watchdog on simulated call time. ``refuse_code``, when not 0,
    makes a receiver refuse the call at phase B (after the sender's DCS) with that T.30
    completion code: a far end that refuses the call after training. ``log_flow=False`` keeps
    only spandsp's warnings and errors in the log (the protocol flow costs spandsp about 15% of
    an audio call's CPU and a third of an unpaced T.38 call's, formatting it).
    """

    ident: str = ""
    ecm: bool = True
    modems: frozenset[Modem] = frozenset(Modem)
    accept_fine: bool = True
    max_call_seconds: float = 900.0
    compressions: frozenset[Compression] = frozenset(Compression)
    refuse_code: int = 0
    log_flow: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.ident, str):
            raise ValueError(f"ident: expected text, got {type(self.ident).__name__}")
        if len(self.ident) > IDENT_MAX:
            raise ValueError(
                f"ident {self.ident!r} is {len(self.ident)} characters long; "
                f"T.30 allows at most {IDENT_MAX}"
            )
        if any(not (" " <= ch <= "~") for ch in self.ident):
            raise ValueError(f"ident {self.ident!r}: only printable ASCII characters are allowed")
        object.__setattr__(self, "modems", _members(Modem, "modem", self.modems))
        object.__setattr__(
            self, "compressions", _members(Compression, "compression", self.compressions)
        )
        if not self.compressions - {Compression.T6} and not self.ecm:
            raise ValueError("compressions: T.6 needs ECM; offer T.4 too or keep ecm on")
        if not self.max_call_seconds > 0:
            raise ValueError(f"max_call_seconds must be positive, not {self.max_call_seconds!r}")
        if not isinstance(self.refuse_code, int) or self.refuse_code < 0:
            raise ValueError(
                f"refuse_code must be a T.30 completion code, not {self.refuse_code!r}"
            )

    @property
    def modem_bits(self) -> int:
        """spandsp's ``T30_SUPPORT_*`` modem mask."""
        bits = 0
        for modem in self.modems:
            bits |= _MODEM_BITS[modem]
        return bits

    @property
    def compression_bits(self) -> int:
        """spandsp's ``T30_SUPPORT_*_COMPRESSION`` mask (T.6 dropped without ECM)."""
        bits = 0
        for compression in self.compressions:
            if compression is Compression.T6 and not self.ecm:
                continue
            bits |= _COMPRESSION_BITS[compression]
        return bits


_E = TypeVar("_E", bound=StrEnum)


def _members(enum: type[_E], name: str, values: Any) -> frozenset[_E]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name}s: expected a set of {name}s ({_choices(enum)}), got {values!r}")
    members = set()
    for value in values:
        try:
            members.add(enum(value))
        except ValueError:
            raise ValueError(f"unknown {name} {value!r}: choose from {_choices(enum)}") from None
    if not members:
        raise ValueError(f"{name}s: at least one {name} is needed ({_choices(enum)})")
    return frozenset(members)


@dataclass(frozen=True)
class PhaseEvent:
    """A T.30 phase callback: B (negotiation, ``fcf`` the frame received, e.g. DIS or DCS),
    D (post-page, ``fcf`` the post-page message or response) or E (call end: ``fcf`` is the
    completion code and ``name`` its text). ``at_seconds`` is simulated call time."""

    phase: str
    fcf: int
    name: str
    at_seconds: float


@dataclass(frozen=True)
class FaxResult:
    """How the call ended for one endpoint, with spandsp's transfer statistics.

    ``pages`` counts the pages sent by a sender (the session given ``send``) or received by a
    receiver; ``success`` is completion code 0 and, for a sender, every page of the file sent,
    for a receiver at least one page received. Resolutions are in dots per inch; ``width`` and
    ``length`` in pixels of the last page. ``terminated`` says the call was ended by
    :meth:`FaxSession.terminate` (the watchdog or the caller) rather than by T.30.
    """

    completion_code: int
    completion_text: str
    success: bool
    pages: int
    pages_in_file: int
    bit_rate: int
    ecm: bool
    x_resolution: int
    y_resolution: int
    width: int
    length: int
    bad_rows: int
    longest_bad_row_run: int
    ecm_retries: int
    remote_ident: str
    call_seconds: float
    phases: tuple[PhaseEvent, ...]
    log: tuple[str, ...]
    terminated: bool = False
    encoding: int = 0


def completion_text(code: int) -> str:
    """spandsp's text for a T.30 completion code."""
    return _string(lib.t30_completion_code_to_str(code))


def _string(ptr: Any) -> str:
    if ptr == ffi.NULL:
        return ""
    return ffi.string(ptr).decode("latin-1")


def _dpi(pixels_per_metre: int) -> int:
    return round(pixels_per_metre * 0.0254)


# --- routing spandsp's and libtiff's messages to the session calling on this thread ---------

#: The live sessions by number: the C wrappers record the number of the session calling into
#: spandsp (a C thread-local) and the log handlers find the session here.
_sessions: weakref.WeakValueDictionary[int, FaxSession] = weakref.WeakValueDictionary()
_numbers = itertools.count(1)


def _file_log(number: int, line: str) -> None:
    session = _sessions.get(number)
    if session is not None:
        session._log.append(line)
    else:
        logger.debug("%s", line)


@ffi.def_extern()
def _on_log(number: int, level: int, text: Any) -> None:
    _file_log(number, ffi.string(text).decode("latin-1").rstrip("\n"))


@ffi.def_extern()
def _on_tiff(number: int, is_error: int, module: Any, text: Any) -> None:
    kind = "ERROR" if is_error else "WARNING"
    mod = ffi.string(module).decode("latin-1")
    _file_log(number, f"TIFF {kind} {mod}: {ffi.string(text).decode('latin-1')}")


lib.faxline_route_tiff_messages()


@ffi.def_extern()
def _on_phase_b(t30: Any, user: Any, fcf: int) -> int:
    session: FaxSession = ffi.from_handle(user)
    try:
        session._phase_event("B", fcf, _string(lib.t30_frametype(fcf)))
        return session.options.refuse_code if session._refuses(fcf) else 0
    except BaseException as exc:  # cffi would swallow it: re-raised after the call
        session._fail(exc)
        return 0


@ffi.def_extern()
def _on_phase_d(t30: Any, user: Any, fcf: int) -> int:
    session: FaxSession = ffi.from_handle(user)
    try:
        session._phase_event("D", fcf, _string(lib.t30_frametype(fcf)))
    except BaseException as exc:
        session._fail(exc)
    return 0


@ffi.def_extern()
def _on_phase_e(t30: Any, user: Any, code: int) -> None:
    session: FaxSession = ffi.from_handle(user)
    try:
        session._phase_e(code)
    except BaseException as exc:
        session._fail(exc)


@ffi.def_extern()
def _on_t38_tx(core: Any, user: Any, buf: Any, length: int, count: int) -> int:
    session: T38FaxSession = ffi.from_handle(user)
    try:
        session._queue_packet(ffi.buffer(buf, length)[:], count)
    except BaseException as exc:
        session._fail(exc)
    return 0


_DCS = 0x82  # phase B of a receiver fires on the sender's DCS (0x83 with the "X" bit)


class FaxSession:
    """What audio and T.38 sessions share: T.30 setup, callbacks, watchdog and result."""

    SAMPLE_RATE = SAMPLE_RATE
    FRAME = FRAME

    def __init__(
        self,
        *,
        calling: bool,
        options: FaxOptions,
        send: Path | None = None,
        receive: Path | None = None,
    ) -> None:
        if not isinstance(options, FaxOptions):
            raise ValueError(f"options: expected FaxOptions, got {type(options).__name__}")
        self.calling = bool(calling)
        self.options = options
        self.send = Path(send) if send is not None else None
        self.receive_path = Path(receive) if receive is not None else None
        self.on_phase: Callable[[PhaseEvent], None] | None = None
        self._log: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._phases: list[PhaseEvent] = []
        self._pending: list[PhaseEvent] = []
        self._errors: list[BaseException] = []
        self._dirty = False
        self._done = False
        self._closed = False
        self._code: int | None = None
        self._terminating = False
        self._terminated = False
        self._samples = 0
        self._limit = int(options.max_call_seconds * SAMPLE_RATE)
        self._result: FaxResult | None = None
        self._handle = ffi.new_handle(self)
        self._number = next(_numbers)
        _sessions[self._number] = self
        #: Set by the callbacks, read by the C loop of run_back_to_back: stop and look.
        self._stop = ffi.new("int[1]")
        role = "caller" if self.calling else "answerer"
        self._tag = ffi.new("char[]", f"{role}#{self._number}".encode())
        self._t30: Any = ffi.NULL
        self._finalizer: Callable[[], Any] | None = None

    # --- set-up shared by both kinds ---------------------------------------------------------

    def _setup_t30(self, t30: Any, logs: list[Any]) -> None:
        self._t30 = t30
        opts = self.options
        level = _LOG_LEVEL if opts.log_flow else _LOG_LEVEL_QUIET
        for log in logs:
            lib.span_log_set_level(log, level)
            lib.span_log_set_tag(log, self._tag)
            lib.span_log_set_message_handler(log, lib.faxline_log)
        lib.t30_set_phase_b_handler(t30, lib._on_phase_b, self._handle)
        lib.t30_set_phase_d_handler(t30, lib._on_phase_d, self._handle)
        lib.t30_set_phase_e_handler(t30, lib._on_phase_e, self._handle)
        if opts.ident:
            lib.t30_set_tx_ident(t30, opts.ident.encode("ascii"))
        lib.t30_set_ecm_capability(t30, 1 if opts.ecm else 0)
        lib.t30_set_supported_modems(t30, opts.modem_bits)
        lib.t30_set_supported_compressions(t30, opts.compression_bits)
        lib.t30_set_supported_resolutions(t30, _RES_ALL if opts.accept_fine else _RES_STANDARD)
        lib.t30_set_supported_image_sizes(t30, _IMAGE_SIZES)
        if opts.ecm and Compression.T6 in opts.compressions:
            lib.t30_set_rx_encoding(t30, lib.T4_COMPRESSION_ITU_T6)
        else:
            lib.t30_set_rx_encoding(t30, lib.T4_COMPRESSION_ITU_T4_2D)
        if self.send is not None:
            lib.t30_set_tx_file(t30, os.fsencode(self.send), -1, -1)
        if self.receive_path is not None:
            lib.t30_set_rx_file(t30, os.fsencode(self.receive_path), -1)

    def _enter(self) -> None:
        if self._closed:
            raise RuntimeError("the fax session is closed")
        lib.faxline_set_current(self._number)

    # --- callbacks (called from inside spandsp: record only) ---------------------------------

    def _phase_event(self, phase: str, fcf: int, name: str) -> None:
        # Inside the C loop of run_back_to_back, _samples is updated when it returns.
        now = self._samples + lib.faxline_loop_samples()
        event = PhaseEvent(phase, fcf, name, now / SAMPLE_RATE)
        self._phases.append(event)
        self._pending.append(event)
        self._dirty = True
        self._stop[0] = 1

    def _refuses(self, fcf: int) -> bool:
        return bool(self.options.refuse_code) and (fcf & 0xFE) == _DCS

    def _phase_e(self, code: int) -> None:
        if self._terminating and code == 0:
            code = CALL_DROPPED
        self._code = code
        self._done = True
        self._phase_event("E", code, completion_text(code))

    def _fail(self, exc: BaseException) -> None:
        self._errors.append(exc)
        self._dirty = True
        self._stop[0] = 1

    def _after(self) -> None:
        """Deliver what the callbacks recorded, outside C: phase events, then errors."""
        self._dirty = False
        self._stop[0] = 0
        pending, self._pending = self._pending, []
        errors, self._errors = self._errors, []
        if self.on_phase is not None:
            for event in pending:
                self.on_phase(event)
        if errors:
            raise errors[0]

    def _watchdog(self) -> None:
        if self._samples >= self._limit and not self._done:
            self._log.append(
                f"WATCHDOG call time {self._samples / SAMPLE_RATE:.1f}s reached "
                f"max_call_seconds={self.options.max_call_seconds:g}: terminating"
            )
            self.terminate()

    # --- public ------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """Phase E reached (or the session terminated)."""
        return self._done

    @property
    def call_seconds(self) -> float:
        """Simulated call time so far."""
        return self._samples / SAMPLE_RATE

    def terminate(self) -> None:
        """End the call now (``t30_terminate``); safe at any time, also after the end."""
        if self._closed or self._done:
            self._done = True
            return
        self._enter()
        self._terminating = True
        self._terminated = True
        try:
            lib.t30_terminate(self._t30)
        finally:
            self._terminating = False
        if self._code is None:  # spandsp did not call phase E: record the end ourselves
            self._phase_e(CALL_DROPPED)
        self._done = True
        if self._dirty:
            self._after()

    def result(self) -> FaxResult:
        """The outcome so far (final once ``done``); still available after ``close``."""
        if self._result is not None:
            return self._result
        if self._closed:
            raise RuntimeError("the fax session was closed before any result was taken")
        stats = ffi.new("t30_stats_t *")
        self._enter()
        lib.t30_get_transfer_statistics(self._t30, stats)
        code = self._code if self._code is not None else int(stats.current_status)
        sender = self.send is not None or (self.receive_path is None and self.calling)
        pages = int(stats.pages_tx if sender else stats.pages_rx)
        in_file = int(stats.pages_in_file)
        complete = (in_file > 0 and pages >= in_file) if sender else pages >= 1
        return FaxResult(
            completion_code=code,
            completion_text=completion_text(code),
            success=self._done and code == 0 and complete,
            pages=pages,
            pages_in_file=in_file,
            bit_rate=int(stats.bit_rate),
            ecm=bool(stats.error_correcting_mode),
            x_resolution=_dpi(stats.x_resolution),
            y_resolution=_dpi(stats.y_resolution),
            width=int(stats.width),
            length=int(stats.length),
            bad_rows=int(stats.bad_rows),
            longest_bad_row_run=int(stats.longest_bad_row_run),
            ecm_retries=int(stats.error_correcting_mode_retries),
            remote_ident=_string(lib.t30_get_rx_ident(self._t30)).strip(),
            call_seconds=self._samples / SAMPLE_RATE,
            phases=tuple(self._phases),
            log=tuple(self._log),
            terminated=self._terminated,
            encoding=int(stats.encoding),
        )

    def close(self) -> None:
        """Free the spandsp state (idempotent); the result stays available. A call still in
        progress is terminated first (without calling ``on_phase`` any more)."""
        if self._closed:
            return
        if self._t30 != ffi.NULL:
            if not self._done:
                self.on_phase = None
                self._errors.clear()
                self.terminate()
            self._result = self.result()
        self._closed = True
        self._done = True
        if self._finalizer is not None:
            lib.faxline_set_current(self._number)
            self._finalizer()
        self._t30 = ffi.NULL

    def __enter__(self) -> FaxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AudioFaxSession(FaxSession):
    """One T.30 endpoint over 8 kHz 16-bit linear audio (native-endian int16 samples)."""

    def __init__(
        self,
        *,
        calling: bool,
        options: FaxOptions,
        send: Path | None = None,
        receive: Path | None = None,
    ) -> None:
        super().__init__(calling=calling, options=options, send=send, receive=receive)
        lib.faxline_set_current(self._number)
        state = lib.fax_init(ffi.NULL, 1 if self.calling else 0)
        if state == ffi.NULL:
            raise MemoryError("fax_init failed")
        self._fax = state
        self._finalizer = weakref.finalize(self, lib.fax_free, state)
        lib.fax_set_transmit_on_idle(state, 1)
        t30 = lib.fax_get_t30_state(state)
        self._setup_t30(t30, [lib.fax_get_logging_state(state), lib.t30_get_logging_state(t30)])
        self._txbuf = ffi.new("int16_t[]", FRAME)
        self._txbytes = ffi.buffer(self._txbuf)
        if self._dirty:
            self._after()

    def transmit(self, samples: int = FRAME) -> bytes:
        """The next ``samples`` samples this endpoint sends to the line (silence-padded)."""
        if self._closed:
            raise RuntimeError("the fax session is closed")
        if samples == FRAME:
            lib.faxline_fax_tx(self._number, self._fax, self._txbuf, FRAME)
            out = self._txbytes[:]
        else:
            buf = ffi.new("int16_t[]", samples)
            lib.faxline_fax_tx(self._number, self._fax, buf, samples)
            out = ffi.buffer(buf)[:]
        self._samples += samples
        if self._dirty:
            self._after()
        if self._samples >= self._limit:
            self._watchdog()
        return out

    def receive(self, audio: bytes) -> None:
        """Feed samples from the line (native-endian int16)."""
        if self._closed:
            raise RuntimeError("the fax session is closed")
        lib.faxline_fax_rx(
            self._number, self._fax, ffi.from_buffer("int16_t[]", audio), len(audio) // 2
        )
        if self._dirty:
            self._after()

    def __enter__(self) -> AudioFaxSession:
        return self


class T38FaxSession(FaxSession):
    """A T.38 terminal: T.30 over IFP packets. ``paced=False`` sends image data as fast as it
    is produced (no 20 ms pacing of the packets), which is what back-to-back calls want."""

    def __init__(
        self,
        *,
        calling: bool,
        options: FaxOptions,
        send: Path | None = None,
        receive: Path | None = None,
        paced: bool = False,
    ) -> None:
        super().__init__(calling=calling, options=options, send=send, receive=receive)
        self.paced = paced
        self._packets: list[tuple[int, bytes]] = []
        self._repeats: list[int] = []
        self._seq = 0
        lib.faxline_set_current(self._number)
        state = lib.t38_terminal_init(
            ffi.NULL, 1 if self.calling else 0, lib._on_t38_tx, self._handle
        )
        if state == ffi.NULL:
            raise MemoryError("t38_terminal_init failed")
        self._t38 = state
        self._finalizer = weakref.finalize(self, lib.t38_terminal_free, state)
        self._core = lib.t38_terminal_get_t38_core_state(state)
        if not paced:
            lib.t38_terminal_set_config(state, lib.T38_TERMINAL_OPTION_NO_PACING)
        t30 = lib.t38_terminal_get_t30_state(state)
        self._setup_t30(
            t30, [lib.t38_terminal_get_logging_state(state), lib.t30_get_logging_state(t30)]
        )
        core_log = lib.t38_core_get_logging_state(self._core)
        lib.span_log_set_level(core_log, _LOG_LEVEL_QUIET)
        lib.span_log_set_tag(core_log, self._tag)
        lib.span_log_set_message_handler(core_log, lib.faxline_log)
        if self._dirty:
            self._after()

    def _queue_packet(self, ifp: bytes, count: int) -> None:
        self._packets.append((self._seq, ifp))
        self._repeats.append(count)
        self._seq = (self._seq + 1) & 0xFFFF

    def advance(self, samples: int = FRAME) -> None:
        """Let ``samples`` of time pass (``t38_terminal_send_timeout``): packets may be made."""
        if self._closed:
            raise RuntimeError("the fax session is closed")
        lib.faxline_t38_send_timeout(self._number, self._t38, samples)
        self._samples += samples
        if self._dirty:
            self._after()
        if self._samples >= self._limit:
            self._watchdog()

    def take_packets(self) -> list[tuple[int, bytes]]:
        """The ``(sequence number, IFP packet)`` pairs produced since the last call."""
        packets, self._packets = self._packets, []
        self._repeats = []
        return packets

    def take_packets_with_repeats(self) -> list[tuple[int, bytes, int]]:
        """Like :meth:`take_packets`, with how many times spandsp asks each packet to be sent
        (indicators are repeated over lossy UDP; a transport sends the copies with the same
        sequence number)."""
        packets, self._packets = self._packets, []
        repeats, self._repeats = self._repeats, []
        return [(seq, ifp, count) for (seq, ifp), count in zip(packets, repeats, strict=True)]

    def receive_packet(self, ifp: bytes, seq: int) -> None:
        """Feed one IFP packet from the far end."""
        if self._closed:
            raise RuntimeError("the fax session is closed")
        lib.faxline_t38_rx(self._number, self._core, ifp, len(ifp), seq & 0xFFFF)
        if self._dirty:
            self._after()

    def __enter__(self) -> T38FaxSession:
        return self


class WhiteNoise:
    """A line impairment: adds white Gaussian noise at ``level_dbm0`` to each frame (spandsp's
    AWGN generator, saturating). Around -45 dBm0 and louder it breaks T.30 for real (the
    V.21 receiver takes it for carrier); -65 dBm0 and quieter leaves V.17 working."""

    def __init__(self, level_dbm0: float, *, seed: int = 1) -> None:
        self.level_dbm0 = level_dbm0
        state = lib.awgn_init_dbm0(ffi.NULL, -abs(int(seed)) or -1, float(level_dbm0))
        if state == ffi.NULL:
            raise MemoryError("awgn_init_dbm0 failed")
        self._state = state
        self._finalizer = weakref.finalize(self, lib.awgn_free, state)

    def __call__(self, audio: bytes) -> bytes:
        """``audio`` (native-endian int16) with the noise added."""
        buf = bytearray(audio)
        lib.faxline_add_awgn(self._state, ffi.from_buffer("int16_t[]", buf), len(buf) // 2)
        return bytes(buf)


def run_back_to_back(
    caller: FaxSession,
    answerer: FaxSession,
    *,
    line: Callable[[bytes], bytes] | None = None,
    max_seconds: float = 900.0,
) -> tuple[FaxResult, FaxResult]:
    """Connect two sessions directly until both are done, and return their results.

    An audio pair exchanges 20 ms frames; ``line``, when given, is called on every frame, first
    the caller's (to the answerer) then the answerer's (to the caller), and returns what
    arrives (noise, a cut, ...); it must return as many bytes as it got. A T.38 pair exchanges
    IFP packets every 20 ms; there ``line`` is called on each packet and returns it, changed,
    or ``b""`` to lose it. After ``max_seconds`` of simulated time both sides are terminated.
    """
    limit = int(max_seconds * SAMPLE_RATE)
    if isinstance(caller, AudioFaxSession) and isinstance(answerer, AudioFaxSession):
        if line is None:
            _audio_direct(caller, answerer, limit)
        else:
            _audio_line(caller, answerer, line, limit)
    elif isinstance(caller, T38FaxSession) and isinstance(answerer, T38FaxSession):
        _t38(caller, answerer, line, limit)
    else:
        raise TypeError("run_back_to_back needs two audio sessions or two T.38 sessions")
    for session in (caller, answerer):
        if not session.done:
            session.terminate()
    return caller.result(), answerer.result()


def _audio_direct(a: AudioFaxSession, b: AudioFaxSession, limit: int) -> None:
    """The lean loop: the frames go from buffer to buffer in C (``faxline_audio_run``), which
    returns to Python when a callback asked it to (a phase event, the end) or at a deadline."""
    run = lib.faxline_audio_run
    elapsed = 0
    while not (a._done and b._done) and elapsed < limit:
        deadline = limit - elapsed
        for side in (a, b):
            if not side._done:  # a side that is done has no watchdog left
                deadline = min(deadline, side._limit - side._samples)
        frames = max(1, -(-deadline // FRAME))
        ran = run(
            a._fax,
            a._number,
            a._stop,
            a._txbuf,
            b._fax,
            b._number,
            b._stop,
            b._txbuf,
            FRAME,
            frames,
        )
        a._samples += ran * FRAME
        b._samples += ran * FRAME
        elapsed += ran * FRAME
        if a._dirty:
            a._after()
        if b._dirty:
            b._after()
        if a._samples >= a._limit:
            a._watchdog()
        if b._samples >= b._limit:
            b._watchdog()


def _audio_line(
    a: AudioFaxSession, b: AudioFaxSession, line: Callable[[bytes], bytes], limit: int
) -> None:
    elapsed = 0
    while not (a.done and b.done) and elapsed < limit:
        to_b = line(a.transmit())
        to_a = line(b.transmit())
        b.receive(to_b)
        a.receive(to_a)
        elapsed += FRAME


def _t38(
    a: T38FaxSession, b: T38FaxSession, line: Callable[[bytes], bytes] | None, limit: int
) -> None:
    elapsed = 0
    while not (a.done and b.done) and elapsed < limit:
        a.advance(FRAME)
        b.advance(FRAME)
        # Deliver until quiet: a packet may make the far side answer at once.
        while a._packets or b._packets:
            for seq, ifp in a.take_packets():
                if line is not None:
                    ifp = line(ifp)
                if ifp:
                    b.receive_packet(ifp, seq)
            for seq, ifp in b.take_packets():
                if line is not None:
                    ifp = line(ifp)
                if ifp:
                    a.receive_packet(ifp, seq)
        elapsed += FRAME
