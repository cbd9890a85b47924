"""Login-failure lockout and password strength (等保 2.0 身份鉴别: 登录失败处理, 口令复杂度)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.shared.errors import DomainError, FieldError, Message


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


@dataclass(frozen=True, slots=True)
class LoginState:
    """What the lockout remembers about one account: consecutive failures and the lock."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """Lock an account after `max_failures` consecutive failures, doubling each time after.

    The `max_failures`-th failure locks for `base_lock`; each further failure locks for
    `factor` times longer, never more than `max_lock`. Failures older than `forget_after`
    no longer count, so one bad day does not leave a long lock hanging over an account.
    """

    max_failures: int = 5
    base_lock: timedelta = timedelta(minutes=1)
    factor: int = 2
    max_lock: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.factor < 1:
            raise ValueError("max_failures and factor must be at least 1")
        if not timedelta(0) < self.base_lock <= self.max_lock:
            raise ValueError("need 0 < base_lock <= max_lock")

    def after_failure(self, state: LoginState, now: datetime) -> LoginState:
        """Record a wrong password; a locked account is refused before its password is tried."""
        _aware(now)
        last = state.last_failure_at
        failures = 1 if last is not None and now - last > self.forget_after else state.failures + 1
        locked_until = None
        if failures >= self.max_failures:
            lock = self.base_lock
            for _ in range(failures - self.max_failures):
                if lock >= self.max_lock:
                    break
                lock *= self.factor
            locked_until = now + min(lock, self.max_lock)
        return replace(state, failures=failures, last_failure_at=now, locked_until=locked_until)

    def check(self, state: LoginState, now: datetime) -> datetime | None:
        """When the account is locked at `now`, the moment it unlocks; otherwise None."""
        _aware(now)
        if state.locked_until is not None and now < state.locked_until:
            return state.locked_until
        return None

    def after_success(self) -> LoginState:
        return LoginState()


PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_CLASSES = 3
USERNAME_MIN_CHECKED = 3


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return lower + upper + digit + other


def check_password(password: str, username: str) -> None:
    """Refuse a weak password: too short, too few character classes, or containing the username.

    The four classes are lower case, upper case, digits and everything else. Usernames shorter
    than three characters are not checked, as they would forbid ordinary passwords by chance.
    The upper bound keeps hashing cheap for the server.
    """
    errors: list[FieldError] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        errors.append(
            FieldError(
                "password",
                "password_too_short",
                Message(
                    zh=f"密码至少{PASSWORD_MIN_LENGTH}位",
                    en=f"A password has at least {PASSWORD_MIN_LENGTH} characters",
                ),
            )
        )
    elif len(password) > PASSWORD_MAX_LENGTH:
        errors.append(
            FieldError(
                "password",
                "password_too_long",
                Message(
                    zh=f"密码不能超过{PASSWORD_MAX_LENGTH}位",
                    en=f"A password has at most {PASSWORD_MAX_LENGTH} characters",
                ),
            )
        )
    if _classes(password) < PASSWORD_MIN_CLASSES:
        errors.append(
            FieldError(
                "password",
                "password_too_simple",
                Message(
                    zh="密码须包含大写字母、小写字母、数字、其他字符中的至少三类",
                    en="A password mixes at least three of: upper case, lower case, digits, "
                    "other characters",
                ),
            )
        )
    if len(username) >= USERNAME_MIN_CHECKED and username.casefold() in password.casefold():
        errors.append(
            FieldError(
                "password",
                "password_contains_username",
                Message(zh="密码不能包含用户名", en="A password must not contain the username"),
            )
        )
    if errors:
        raise DomainError(
            code="password_weak",
            message=Message(zh="密码强度不足", en="The password is too weak"),
            errors=errors,
        )
