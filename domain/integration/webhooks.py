"""Webhooks (Webhook 推送) as Standard Webhooks v1 defines them: secrets, the retry
schedule, what an answer means, and which endpoint URLs may be called.

Signing itself is the `standardwebhooks` library's (infra); these are the rules around it.
"""

from __future__ import annotations

import base64
import ipaddress
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from domain.integration.messages import MESSAGES

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret

# Standard Webhooks' schedule: the first attempt at once, then after each failure.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
# Answers that ask the sender to slow down: the endpoint pauses, not only this delivery.
THROTTLING = frozenset({429, 502, 504})
GONE = 410


def new_secret() -> str:
    """`whsec_` and 24 random bytes in base64, as the library reads it; shown once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


class Outcome(StrEnum):
    DELIVERED = "delivered"  # 2xx
    GONE = "gone"  # 410: the receiver asks never to be called again
    THROTTLED = "throttled"  # 429/502/504: slow down
    FAILED = "failed"  # anything else, timeouts and refused connections included


def outcome_of(status_code: int | None) -> Outcome:
    if status_code is not None and 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == GONE:
        return Outcome.GONE
    if status_code in THROTTLING:
        return Outcome.THROTTLED
    return Outcome.FAILED


def next_delay(
    attempts: int, *, scale: float = 1.0, retry_after: float | None = None
) -> timedelta | None:
    """How long after its `attempts`-th failed attempt a delivery is tried again (the
    schedule's step with up to 20 % jitter, compressed by `scale` in tests), at least what
    the receiver asked in `Retry-After`; None when the schedule is spent."""
    if attempts >= MAX_ATTEMPTS:
        return None
    step = RETRY_SCHEDULE[attempts].total_seconds() * scale
    jittered = step * random.uniform(1.0, 1.2)  # noqa: S311 - jitter, not a secret
    return timedelta(seconds=max(jittered, retry_after or 0.0))


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (the delay form; a date is read as no hint), at most a day."""
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), 86400.0)


@dataclass(frozen=True, slots=True)
class DisablePolicy:
    """After how long a run of failures an endpoint is disabled automatically."""

    failures: int
    seconds: float

    def disables(self, streak: int, failing_for: timedelta) -> bool:
        return streak >= self.failures and failing_for.total_seconds() >= self.seconds


def forbidden_address(address: str) -> bool:
    """Loopback, link-local, private, multicast, reserved or unspecified: not a receiver
    on the internet, so calling it could reach what only this host may reach (SSRF)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """An endpoint URL: http(s), a host, no credentials in it; an address literal must be
    public unless the operator allows private ones. Names are checked as they resolve, at
    every delivery (infra)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
    ):
        raise MESSAGES.error(
            "webhook_invalid", errors=[MESSAGES.field(field, "webhook_url_invalid", code="url")]
        )
    if not allow_private:
        try:
            literal = forbidden_address(parts.hostname)
        except ValueError:
            literal = parts.hostname in ("localhost",) or parts.hostname.endswith(".localhost")
        if literal:
            raise MESSAGES.error(
                "webhook_invalid",
                errors=[MESSAGES.field(field, "webhook_url_private", code="private_address")],
            )
    return url
