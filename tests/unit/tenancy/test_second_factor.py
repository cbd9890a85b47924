"""Who must pass a second factor, how codes are read, and how wrong codes are slowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.shared import DomainError
from domain.tenancy import effective_settings
from domain.tenancy.mfa import (
    FactorThrottle,
    format_recovery_code,
    read_code,
    requirement,
    step_is_fresh,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("roles", "enrolled", "admins", "staff", "expected"),
    [
        (["tenant_admin"], False, True, False, "enroll"),
        (["platform_admin"], False, True, False, "enroll"),
        (["tenant_admin"], False, False, False, "none"),
        (["org_secretary"], False, True, False, "none"),
        (["org_secretary"], False, False, True, "enroll"),
        ([], False, True, True, "none"),  # members hold no staff role: never asked
        ([], True, False, False, "verify"),  # an enrolled factor is always asked for
        (["tenant_admin"], True, True, True, "verify"),
    ],
)
def test_requirement_follows_roles_settings_and_enrolment(
    roles: list[str], enrolled: bool, admins: bool, staff: bool, expected: str
) -> None:
    got = requirement(roles, enrolled=enrolled, admins_required=admins, staff_required=staff)
    assert got == expected


def test_codes_are_read_as_typed() -> None:
    assert read_code(" 123 456 ") == ("totp", "123456")
    assert read_code("abcde-fghjk") == ("recovery", "ABCDEFGHJK")
    assert format_recovery_code("ABCDEFGHJK") == "ABCDE-FGHJK"
    for bad in ("12345", "1234567", "ABCDE-FGHJ0", ""):
        with pytest.raises(DomainError) as caught:
            read_code(bad)
        assert caught.value.code == "mfa_code_invalid"


def test_a_time_step_counts_once() -> None:
    assert step_is_fresh(100, None)
    assert step_is_fresh(101, 100)
    assert not step_is_fresh(100, 100)
    assert not step_is_fresh(99, 100)


def test_five_wrong_codes_lock_the_factor_for_a_quarter_hour() -> None:
    throttle = FactorThrottle()
    failures, locked = 0, None
    for _ in range(4):
        failures, locked = throttle.after_failure(failures, NOW)
        assert locked is None
    failures, locked = throttle.after_failure(failures, NOW)
    assert (failures, locked) == (0, NOW + timedelta(minutes=15))
    assert throttle.is_locked(locked, NOW + timedelta(minutes=14))
    assert not throttle.is_locked(locked, NOW + timedelta(minutes=15))
    with pytest.raises(ValueError, match="timezone"):
        throttle.after_failure(0, datetime(2026, 12, 1))


def test_a_tenant_cannot_opt_out_of_what_an_ancestor_requires() -> None:
    def required(*chain: dict[str, bool]) -> bool:
        return effective_settings([{}, *chain]).mfa_required_for_staff

    assert required({"mfa_required_for_staff": True}, {"mfa_required_for_staff": False})
    assert required({}, {"mfa_required_for_staff": True})
    assert not required({"mfa_required_for_staff": False})
    assert not required()
