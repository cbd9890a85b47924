"""Webhook rules: the retry schedule, what an answer means, secrets, URLs, event types."""

from __future__ import annotations

from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from domain.integration import (
    EVENT_TYPES,
    MAX_ATTEMPTS,
    DisablePolicy,
    Outcome,
    check_event_types,
    check_url,
    new_secret,
    next_delay,
    outcome_of,
    parse_retry_after,
    webhook_data,
)
from domain.shared import DomainError

SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


@pytest.mark.parametrize(("attempts", "seconds"), list(enumerate(SCHEDULE_SECONDS, start=1)))
def test_retries_follow_the_standard_schedule_with_jitter(attempts: int, seconds: int) -> None:
    delays = [next_delay(attempts) for _ in range(50)]
    assert all(d is not None and seconds <= d.total_seconds() <= seconds * 1.2 for d in delays)
    assert len({d for d in delays}) > 1  # jittered


def test_the_schedule_ends_after_ten_attempts_and_compresses_for_tests() -> None:
    assert MAX_ATTEMPTS == 10
    assert next_delay(10) is None
    compressed = next_delay(9, scale=0.001)
    assert compressed is not None
    assert compressed < timedelta(seconds=104)


def test_retry_after_is_a_floor() -> None:
    delay = next_delay(1, retry_after=120)
    assert delay is not None
    assert delay == timedelta(seconds=120)
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after("999999") == 86400


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (410, Outcome.GONE),
        (429, Outcome.THROTTLED),
        (502, Outcome.THROTTLED),
        (504, Outcome.THROTTLED),
        (500, Outcome.FAILED),
        (307, Outcome.FAILED),
        (None, Outcome.FAILED),
    ],
)
def test_what_an_answer_means(status: int | None, outcome: Outcome) -> None:
    assert outcome_of(status) is outcome


def test_a_long_run_of_failures_disables() -> None:
    policy = DisablePolicy(failures=100, seconds=5 * 86400)
    assert not policy.disables(99, timedelta(days=6))
    assert not policy.disables(500, timedelta(days=4))
    assert policy.disables(100, timedelta(days=5))


def test_secrets_are_standard_webhooks_secrets() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert new_secret() != secret
    Webhook(secret)  # the library reads it


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.8.9.1:8080/",
        "http://localhost/",
        "http://api.localhost/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://224.0.0.1/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_url(url, allow_private=False)
    assert refused.value.errors[0].code == "private_address"
    assert check_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "https://u:p@example.com/",
        "example.com",
        "https://",
        "http://a:99999/",
    ],
)
def test_only_web_urls_without_credentials(url: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_url(url, allow_private=True)
    assert refused.value.errors[0].code == "url"


def test_public_urls_pass() -> None:
    for url in ("https://hooks.example.com/zhibu", "http://8.8.8.8:8080/x?y=1"):
        assert check_url(url, allow_private=False) == url


def test_event_types_come_from_the_catalogue() -> None:
    assert check_event_types(["member.created", "checkin.recorded", "member.created"]) == [
        "checkin.recorded",
        "member.created",
    ]
    with pytest.raises(DomainError) as refused:
        check_event_types(["member.created", "nope"])
    assert refused.value.errors[0].field == "event_types.1"
    with pytest.raises(DomainError):
        check_event_types([])


def test_payloads_carry_no_personal_data() -> None:
    assert webhook_data("test.relayed", {"x": 1}) is None
    data = webhook_data(
        "member.created", {"member_id": "m", "name": "张三", "phone": "13800001111"}
    )
    assert data == {"member_id": "m"}
    assert "checkin.recorded" in EVENT_TYPES
