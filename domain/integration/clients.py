"""API clients (接口客户端): their public ids, secrets and the overlap of a rotation.

The client id names its tenant, so the token endpoint finds the client's rows before any
tenant scope exists (as refresh tokens do); the secret names its own row, so one hash is
checked per request. Only a hash of the secret is stored.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.integration.messages import MESSAGES

CLIENT_PREFIX = "zbc"
SECRET_PREFIX = "zbs"  # noqa: S105 - a prefix, not a secret
DEFAULT_OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ClientId:
    """`zbc.<tenant>.<client>`: what an integrator sends as `client_id`."""

    tenant_id: uuid.UUID
    id: uuid.UUID

    def __str__(self) -> str:
        return f"{CLIENT_PREFIX}.{self.tenant_id.hex}.{self.id.hex}"

    @classmethod
    def parse(cls, raw: str) -> ClientId | None:
        parts = raw.split(".")
        if len(parts) != 3 or parts[0] != CLIENT_PREFIX:
            return None
        try:
            return cls(uuid.UUID(hex=parts[1]), uuid.UUID(hex=parts[2]))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """`zbs.<secret id>.<random>`: shown once at registration or rotation."""

    id: uuid.UUID
    value: str

    def __str__(self) -> str:
        return f"{SECRET_PREFIX}.{self.id.hex}.{self.value}"

    @classmethod
    def new(cls, secret_id: uuid.UUID) -> ClientSecret:
        return cls(secret_id, secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, raw: str) -> ClientSecret | None:
        parts = raw.split(".")
        if len(parts) != 3 or parts[0] != SECRET_PREFIX or not parts[2]:
            return None
        try:
            return cls(uuid.UUID(hex=parts[1]), parts[2])
        except ValueError:
            return None


def overlap_end(now: datetime, seconds: int | None) -> datetime:
    """Until when the secret a rotation replaces keeps working: integrators switch over
    without downtime. At most MAX_OVERLAP; 0 ends the old secret at once."""
    overlap = DEFAULT_OVERLAP if seconds is None else timedelta(seconds=seconds)
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise MESSAGES.error(
            "api_client_invalid",
            errors=[
                MESSAGES.field(
                    "overlap_seconds",
                    "api_overlap_range",
                    code="out_of_range",
                    most=int(MAX_OVERLAP.total_seconds()),
                )
            ],
        )
    return now + overlap
