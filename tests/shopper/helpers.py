"""Test helpers for the scan: a fake clock for the scanner's memory of tags."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += seconds


def freeze_scan_clock(app, max_age: float = 1.0) -> FakeClock:
    """Give the app's scanner a fake clock and keep tags for max_age seconds."""
    clock = FakeClock()
    tags = app.extensions["qrshop.scanner"].tags
    tags.clock, tags.max_age = clock, max_age
    return clock
