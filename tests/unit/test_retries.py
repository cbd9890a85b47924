"""A failed job waits longer after each attempt, never past the cap, and gives up at its limit."""

from __future__ import annotations

import pytest

from domain.shared.retries import RetryPolicy


def test_delays_grow_exponentially_within_their_jitter_band() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=2, cap_seconds=1000)
    for attempts, step in [(1, 2), (2, 4), (3, 8), (4, 16)]:
        assert policy.delay(attempts, 0.0) == step / 2
        assert policy.delay(attempts, 0.999) < step
        assert policy.delay(attempts, 0.5) == pytest.approx(step * 0.75)


def test_delays_stop_growing_at_the_cap() -> None:
    policy = RetryPolicy(max_attempts=50, base_seconds=1, cap_seconds=60)
    assert policy.delay(40, 0.999) < 60
    assert policy.delay(40, 0.0) == 30


def test_the_budget_counts_the_first_run() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.gives_up_after(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


def test_a_policy_without_attempts_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
