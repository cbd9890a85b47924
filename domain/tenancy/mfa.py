"""Two-factor login (双因素认证) for administrators: who needs it and how codes are read.

等保 2.0 level 3 (GB/T 22239 身份鉴别) asks administrators to log in with two or more
factors, one of them cryptographic. The second factor here is TOTP (RFC 6238); one-time
recovery codes replace a lost device. Which accounts need it is decided from their roles,
the platform switch and the tenant setting `mfa_required_for_staff`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from domain.shared.errors import DomainError, ErrorKind
from domain.tenancy.messages import MESSAGES

ADMIN_ROLES = frozenset({"platform_admin", "tenant_admin"})
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed
RECOVERY_CODE_LENGTH = 10

Requirement = Literal["none", "verify", "enroll"]
CodeKind = Literal["totp", "recovery"]

_TOTP = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]")


def requirement(
    roles: Iterable[str],
    *,
    enrolled: bool,
    admins_required: bool,
    staff_required: bool,
) -> Requirement:
    """What the login must ask after the password.

    An enrolled factor is always asked for, whatever the settings: turning a switch off
    must not silently weaken an account its owner protected. Otherwise administrators need
    it when the platform says so, and every staff member (anyone holding a role) when their
    tenant says so; they must enrol before they get a session.
    """
    if enrolled:
        return "verify"
    held = set(roles)
    if (admins_required and held & ADMIN_ROLES) or (staff_required and held):
        return "enroll"
    return "none"


def read_code(raw: str) -> tuple[CodeKind, str]:
    """A TOTP code (six digits) or a recovery code, spaces and dashes ignored."""
    cleaned = _SEPARATORS.sub("", raw).upper()
    if _TOTP.match(cleaned):
        return "totp", cleaned
    if len(cleaned) == RECOVERY_CODE_LENGTH and all(c in RECOVERY_ALPHABET for c in cleaned):
        return "recovery", cleaned
    raise MFA_CODE_INVALID


def format_recovery_code(code: str) -> str:
    """`ABCDE-FGHJK`: easier to copy by hand than ten characters in a row."""
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def step_is_fresh(step: int, last_used_step: int | None) -> bool:
    """A TOTP code counts once: a step at or before the last one accepted is a replay."""
    return last_used_step is None or step > last_used_step


@dataclass(frozen=True, slots=True)
class FactorThrottle:
    """Wrong codes in a row lock the factor for a while; a right one resets the count.

    A six-digit code has a million values: five tries per quarter hour keep guessing hopeless.
    """

    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)

    def is_locked(self, locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and now < locked_until

    def after_failure(self, failures: int, now: datetime) -> tuple[int, datetime | None]:
        """The new failure count and, when it reached the limit, the end of the lock."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        failures += 1
        if failures >= self.max_failures:
            return 0, now + self.lock
        return failures, None


MFA_CODE_INVALID = MESSAGES.error("mfa_code_invalid", ErrorKind.UNAUTHENTICATED)
MFA_CHALLENGE_INVALID = MESSAGES.error("mfa_challenge_invalid", ErrorKind.UNAUTHENTICATED)
MFA_REQUIRED_AGAIN = MESSAGES.error("mfa_required", ErrorKind.UNAUTHENTICATED)
MFA_NOT_ENROLLED = MESSAGES.error("mfa_not_enrolled", ErrorKind.CONFLICT)
MFA_ALREADY_ENROLLED = MESSAGES.error("mfa_already_enrolled", ErrorKind.CONFLICT)


def factor_locked(until: datetime) -> DomainError:
    return MESSAGES.error("mfa_locked", ErrorKind.LIMITED, until=until.isoformat())
