"""Listening to what answered: fax tones, speech, special information tones, silence.

A transport hands every 20 ms frame it hears from the far end (8 kHz, 16-bit linear, 160
samples) to an :class:`AnswerClassifier` until it decides what answered:

- **fax**: the answer tone CED (2100 Hz) for 200 ms, or V.21 channel 2 signalling (1650 and
  1850 Hz, the HDLC flags before a DIS: energy in 1600-1900 Hz) for 200 ms;
- **sit**: the three special information tones (913.8 or 985.2 Hz, then 1370.6 or 1428.5 Hz,
  then 1776.7 Hz, each about 274 or 380 ms) in that order: an intercept ("the number you have
  dialed is not in service");
- **voice**: a second of loud sound that is no tone (a person, a voicemail greeting);
- **silence**: nothing of the above before the transport's listening time ends (a modem or
  machine that answers but never sends a fax signal): :meth:`AnswerClassifier.conclude`.

It is the same for every transport: the sandbox PSTN feeds it the far end's simulated audio,
a SIP trunk will feed it decoded G.711. Pure Python: a Goertzel filter per frequency of
interest over each frame, skipped for quiet frames; it only listens until it has decided (a
fax machine is recognised within the first seconds), so its cost is a few milliseconds per
call.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from enum import StrEnum

RATE = 8000
FRAME = 160  # samples per 20 ms frame
FRAME_SECONDS = FRAME / RATE

CED = 2100.0
CNG = 1100.0
V21_MARK = 1650.0  # V.21 channel 2 (the answering side), binary 1: HDLC flags are mostly 1s
V21_SPACE = 1850.0
# V.21 is frequency-shift keyed at 300 bit/s: within a 20 ms frame its energy spreads over
# 1600-1900 Hz, so the band is watched at 50 Hz steps (a Goertzel filter of 160 samples is
# about 50 Hz wide).
V21_BAND = (1600.0, V21_MARK, 1700.0, 1750.0, 1800.0, V21_SPACE, 1900.0)
SIT_FIRST = (913.8, 985.2)
SIT_SECOND = (1370.6, 1428.5)
SIT_THIRD = (1776.7,)
SIT_TONES = (*SIT_FIRST, *SIT_SECOND, *SIT_THIRD)

WATCHED = (CED, CNG, *V21_BAND, *SIT_TONES)

# A full-scale sine wave is +3.14 dBm0 (G.711).
_FULL_SCALE_SINE_POWER = 32767.0**2 / 2


def level_dbm0(mean_square: float) -> float:
    """The level of a signal of mean square ``mean_square`` (16-bit linear samples)."""
    if mean_square <= 0:
        return -120.0
    return 10 * math.log10(mean_square / _FULL_SCALE_SINE_POWER) + 3.14


def amplitude_of(dbm0: float) -> float:
    """The peak amplitude of a sine wave at ``dbm0``."""
    return 32767.0 * 10 ** ((dbm0 - 3.14) / 20)


def samples_of(frame: bytes) -> array[int]:
    """The 16-bit samples of an audio frame (native byte order)."""
    samples = array("h")
    samples.frombytes(frame)
    return samples


_COEFFS = {f: 2 * math.cos(2 * math.pi * f / RATE) for f in WATCHED}


def tone_ratios(samples: array[int], energy: float) -> dict[float, float]:
    """For each watched frequency, the share of the frame's energy found at it (0 to about
    1: 1 for a pure sine at that frequency). Goertzel over the frame."""
    n = len(samples)
    ratios: dict[float, float] = {}
    if energy <= 0 or n == 0:
        return dict.fromkeys(WATCHED, 0.0)
    scale = energy * n / 2
    for freq, coeff in _COEFFS.items():
        s1 = s2 = 0.0
        for x in samples:
            s1, s2 = x + coeff * s1 - s2, s1
        power = s1 * s1 + s2 * s2 - coeff * s1 * s2
        ratios[freq] = power / scale
    return ratios


class Heard(StrEnum):
    """What answered, as far as a listener can tell."""

    FAX = "fax"
    VOICE = "voice"
    SIT = "sit"
    SILENCE = "silence"


@dataclass(frozen=True)
class Hearing:
    """A decision of the classifier: what was heard, when, and on what evidence."""

    heard: Heard
    at_seconds: float
    evidence: str


@dataclass
class AnswerClassifier:
    """Decides what answered from the far end's audio, 20 ms at a time.

    ``feed`` returns a :class:`Hearing` once it is sure (and the same one afterwards);
    ``conclude`` gives the decision when the transport stops listening.
    """

    quiet_dbm0: float = -43.0  # quieter frames are silence (line noise)
    loud_dbm0: float = -35.0  # speech is louder than this
    tone_share: float = 0.55  # a frame is a tone when this share of its energy is at one
    fax_frames: int = 10  # 200 ms of CED or V.21
    sit_frames: int = 10  # each SIT segment at least 200 ms
    voice_frames: int = 50  # 1 s of loud sound that is no tone

    frames: int = 0
    decision: Hearing | None = None
    _run_tone: float | None = None
    _run_length: int = 0
    _segments: list[tuple[float, int]] = field(default_factory=list)
    _voice: int = 0
    _fax_run: int = 0
    tones_heard: set[float] = field(default_factory=set)

    @property
    def seconds(self) -> float:
        return self.frames * FRAME_SECONDS

    def feed(self, frame: bytes) -> Hearing | None:
        """Listen to one frame of the far end's audio."""
        if self.decision is not None:
            return self.decision
        self.frames += 1
        samples = samples_of(frame)
        n = len(samples) or 1
        energy = float(sum(x * x for x in samples))
        level = level_dbm0(energy / n)
        tone: float | None = None
        fax_like = False
        if level > self.quiet_dbm0:
            ratios = tone_ratios(samples, energy)
            best = max(ratios, key=ratios.__getitem__)
            if ratios[best] >= self.tone_share:
                tone = best
            if ratios[CED] >= self.tone_share or (
                best not in SIT_TONES and sum(ratios[f] for f in V21_BAND) >= self.tone_share
            ):
                fax_like = True
            if tone is None and not fax_like and level > self.loud_dbm0:
                self._voice += 1
        if fax_like:
            self._fax_run += 1
            if self._fax_run >= self.fax_frames:
                what = "CED answer tone" if tone == CED else "V.21 fax signalling"
                return self._decide(Heard.FAX, f"{what} for {self._fax_run * 20} ms")
        else:
            self._fax_run = 0
        self._track_tone(tone)
        if self._sit_heard():
            return self._decide(Heard.SIT, "special information tones 913.8/1370.6/1776.7 Hz")
        if self._voice >= self.voice_frames:
            return self._decide(Heard.VOICE, f"{self._voice * 20} ms of speech-like sound")
        return None

    def conclude(self) -> Hearing:
        """The decision when the transport stops listening: what was decided, else voice
        when there was some speech-like sound, else silence."""
        if self.decision is not None:
            return self.decision
        if self._voice >= self.voice_frames // 4:
            return self._decide(Heard.VOICE, f"{self._voice * 20} ms of speech-like sound")
        return self._decide(Heard.SILENCE, f"no fax tone in {self.seconds:.1f} s")

    def _decide(self, heard: Heard, evidence: str) -> Hearing:
        self.decision = Hearing(heard, round(self.seconds, 3), evidence)
        return self.decision

    def _track_tone(self, tone: float | None) -> None:
        if tone is not None:
            self.tones_heard.add(tone)
        if tone == self._run_tone:
            self._run_length += 1
            return
        if self._run_tone is not None and self._run_length >= self.sit_frames:
            self._segments.append((self._run_tone, self._run_length))
            del self._segments[:-3]
        elif self._run_tone is not None or self._run_length > 5:
            # A short tone or a pause longer than 100 ms breaks a sequence of segments.
            self._segments.clear()
        self._run_tone, self._run_length = tone, 1

    def _sit_heard(self) -> bool:
        segments = list(self._segments)
        if self._run_tone is not None and self._run_length >= self.sit_frames:
            segments.append((self._run_tone, self._run_length))
        if len(segments) < 3:
            return False
        (a, _), (b, _), (c, _) = segments[-3:]
        return a in SIT_FIRST and b in SIT_SECOND and c in SIT_THIRD
