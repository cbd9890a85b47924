"""A handler that keeps failing is retried less and less often, up to a cap."""

from __future__ import annotations

from infra.platform.relay import retry_delay


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    for attempts, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (20, 300.0)]:
        delays = [retry_delay(attempts, base=1.0, cap=300.0) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1, "failures at the same moment must not retry in step"
