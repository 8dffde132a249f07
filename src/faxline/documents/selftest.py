"""Jobs that exercise the sandbox itself: they burn CPU, fill memory, sleep, crash or echo.

They let the tests (and an operator checking a new machine) see that the worker process's
hard limits hold where faxline runs: a job over its CPU seconds, its address space or its
wall-clock time is stopped and reported as such, and the caller goes on.
"""

from __future__ import annotations

import os
import time
from typing import Any


def echo_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The bytes back, with their size and the parameters."""
    return {"size": len(data), "params": params, "pid": os.getpid()}, data


def spin_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Burn CPU for ``seconds`` (forever when not given): a decoder caught in a loop."""
    seconds = float(params.get("seconds") or 1e9)
    end = time.process_time() + seconds
    spins = 0
    while time.process_time() < end:
        spins += sum(range(1000)) and 1
    return {"spins": spins}, b""


def allocate_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Hold ``megabytes`` of memory, one megabyte at a time: a decoder that inflates."""
    held = [bytearray(1024 * 1024) for _ in range(int(params.get("megabytes") or 0))]
    return {"megabytes": len(held)}, b""


def sleep_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Wait ``seconds`` without using CPU: a worker stuck on something."""
    time.sleep(float(params.get("seconds") or 1e9))
    return {}, b""


def crash_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Die by a signal, as a decoder with a memory error would."""
    os.abort()


def fail_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Raise an exception that is not a refusal: a defect in a job."""
    raise KeyError("a defect")
