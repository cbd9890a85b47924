from datetime import UTC, datetime, timedelta

import pytest

from domain.shared.errors import DomainError
from domain.tenancy import LockoutPolicy, LoginState, check_password

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy()


def fail(times: int, state: LoginState | None = None, at: datetime = T0) -> LoginState:
    state = state or LoginState()
    for _ in range(times):
        state = POLICY.after_failure(state, at)
    return state


def test_four_failures_do_not_lock() -> None:
    assert POLICY.check(fail(4), T0) is None


def test_fifth_failure_locks_for_a_minute() -> None:
    state = fail(5)
    assert POLICY.check(state, T0) == T0 + timedelta(minutes=1)
    assert POLICY.check(state, T0 + timedelta(seconds=59)) is not None
    assert POLICY.check(state, T0 + timedelta(minutes=1)) is None


def test_each_further_failure_doubles_the_lock_up_to_an_hour() -> None:
    state = fail(5)
    locks = []
    now = T0
    for _ in range(8):
        now = POLICY.check(state, now) or now
        state = POLICY.after_failure(state, now)
        assert state.locked_until is not None
        locks.append(state.locked_until - now)
    assert locks == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60, 60)]


def test_many_failures_do_not_overflow() -> None:
    state = LoginState(failures=10_000, last_failure_at=T0)
    assert POLICY.after_failure(state, T0).locked_until == T0 + timedelta(hours=1)


def test_success_resets() -> None:
    state = POLICY.after_success()
    assert POLICY.after_failure(state, T0).failures == 1


def test_old_failures_are_forgotten() -> None:
    state = fail(4)
    state = POLICY.after_failure(state, T0 + timedelta(days=2))
    assert state.failures == 1
    assert POLICY.check(state, T0 + timedelta(days=2)) is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        POLICY.check(LoginState(), datetime(2025, 6, 1))


def password_errors(
    password: str, username: str = "zhangsan", phone: str | None = None
) -> list[str]:
    with pytest.raises(DomainError) as exc:
        check_password(password, username, phone)
    assert {e.field for e in exc.value.errors} == {"password"}
    return [e.code for e in exc.value.errors]


@pytest.mark.parametrize(
    "password",
    [
        "Test-Admin-Pass-2026",
        "Strong-Pass-2026",
        "Hongmei-Qiao-77!",
        "党建工作2025abc",
        "Liwei2025!x",
    ],
)
def test_strong_passwords_pass(password: str) -> None:
    check_password(password, "zhangsan", "13912345678")


@pytest.mark.parametrize("password", ["Password1!", "Qwerty123456!", "Iloveyou123!"])
def test_top_list_passwords_are_common(password: str) -> None:
    assert password_errors(password) == ["password_common"]


@pytest.mark.parametrize("password", ["Dangjian2025!", "Abcd1234!@#$", "P@ssw0rd123"])
def test_guessable_passwords_are_refused(password: str) -> None:
    assert password_errors(password) == ["password_guessable"]


def test_password_containing_the_phone() -> None:
    assert password_errors("Xk#13912345678", phone="13912345678") == ["password_contains_phone"]
    assert password_errors("Xk#p-12345678-q", phone="13912345678") == ["password_contains_phone"]


def test_short_password() -> None:
    assert password_errors("Ab1!ab1!a") == ["password_too_short"]


def test_too_long_password() -> None:
    assert password_errors("Ab1!" * 40) == ["password_too_long"]


@pytest.mark.parametrize("password", ["dangjianabc", "dangjian2025", "DANGJIAN2025"])
def test_two_classes_are_too_simple(password: str) -> None:
    assert password_errors(password) == ["password_too_simple"]


def test_password_containing_the_username_in_any_case() -> None:
    assert password_errors("ZhangSan2025!") == ["password_contains_username"]


def test_all_failures_are_reported_together() -> None:
    assert password_errors("zhangsan", "zhangsan") == [
        "password_too_short",
        "password_too_simple",
        "password_contains_username",
    ]


def test_very_short_usernames_are_not_checked() -> None:
    check_password("Liwei2025!x", "li")
