"""What became of a call, in the words users read, and what to do about it.

Users read the names of the Concord guide's "Error Messages" (Busy, Fast Busy, No Answer,
Voice Answer, Not a Fax Machine, Sit-Tone / Operator Msg, Negotiation Failed, Transmission
Failed, Exceeded ECM Retransmit, General Error, Invalid Fax Number), plus **Sent** for a fax
that went through and **No Free Channel** for a call the platform could not place because all
its own lines were in use (local congestion: not the far end's fault).

Every T.30 completion code of spandsp 0.0.6 (0 to 61, the facts of ``T30_ERR_*`` in
``<spandsp/t30.h>``) maps to one of these names in :data:`T30_CODES`; the raw code and
spandsp's text stay in the :class:`Outcome` so that an attempt record keeps them. Each
outcome also says whether trying again is worth it (:class:`Retry`: now, later, never), after
how long, and what the person sending should do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutcomeName(StrEnum):
    """The user-facing vocabulary (the guide's words)."""

    SENT = "Sent"
    BUSY = "Busy"
    FAST_BUSY = "Fast Busy"
    NO_ANSWER = "No Answer"
    VOICE_ANSWER = "Voice Answer"
    NOT_A_FAX_MACHINE = "Not a Fax Machine"
    SIT_TONE = "Sit-Tone / Operator Msg"
    NEGOTIATION_FAILED = "Negotiation Failed"
    TRANSMISSION_FAILED = "Transmission Failed"
    EXCEEDED_ECM_RETRANSMIT = "Exceeded ECM Retransmit"
    GENERAL_ERROR = "General Error"
    INVALID_FAX_NUMBER = "Invalid Fax Number"
    NO_FREE_CHANNEL = "No Free Channel"


class Retry(StrEnum):
    """Whether to place the call again.

    ``now``: the cause was on our side and passes in seconds (all lines in use);
    ``later``: the far end or the network may be fine in a few minutes (busy, a bad line);
    ``never``: the same fax to the same number will fail the same way until someone changes
    something (the number, the document, the recipient's machine).
    """

    NOW = "now"
    LATER = "later"
    NEVER = "never"


@dataclass(frozen=True)
class Advice:
    """What an outcome means for the sender: retry or not, after how long, what to do."""

    retry: Retry
    retry_after_seconds: int | None
    action: str


# Requeue delays after HylaFAX's defaults (reference/fax.md): 180 s after busy, 300 s after no
# answer or a line error, 60 s after a protocol error.
ADVICE: dict[OutcomeName, Advice] = {
    OutcomeName.SENT: Advice(Retry.NEVER, None, "Nothing: the fax was delivered."),
    OutcomeName.BUSY: Advice(
        Retry.LATER, 180, "Nothing yet: the line is in use; the fax is tried again shortly."
    ),
    OutcomeName.FAST_BUSY: Advice(
        Retry.LATER,
        300,
        "Usually temporary (no path to the number). If it persists, call the number from a "
        "telephone to check that a fax machine answers.",
    ),
    OutcomeName.NO_ANSWER: Advice(
        Retry.LATER,
        300,
        "Check with the recipient that their fax machine is switched on and answers automatically.",
    ),
    OutcomeName.VOICE_ANSWER: Advice(
        Retry.NEVER,
        None,
        "A person or a voicemail answered: check the fax number with the recipient; it may be "
        "their telephone number.",
    ),
    OutcomeName.NOT_A_FAX_MACHINE: Advice(
        Retry.LATER,
        300,
        "No fax tones were heard. Check the number; the recipient's machine may be out of "
        "paper, jammed or not set to answer automatically.",
    ),
    OutcomeName.SIT_TONE: Advice(
        Retry.NEVER,
        None,
        "The network intercepted the call (number disconnected, changed or not in service). "
        "Check the number with the recipient.",
    ),
    OutcomeName.NEGOTIATION_FAILED: Advice(
        Retry.LATER,
        300,
        "The fax machines could not agree or train, often because of line quality. It is "
        "tried again; if it keeps failing, ask the recipient to check their line.",
    ),
    OutcomeName.TRANSMISSION_FAILED: Advice(
        Retry.LATER,
        300,
        "The line failed during the transfer. It is tried again; if it keeps failing, the "
        "recipient's line may be shared with other devices or of poor quality.",
    ),
    OutcomeName.EXCEEDED_ECM_RETRANSMIT: Advice(
        Retry.LATER,
        300,
        "Too much of the page had to be sent again on a poor line. It is tried again, for "
        "a better connection.",
    ),
    OutcomeName.GENERAL_ERROR: Advice(
        Retry.LATER,
        60,
        "Retry the fax; if the same error comes back, contact your fax service provider's "
        "support team.",
    ),
    OutcomeName.INVALID_FAX_NUMBER: Advice(
        Retry.NEVER,
        None,
        "Correct the fax number: the full number with area code (and country code for "
        "international faxes).",
    ),
    OutcomeName.NO_FREE_CHANNEL: Advice(
        Retry.NOW,
        15,
        "Nothing: all of the platform's lines were in use; the fax goes out on the next free line.",
    ),
}


@dataclass(frozen=True)
class T30Code:
    """One completion code of spandsp 0.0.6, the name users read, and the advice."""

    code: int
    symbol: str
    text: str
    name: OutcomeName
    retry: Retry | None = None  # None: the name's advice
    action: str | None = None  # None: the name's advice

    @property
    def advice(self) -> Advice:
        base = ADVICE[self.name]
        retry = self.retry or base.retry
        after = base.retry_after_seconds if retry is not Retry.NEVER else None
        if retry is not Retry.NEVER and after is None:
            after = 300
        return Advice(retry, after, self.action or base.action)


_N, _T, _E, _G = (
    OutcomeName.NEGOTIATION_FAILED,
    OutcomeName.TRANSMISSION_FAILED,
    OutcomeName.EXCEEDED_ECM_RETRANSMIT,
    OutcomeName.GENERAL_ERROR,
)
_FILE_ACTION = (
    "The fax image could not be read by the modem: this is a fault of the platform, not of "
    "your document. Contact your fax service provider's support team."
)
_REFUSED_ACTION = (
    "The recipient's machine refused this call's identification or addressing. Ask the "
    "recipient whether their machine only accepts known senders."
)
_INCOMPATIBLE_ACTION = "The recipient's machine cannot receive this fax: ask the recipient."

_CODES = (
    T30Code(0, "T30_ERR_OK", "OK", OutcomeName.SENT),
    T30Code(1, "T30_ERR_CEDTONE", "The CED tone exceeded 5s", _N),
    T30Code(
        2,
        "T30_ERR_T0_EXPIRED",
        "Timed out waiting for initial communication",
        OutcomeName.NOT_A_FAX_MACHINE,
    ),
    T30Code(
        3,
        "T30_ERR_T1_EXPIRED",
        "Timed out waiting for the first message",
        OutcomeName.NOT_A_FAX_MACHINE,
    ),
    T30Code(4, "T30_ERR_T3_EXPIRED", "Timed out waiting for procedural interrupt", _G),
    T30Code(5, "T30_ERR_HDLC_CARRIER", "The HDLC carrier did not stop in a timely manner", _T),
    T30Code(6, "T30_ERR_CANNOT_TRAIN", "Failed to train with any of the compatible modems", _N),
    T30Code(7, "T30_ERR_OPER_INT_FAIL", "Operator intervention failed", _G),
    T30Code(
        8,
        "T30_ERR_INCOMPATIBLE",
        "Far end is not compatible",
        _N,
        Retry.NEVER,
        _INCOMPATIBLE_ACTION,
    ),
    T30Code(
        9,
        "T30_ERR_RX_INCAPABLE",
        "Far end is not able to receive",
        _N,
        Retry.NEVER,
        "The recipient's machine answered but cannot receive faxes: ask the recipient.",
    ),
    T30Code(
        10,
        "T30_ERR_TX_INCAPABLE",
        "Far end is not able to transmit",
        _N,
        Retry.NEVER,
        "The far machine has nothing to send (polling): ask the sender to load the document.",
    ),
    T30Code(
        11,
        "T30_ERR_NORESSUPPORT",
        "Far end cannot receive at the resolution of the image",
        _N,
        Retry.NEVER,
        "The recipient's machine only accepts standard resolution: send the fax again at "
        "standard resolution.",
    ),
    T30Code(
        12,
        "T30_ERR_NOSIZESUPPORT",
        "Far end cannot receive at the size of image",
        _N,
        Retry.NEVER,
        "The recipient's machine cannot print this page size: send the document on Letter "
        "or A4 pages.",
    ),
    T30Code(13, "T30_ERR_UNEXPECTED", "Unexpected message received", _T),
    T30Code(14, "T30_ERR_TX_BADDCS", "Received bad response to DCS or training", _N),
    T30Code(15, "T30_ERR_TX_BADPG", "Received a DCN from remote after sending a page", _T),
    T30Code(16, "T30_ERR_TX_ECMPHD", "Invalid ECM response received from receiver", _E),
    T30Code(17, "T30_ERR_TX_GOTDCN", "Received a DCN while waiting for a DIS", _N),
    T30Code(18, "T30_ERR_TX_INVALRSP", "Invalid response after sending a page", _T),
    T30Code(19, "T30_ERR_TX_NODIS", "Received other than DIS while waiting for DIS", _N),
    T30Code(20, "T30_ERR_TX_PHBDEAD", "Received no response to DCS or TCF", _N),
    T30Code(21, "T30_ERR_TX_PHDDEAD", "No response after sending a page", _T),
    T30Code(22, "T30_ERR_TX_T5EXP", "Timed out waiting for receiver ready (ECM mode)", _T),
    T30Code(23, "T30_ERR_RX_ECMPHD", "Invalid ECM response received from transmitter", _E),
    T30Code(24, "T30_ERR_RX_GOTDCS", "DCS received while waiting for DTC", _N),
    T30Code(25, "T30_ERR_RX_INVALCMD", "Unexpected command after page received", _T),
    T30Code(26, "T30_ERR_RX_NOCARRIER", "Carrier lost during fax receive", _T),
    T30Code(27, "T30_ERR_RX_NOEOL", "Timed out while waiting for EOL (end Of line)", _T),
    T30Code(28, "T30_ERR_RX_NOFAX", "Timed out while waiting for first line", _T),
    T30Code(29, "T30_ERR_RX_T2EXPDCN", "Timer T2 expired while waiting for DCN", _T),
    T30Code(30, "T30_ERR_RX_T2EXPD", "Timer T2 expired while waiting for phase D", _T),
    T30Code(31, "T30_ERR_RX_T2EXPFAX", "Timer T2 expired while waiting for fax page", _T),
    T30Code(32, "T30_ERR_RX_T2EXPMPS", "Timer T2 expired while waiting for next fax page", _T),
    T30Code(33, "T30_ERR_RX_T2EXPRR", "Timer T2 expired while waiting for RR command", _T),
    T30Code(34, "T30_ERR_RX_T2EXP", "Timer T2 expired while waiting for NSS, DCS or MCF", _N),
    T30Code(35, "T30_ERR_RX_DCNWHY", "Unexpected DCN while waiting for DCS or DIS", _N),
    T30Code(36, "T30_ERR_RX_DCNDATA", "Unexpected DCN while waiting for image data", _T),
    T30Code(37, "T30_ERR_RX_DCNFAX", "Unexpected DCN while waiting for EOM, EOP or MPS", _T),
    T30Code(38, "T30_ERR_RX_DCNPHD", "Unexpected DCN after EOM or MPS sequence", _T),
    T30Code(39, "T30_ERR_RX_DCNRRD", "Unexpected DCN after RR/RNR sequence", _T),
    T30Code(40, "T30_ERR_RX_DCNNORTN", "Unexpected DCN after requested retransmission", _T),
    T30Code(41, "T30_ERR_FILEERROR", "TIFF/F file cannot be opened", _G, Retry.NEVER, _FILE_ACTION),
    T30Code(42, "T30_ERR_NOPAGE", "TIFF/F page not found", _G, Retry.NEVER, _FILE_ACTION),
    T30Code(
        43, "T30_ERR_BADTIFF", "TIFF/F format is not compatible", _G, Retry.NEVER, _FILE_ACTION
    ),
    T30Code(44, "T30_ERR_BADPAGE", "TIFF/F page number tag missing", _G, Retry.NEVER, _FILE_ACTION),
    T30Code(
        45, "T30_ERR_BADTAG", "Incorrect values for TIFF/F tags", _G, Retry.NEVER, _FILE_ACTION
    ),
    T30Code(
        46,
        "T30_ERR_BADTIFFHDR",
        "Bad TIFF/F header - incorrect values in fields",
        _G,
        Retry.NEVER,
        _FILE_ACTION,
    ),
    T30Code(47, "T30_ERR_NOMEM", "Cannot allocate memory for more pages", _G),
    T30Code(48, "T30_ERR_RETRYDCN", "Disconnected after permitted retries", _T),
    T30Code(49, "T30_ERR_CALLDROPPED", "The call dropped prematurely", _T),
    T30Code(50, "T30_ERR_NOPOLL", "Poll not accepted", _N, Retry.NEVER, _INCOMPATIBLE_ACTION),
    *(
        T30Code(code, symbol, text, _N, Retry.NEVER, _REFUSED_ACTION)
        for code, symbol, text in (
            (51, "T30_ERR_IDENT_UNACCEPTABLE", "Ident not accepted"),
            (52, "T30_ERR_SUB_UNACCEPTABLE", "Sub-address not accepted"),
            (53, "T30_ERR_SEP_UNACCEPTABLE", "Selective polling address not accepted"),
            (54, "T30_ERR_PSA_UNACCEPTABLE", "Polled sub-address not accepted"),
            (55, "T30_ERR_SID_UNACCEPTABLE", "Sender identification not accepted"),
            (56, "T30_ERR_PWD_UNACCEPTABLE", "Password not accepted"),
            (
                57,
                "T30_ERR_TSA_UNACCEPTABLE",
                "Transmitting subscriber internet address not accepted",
            ),
            (58, "T30_ERR_IRA_UNACCEPTABLE", "Internet routing address not accepted"),
            (59, "T30_ERR_CIA_UNACCEPTABLE", "Calling subscriber internet address not accepted"),
            (
                60,
                "T30_ERR_ISP_UNACCEPTABLE",
                "Internet selective polling address not accepted",
            ),
            (61, "T30_ERR_CSA_UNACCEPTABLE", "Called subscriber internet address not accepted"),
        )
    ),
)

T30_CODES: dict[int, T30Code] = {c.code: c for c in _CODES}
"""Every completion code of spandsp 0.0.6 (0 to 61) by number."""


@dataclass(frozen=True)
class Outcome:
    """The outcome of one call as a sender reads it, with the raw facts kept.

    ``t30_code`` / ``t30_text`` are spandsp's completion code and text when the call reached
    T.30 (None for a call refused by the network or classified by what was heard before any
    fax exchange), ``cause`` a short machine-readable reason (``busy``, ``t30``, ``heard:sit``,
    ``no_channel``...).
    """

    name: OutcomeName
    retry: Retry
    retry_after_seconds: int | None
    action: str
    cause: str
    t30_code: int | None = None
    t30_text: str | None = None

    @property
    def success(self) -> bool:
        return self.name is OutcomeName.SENT

    @property
    def far_end_fault(self) -> bool:
        """False for the platform's own congestion (no free channel)."""
        return self.name is not OutcomeName.NO_FREE_CHANNEL

    def as_dict(self) -> dict[str, object]:
        return {
            "name": str(self.name),
            "success": self.success,
            "retry": str(self.retry),
            "retry_after_seconds": self.retry_after_seconds,
            "action": self.action,
            "cause": self.cause,
            "t30_code": self.t30_code,
            "t30_text": self.t30_text,
        }


def outcome_named(name: OutcomeName, *, cause: str) -> Outcome:
    """An outcome that T.30 did not decide (network signalling, what was heard, our lines)."""
    advice = ADVICE[name]
    return Outcome(name, advice.retry, advice.retry_after_seconds, advice.action, cause)


def outcome_of_t30(code: int, text: str | None = None) -> Outcome:
    """The outcome of a T.30 exchange that ended with completion ``code``.

    An unknown code (a newer spandsp) is a General Error that keeps the raw code and text.
    """
    known = T30_CODES.get(code)
    if known is None:
        return Outcome(
            OutcomeName.GENERAL_ERROR,
            Retry.LATER,
            ADVICE[OutcomeName.GENERAL_ERROR].retry_after_seconds,
            ADVICE[OutcomeName.GENERAL_ERROR].action,
            "t30",
            code,
            text or f"T.30 completion code {code}",
        )
    advice = known.advice
    return Outcome(
        known.name,
        advice.retry,
        advice.retry_after_seconds,
        advice.action,
        "t30",
        code,
        text if text is not None else known.text,
    )
