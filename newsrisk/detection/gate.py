"""Hysteresis and cool-down: one event opens one alert."""

from __future__ import annotations

from typing import Any


class AlertGate:
    """Opens on a window that qualifies; stays open while scores stay at or above ``release``;
    closes after ``cooldown`` consecutive windows below it. Only the opening window fires."""

    __slots__ = ("release", "cooldown", "open", "below")

    def __init__(self, release: float, cooldown: int) -> None:
        self.release = release
        self.cooldown = cooldown
        self.open = False
        self.below = 0

    def step(self, score: float, qualifies: bool) -> bool:
        """Advance by one window; True when this window opens a new alert."""
        if self.open:
            if score >= self.release or qualifies:
                self.below = 0
            else:
                self.below += 1
                if self.below >= self.cooldown:
                    self.open = False
                    self.below = 0
            return False
        if qualifies:
            self.open = True
            self.below = 0
            return True
        return False

    def state_dict(self) -> dict[str, Any]:
        return {"open": self.open, "below": self.below}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.open = bool(state["open"])
        self.below = int(state["below"])
