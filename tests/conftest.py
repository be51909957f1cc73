"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The project's shared data (KB articles, the corkami PE corpus), beside the checkout.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_PARTS = ("kb", "corpus/corkami-pe")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI=true a missing shared corpus fails the run instead of skipping its tests.

    On a user's clone the tests that need ``../shared`` skip with a reason; CI has the corpus,
    so there a skip would hide a gap.
    """
    if os.environ.get("CI", "").lower() != "true":
        return
    missing = [part for part in SHARED_PARTS if not (SHARED / part).is_dir()]
    if missing:
        names = ", ".join(str(SHARED / part) for part in missing)
        pytest.exit(f"CI=true but the shared corpus is missing: {names}", returncode=1)


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail (instead of hanging the suite) when the test body blocks for 10 s."""

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError("blocked: the test took more than 10 s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def recorded_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path given to ``os.open`` from here on, in order (the call itself goes through)."""
    import os

    opened: list[str] = []
    real_open = os.open

    def recording_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    return opened
