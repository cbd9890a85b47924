"""When a failed background job runs again: exponential backoff with jitter, capped.

Jitter spreads the retries of many jobs that failed together (a database restart) so they
do not all come back in the same second.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """A job kind's retry budget: `max_attempts` runs in all, the first included."""

    max_attempts: int = 3
    base_seconds: float = 5.0
    cap_seconds: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_seconds < 0 or self.cap_seconds < 0:
            raise ValueError("a retry policy needs at least one attempt and delays >= 0")

    def gives_up_after(self, attempts: int) -> bool:
        """True when `attempts` runs have used the budget."""
        return attempts >= self.max_attempts

    def delay(self, attempts: int, rand: float) -> float:
        """Seconds to wait after the `attempts`-th failed run; `rand` is uniform in [0, 1).

        "Equal jitter": half of the exponential step is kept, half is random, so delays
        still grow with each attempt while retries of different jobs spread out.
        """
        step = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempts - 1, 0))
        return step / 2 + rand * step / 2
