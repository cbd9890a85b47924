"""Access tokens: verified once, still refused once expired or tampered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from infra.security import (
    AccessTokenVerifier,
    ClientClaims,
    TokenError,
    issue_access_token,
    issue_client_token,
)

SECRET = b"k" * 32
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _token(now: datetime = NOW) -> str:
    token, _ = issue_access_token(
        secret=SECRET,
        user_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        tenant_path="zb.440000",
        username="u",
        session_id=uuid.uuid4(),
        now=now,
        lifetime=timedelta(minutes=15),
    )
    return token


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    clock = [NOW]
    verifier = AccessTokenVerifier(SECRET, clock=lambda: clock[0])
    token = _token()
    assert verifier.verify(token).tenant_path == "zb.440000"
    clock[0] = NOW + timedelta(minutes=14)
    assert verifier.verify(token).tenant_path == "zb.440000"
    clock[0] = NOW + timedelta(minutes=15)
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token)


def test_tampered_or_foreign_tokens_are_refused() -> None:
    token = _token()
    with pytest.raises(TokenError):
        AccessTokenVerifier(b"x" * 32, clock=lambda: NOW).verify(token)
    head, payload, sig = token.split(".")
    with pytest.raises(TokenError):
        AccessTokenVerifier(SECRET, clock=lambda: NOW).verify(f"{head}.{payload}x.{sig}")


def test_an_api_clients_token_reads_back_as_a_clients_claims() -> None:
    claims = ClientClaims(
        client_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        tenant_path="zb.440000",
        account_id=uuid.uuid4(),
        name="省党员信息系统",
        domain="zb/440000/",
        scopes=("members:read", "organizations:read"),
        expires_at=NOW + timedelta(minutes=15),
    )
    token, _ = issue_client_token(secret=SECRET, claims=claims, now=NOW)
    assert AccessTokenVerifier(SECRET, clock=lambda: NOW).verify(token) == claims
    with pytest.raises(TokenError):
        AccessTokenVerifier(SECRET, clock=lambda: claims.expires_at).verify(token)
