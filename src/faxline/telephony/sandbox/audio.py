"""SANDBOX: the sounds of the simulated network, 20 ms frames of 8 kHz 16-bit audio.

What a far end that is not a fax machine plays (speech, the special information tones of an
intercept followed by an operator's voice, silence), and white noise. (The noisy test line
adds spandsp's own white noise, ``telephony.t30.WhiteNoise``, in C.) All
of it is computed once per process (a few seconds of audio, seeded: every run is the same)
and played in a loop.
"""

from __future__ import annotations

import math
import random
from array import array
from functools import cache

from faxline.telephony.tones import FRAME, RATE, amplitude_of

SILENCE = bytes(2 * FRAME)


def _frames(samples: list[float]) -> tuple[bytes, ...]:
    clipped = array("h", (max(-32768, min(32767, round(x))) for x in samples))
    count = len(clipped) // FRAME
    return tuple(clipped[i * FRAME : (i + 1) * FRAME].tobytes() for i in range(count))


def _tone(freq: float, seconds: float, dbm0: float, phase: float = 0.0) -> list[float]:
    amp = amplitude_of(dbm0)
    step = 2 * math.pi * freq / RATE
    return [amp * math.sin(phase + step * i) for i in range(round(seconds * RATE))]


@cache
def speech(seconds: float = 4.0, dbm0: float = -18.0, seed: int = 20110122) -> tuple[bytes, ...]:
    """Speech-like sound: voiced syllables (a gliding fundamental of 100 to 220 Hz with
    harmonics shaped by two moving formants) at about four syllables a second, with short
    pauses between words. No single frequency dominates, as in speech."""
    rng = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
    amp = amplitude_of(dbm0)
    out: list[float] = []
    phase = 0.0
    total = round(seconds * RATE)
    while len(out) < total:
        syllable = round(rng.uniform(0.16, 0.3) * RATE)
        f0_start, f0_end = rng.uniform(100, 220), rng.uniform(100, 220)
        formant1, formant2 = rng.uniform(300, 900), rng.uniform(900, 2500)
        for i in range(syllable):
            t = i / syllable
            f0 = f0_start + (f0_end - f0_start) * t
            phase += 2 * math.pi * f0 / RATE
            envelope = math.sin(math.pi * t) ** 2
            value = 0.0
            for h in range(1, 16):
                fh = f0 * h
                if fh > 3400:
                    break
                weight = 1 / (1 + ((fh - formant1) / 150) ** 2) + 0.6 / (
                    1 + ((fh - formant2) / 250) ** 2
                )
                value += weight * math.sin(h * phase)
            out.append(amp * 0.5 * envelope * value + rng.gauss(0, amp * 0.02))
        if rng.random() < 0.3:  # a pause between words
            out.extend(
                rng.gauss(0, amp * 0.01) for _ in range(round(rng.uniform(0.1, 0.25) * RATE))
            )
    return _frames(out[:total])


@cache
def intercept(dbm0: float = -13.0) -> tuple[bytes, ...]:
    """An intercept: the special information tones (913.8 Hz for 274 ms, 1370.6 Hz for
    274 ms, 1776.7 Hz for 380 ms, as for "vacant code"), then an operator's recorded
    message (speech) for two seconds, then the tones again."""
    samples = (
        _tone(913.8, 0.274, dbm0)
        + _tone(1370.6, 0.274, dbm0)
        + _tone(1776.7, 0.380, dbm0)
        + [0.0] * (RATE // 10)
    )
    return _frames(samples) + speech(2.0, -20.0, 7)


@cache
def white_noise(dbm0: float, seconds: float = 3.0, seed: int = 1) -> tuple[bytes, ...]:
    """Gaussian white noise at ``dbm0`` (its mean power), seeded."""
    rng = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
    sigma = amplitude_of(dbm0) / math.sqrt(2)
    return _frames([rng.gauss(0, sigma) for _ in range(round(seconds * RATE))])


class Loop:
    """Plays a tuple of frames over and over."""

    def __init__(self, frames: tuple[bytes, ...]):
        self.frames = frames
        self.index = 0

    def next(self) -> bytes:
        frame = self.frames[self.index % len(self.frames)]
        self.index += 1
        return frame
