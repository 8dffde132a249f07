"""The answer classifier hears what the sandbox's far ends play (and would hear the same
from a SIP trunk): fax tones, speech, special information tones, silence."""

from __future__ import annotations

import math
from array import array

import pytest

from faxline.telephony.sandbox import audio
from faxline.telephony.tones import (
    FRAME,
    RATE,
    AnswerClassifier,
    Heard,
    amplitude_of,
    level_dbm0,
)

pytestmark = pytest.mark.database_independent


def tone(freq: float, seconds: float, dbm0: float = -12.0) -> tuple[bytes, ...]:
    amp = amplitude_of(dbm0)
    samples = array(
        "h",
        (round(amp * math.sin(2 * math.pi * freq * i / RATE)) for i in range(int(seconds * RATE))),
    )
    return tuple(samples[i : i + FRAME].tobytes() for i in range(0, len(samples), FRAME))


def classify(frames: tuple[bytes, ...], *, listen: int = 300) -> tuple[Heard, float]:
    classifier = AnswerClassifier()
    for i in range(listen):
        hearing = classifier.feed(frames[i % len(frames)])
        if hearing is not None:
            return hearing.heard, hearing.at_seconds
    result = classifier.conclude()
    return result.heard, result.at_seconds


def test_levels() -> None:
    amp = amplitude_of(-10.0)
    assert level_dbm0(amp * amp / 2) == pytest.approx(-10.0)


def test_answer_tone_is_a_fax_machine() -> None:
    heard, at = classify((audio.SILENCE,) * 10 + tone(2100, 3.0))
    assert heard is Heard.FAX
    assert at == pytest.approx(0.4)


def test_v21_flags_are_a_fax_machine() -> None:
    # HDLC flags 0x7E at 300 bit/s on V.21 channel 2: mark 1650 Hz, space 1850 Hz.
    bits = [0, 1, 1, 1, 1, 1, 1, 0] * 20
    samples: list[float] = []
    phase = 0.0
    for bit in bits:
        freq = 1650 if bit else 1850
        for _ in range(RATE // 300):
            phase += 2 * math.pi * freq / RATE
            samples.append(amplitude_of(-12) * math.sin(phase))
    data = array("h", (round(x) for x in samples))
    frames = tuple(data[i : i + FRAME].tobytes() for i in range(0, len(data) - FRAME, FRAME))
    assert classify(frames)[0] is Heard.FAX


def test_speech_is_a_voice() -> None:
    heard, at = classify(audio.speech())
    assert heard is Heard.VOICE
    assert at < 3


def test_sit_tones_are_an_intercept() -> None:
    heard, at = classify(audio.intercept())
    assert heard is Heard.SIT
    assert at < 1.5


def test_sit_tones_in_the_wrong_order_are_not_an_intercept() -> None:
    frames = tone(1776.7, 0.38) + tone(1370.6, 0.274) + tone(913.8, 0.274) + (audio.SILENCE,) * 50
    assert classify(frames, listen=len(frames))[0] is Heard.SILENCE


def test_silence_and_line_noise_are_no_fax_machine() -> None:
    assert classify((audio.SILENCE,), listen=100)[0] is Heard.SILENCE
    assert classify(audio.white_noise(-42.0), listen=100)[0] is Heard.SILENCE


def test_a_single_tone_is_not_speech() -> None:
    # 1 kHz test tone (a modem or a line test): a tone, never a voice.
    assert classify(tone(1004, 2.0), listen=100)[0] is Heard.SILENCE
