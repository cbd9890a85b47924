"""Login-failure lockout and password strength (等保 2.0 身份鉴别: 登录失败处理, 口令复杂度)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from zxcvbn import zxcvbn

from domain.shared.errors import FieldError
from domain.tenancy.messages import MESSAGES


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
PASSWORD_MIN_SCORE = 3
USERNAME_MIN_CHECKED = 3
# Words Chinese users reach for that zxcvbn's English lists do not know (pinyin, our own
# names); they count as guessed when a password is built from them.
LOCAL_WORDS = (
    "zhibu",
    "dangjian",
    "dangyuan",
    "gongchandang",
    "zhongguo",
    "woaini",
    "woaizhongguo",
    "5201314",
    "1314520",
    "zhongguo1949",
    "beijing",
    "shenzhen",
    "guangdong",
    "admin",
    "mima",
)


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return lower + upper + digit + other


def _guessability(password: str, inputs: list[str]) -> FieldError | None:
    """zxcvbn's estimate: a top-list password, or one an attacker finds in under ~10⁸ guesses."""
    result = zxcvbn(password[:PASSWORD_MAX_LENGTH], user_inputs=[*inputs, *LOCAL_WORDS])
    if result["score"] >= PASSWORD_MIN_SCORE:
        return None
    if any(
        m["pattern"] == "dictionary"
        and m.get("dictionary_name") == "passwords"
        and len(m["token"]) >= len(password) - 1
        for m in result["sequence"]
    ):
        return MESSAGES.field("password", "password_common")
    return MESSAGES.field("password", "password_guessable")


def check_password(password: str, username: str, phone: str | None = None) -> None:
    """Refuse a weak password (等保 2.0 口令复杂度), reporting every reason at once.

    Too short or long, fewer than three character classes (lower, upper, digits, other),
    containing the username or the phone number, on a common-password list, or easy to
    guess by zxcvbn's estimate (dictionary words, names, pinyin, dates, keyboard runs).
    Usernames shorter than three characters are not checked, as they would forbid ordinary
    passwords by chance. The upper bound keeps hashing cheap for the server.
    """
    errors: list[FieldError] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        errors.append(MESSAGES.field("password", "password_too_short", least=PASSWORD_MIN_LENGTH))
    elif len(password) > PASSWORD_MAX_LENGTH:
        errors.append(MESSAGES.field("password", "password_too_long", most=PASSWORD_MAX_LENGTH))
    if _classes(password) < PASSWORD_MIN_CLASSES:
        errors.append(MESSAGES.field("password", "password_too_simple"))
    folded = password.casefold()
    if len(username) >= USERNAME_MIN_CHECKED and username.casefold() in folded:
        errors.append(MESSAGES.field("password", "password_contains_username"))
    digits = "".join(c for c in phone or "" if c.isdigit())
    if digits and (digits in folded or digits[-8:] in folded):
        errors.append(MESSAGES.field("password", "password_contains_phone"))
    if not errors:
        guessable = _guessability(password, [username, digits])
        errors.extend([guessable] if guessable else [])
    if errors:
        raise MESSAGES.error("password_weak", errors=errors)
