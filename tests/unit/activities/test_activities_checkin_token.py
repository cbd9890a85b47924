import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activities import mint_checkin_token, verify_checkin_token
from domain.shared.errors import DomainError

SECRET = b"test-secret-of-the-tenant"
ACTIVITY = uuid.UUID("0190f5a0-0000-7000-8000-000000000001")
T0 = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)  # a step boundary (Unix time divisible by 30)


def _code(token: str, *, at: datetime, activity: uuid.UUID = ACTIVITY) -> str | None:
    try:
        verify_checkin_token(token, activity, secret=SECRET, now=at)
    except DomainError as error:
        return error.code
    return None


def test_token_is_url_safe_and_changes_every_step() -> None:
    first = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0)
    same = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0 + timedelta(seconds=29))
    next_ = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0 + timedelta(seconds=30))
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", first)
    assert first == same
    assert first != next_


def test_current_and_previous_step_accepted_two_steps_ago_expired() -> None:
    token = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0 + timedelta(seconds=10))
    assert _code(token, at=T0 + timedelta(seconds=10)) is None
    assert _code(token, at=T0 + timedelta(seconds=30)) is None  # the code just rotated
    assert _code(token, at=T0 + timedelta(seconds=59)) is None
    assert _code(token, at=T0 + timedelta(seconds=60)) == "token_expired"
    assert _code(token, at=T0 + timedelta(days=1)) == "token_expired"  # yesterday's photo


def test_another_activitys_token_is_invalid() -> None:
    other = mint_checkin_token(uuid.uuid4(), secret=SECRET, now=T0)
    assert _code(other, at=T0) == "token_invalid"


def test_token_signed_with_another_secret_is_invalid() -> None:
    forged = mint_checkin_token(ACTIVITY, secret=b"guessed", now=T0)
    assert _code(forged, at=T0) == "token_invalid"


def test_tampered_token_is_invalid() -> None:
    token = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0)
    version, step, mac = token.split(".")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert _code(f"{version}.{step}.{flipped}", at=T0) == "token_invalid"
    # Moving an old code's step forward to dodge expiry breaks the signature.
    old = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0 - timedelta(hours=1))
    _, old_step, old_mac = old.split(".")
    assert _code(f"v1.{int(old_step) + 120}.{old_mac}", at=T0) == "token_invalid"


def test_token_from_the_future_is_invalid() -> None:
    later = mint_checkin_token(ACTIVITY, secret=SECRET, now=T0 + timedelta(minutes=5))
    assert _code(later, at=T0) == "token_invalid"


@pytest.mark.parametrize(
    "garbage", ["", "v1", "v1..", "v2.1.abc", "v1.abc.def", "v1.١٢.x", "v1.1.2.3", "x" * 500]
)
def test_malformed_tokens_are_invalid(garbage: str) -> None:
    assert _code(garbage, at=T0) == "token_invalid"


@given(offset=st.integers(min_value=0, max_value=10**8), text=st.text(max_size=80))
def test_arbitrary_text_never_verifies_and_never_crashes(offset: int, text: str) -> None:
    assert _code(text, at=T0 + timedelta(seconds=offset)) in {"token_invalid", "token_expired"}


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mint_checkin_token(ACTIVITY, secret=SECRET, now=datetime(2025, 3, 1, 9, 0))
