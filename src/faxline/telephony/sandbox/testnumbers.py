"""SANDBOX: the test numbers, NXX-555-0100 to NXX-555-0199 in any North American area code.

These numbers are fictitious (the North American Numbering Plan keeps 555-0100 to 555-0199
for fiction), so no real fax machine has one. On the sandbox PSTN each of the first twelve
gives a fixed outcome, through the real modem; the rest of the block reaches the simulated
remote fax machine like any other number.

======  ==========================  ========================================================
number  far end                     what the caller sees
======  ==========================  ========================================================
0100    busy                        Busy: the network answers 486 Busy Here
0101    no path (congestion)        Fast Busy: the network answers 503 Service Unavailable
0102    rings, nobody answers       No Answer after the ringing time (55 s of call time)
0103    a person answers            Voice Answer: speech heard, no fax tone
0104    answers and stays silent    Not a Fax Machine: no fax tone heard
0105    intercept                   Sit-Tone / Operator Msg: the three SIT tones heard
0106    fax machine, noisy line     T.30 fails for real in white noise at -48 dBm0 on both
                                    directions: training fails (Negotiation Failed, code 14)
0107    fax machine, standard only  a fine-resolution image is refused (Negotiation Failed,
                                    code 11); standard resolution goes through
0108    fax machine, line drops     the line goes dead during the first page
                                    (Transmission Failed, code 21)
0109    slow fax machine            V.27ter only: Sent at 4800 bit/s
0110    fax machine without ECM     Sent without error correction
0111    fax machine that refuses    refuses the call at phase B, after the sender's DCS and
                                    training (Negotiation Failed: code 20 on audio, 14 on T.38)
======  ==========================  ========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from faxline.telephony.outcomes import OutcomeName


class Behaviour(StrEnum):
    BUSY = "busy"
    FAST_BUSY = "fast_busy"
    NO_ANSWER = "no_answer"
    VOICE = "voice"
    SILENCE = "silence"
    SIT = "sit"
    NOISY_LINE = "noisy_line"
    STANDARD_ONLY = "standard_only"
    DROPS_MID_PAGE = "drops_mid_page"
    V27TER_ONLY = "v27ter_only"
    NO_ECM = "no_ecm"
    REFUSES_AFTER_TRAINING = "refuses_after_training"


@dataclass(frozen=True)
class TestNumber:
    """A test number's fixed behaviour and the outcome it gives (for a fine-resolution
    image, on audio)."""

    __test__ = False  # not a pytest class

    line: str  # the last four digits
    behaviour: Behaviour
    far_end: str
    outcome: OutcomeName
    description: str


TEST_NUMBERS: dict[str, TestNumber] = {
    t.line: t
    for t in (
        TestNumber(
            "0100", Behaviour.BUSY, "busy", OutcomeName.BUSY, "The network answers 486 Busy Here."
        ),
        TestNumber(
            "0101",
            Behaviour.FAST_BUSY,
            "no path (congestion)",
            OutcomeName.FAST_BUSY,
            "The network answers 503 Service Unavailable (reorder tone).",
        ),
        TestNumber(
            "0102",
            Behaviour.NO_ANSWER,
            "rings, nobody answers",
            OutcomeName.NO_ANSWER,
            "It rings until the ringing time is over (55 s of call time).",
        ),
        TestNumber(
            "0103",
            Behaviour.VOICE,
            "a person answers",
            OutcomeName.VOICE_ANSWER,
            "Speech is heard instead of fax tones.",
        ),
        TestNumber(
            "0104",
            Behaviour.SILENCE,
            "answers and stays silent",
            OutcomeName.NOT_A_FAX_MACHINE,
            "The line is answered but no fax tone is heard.",
        ),
        TestNumber(
            "0105",
            Behaviour.SIT,
            "intercept",
            OutcomeName.SIT_TONE,
            "The special information tones (913.8, 1370.6, 1776.7 Hz) and an operator message.",
        ),
        TestNumber(
            "0106",
            Behaviour.NOISY_LINE,
            "fax machine on a noisy line",
            OutcomeName.NEGOTIATION_FAILED,
            "White noise at -48 dBm0 on the line: training fails for real (code 14).",
        ),
        TestNumber(
            "0107",
            Behaviour.STANDARD_ONLY,
            "fax machine, standard resolution only",
            OutcomeName.NEGOTIATION_FAILED,
            "A fine-resolution image is refused (code 11); standard resolution is Sent.",
        ),
        TestNumber(
            "0108",
            Behaviour.DROPS_MID_PAGE,
            "fax machine, the line drops",
            OutcomeName.TRANSMISSION_FAILED,
            "The line goes dead during the first page (code 21).",
        ),
        TestNumber(
            "0109",
            Behaviour.V27TER_ONLY,
            "slow fax machine (V.27ter)",
            OutcomeName.SENT,
            "Only V.27ter: the fax is Sent at 4800 bit/s.",
        ),
        TestNumber(
            "0110",
            Behaviour.NO_ECM,
            "fax machine without ECM",
            OutcomeName.SENT,
            "No error correction mode: the fax is Sent without ECM.",
        ),
        TestNumber(
            "0111",
            Behaviour.REFUSES_AFTER_TRAINING,
            "fax machine that refuses the call",
            OutcomeName.NEGOTIATION_FAILED,
            "It refuses the call after the sender's DCS and training (code 20, on T.38 14).",
        ),
    )
}

_TEST_BLOCK = re.compile(r"^\+1[2-9]\d{2}5550(1\d{2})$")


def is_test_number(e164: str) -> bool:
    """Whether ``e164`` is in a 555-0100..0199 block of any North American area code."""
    return bool(_TEST_BLOCK.match(e164))


def fixed_test_number(e164: str) -> TestNumber | None:
    """The fixed behaviour of a test number (None for the rest of the block and any other
    number: they reach a simulated remote fax machine)."""
    match = _TEST_BLOCK.match(e164)
    if match is None:
        return None
    return TEST_NUMBERS.get("0" + match.group(1))
