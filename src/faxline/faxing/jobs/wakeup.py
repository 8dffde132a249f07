"""The nudge a new or changed job gives the dispatchers of this process once committed.

Jobs are rows (the truth); dispatchers also poll for due ones (every second by default), so
a lost nudge only costs that second. In-process dispatchers (``faxline serve``'s thread,
tests) wait on this event instead of sleeping out their interval.
"""

from __future__ import annotations

import threading

_event = threading.Event()


def nudge() -> None:
    _event.set()


def wait(timeout: float) -> bool:
    """Wait for a nudge at most ``timeout`` seconds; whether one came (and consume it)."""
    came = _event.wait(timeout)
    _event.clear()
    return came
