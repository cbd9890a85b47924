"""Check-in rules (签到规则): one decision per attempt, never an exception.

The offline batch sync (`/checkins/sync`) reports each item's outcome separately, so the
rules return a `CheckinDecision` instead of raising.

Offline attempts carry the phone's clock as `occurred_at`. Everything about the moment of
the check-in (the time window, the QR code's step) is judged at `occurred_at`, because the
member scanned the code in the room, possibly hours before the phone found a signal;
judging the code at upload time would refuse every offline check-in. The client clock is
trusted only within bounds: an `occurred_at` later than the server clock plus a small skew
allowance is refused, and an upload arriving after the activity's end plus the sync grace
period is refused. A copied QR code still only works within about a minute of being shown,
because its step has to match `occurred_at`, and `occurred_at` has to lie in the window.

Self check-in is never the only way to be present: unless the tenant turns on
`self_checkin_required` (off by default, as the rules against 指尖上的形式主义 require),
attendance marked by the secretary counts the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.activities.checkin_token import verify_checkin_token
from domain.activities.geo import Geofence, GeoPoint, distance_m
from domain.activities.lifecycle import ActivityStatus
from domain.activities.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind, Message


class CheckinMethod(StrEnum):
    """自助签到 (the member, by QR code and/or location) or 代签 (marked by the secretary)."""

    SELF = "self"
    SECRETARY = "secretary"


class CheckinOutcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class CheckinReason(StrEnum):
    """Why a check-in was rejected; stable codes for clients."""

    NOT_ON_ROSTER = "not_on_roster"
    ACTIVITY_NOT_OPEN = "activity_not_open"
    OUTSIDE_WINDOW = "outside_window"
    OUTSIDE_GEOFENCE = "outside_geofence"
    LOCATION_REQUIRED = "location_required"
    TOKEN_REQUIRED = "token_required"  # noqa: S105 (a reason code, not a secret)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    TOKEN_INVALID = "token_invalid"  # noqa: S105
    OCCURRED_IN_FUTURE = "occurred_in_future"
    SYNC_TOO_LATE = "sync_too_late"
    SELF_CHECKIN_REQUIRED = "self_checkin_required"

    @property
    def message(self) -> Message:
        return MESSAGES.message(_MESSAGE_KEYS.get(self, self.value))


_MESSAGE_KEYS = {
    CheckinReason.TOKEN_EXPIRED: "checkin_token_expired",
    CheckinReason.TOKEN_INVALID: "checkin_token_invalid",
}


@dataclass(frozen=True, slots=True)
class CheckinSettings:
    """Per-tenant (or per-activity) check-in settings (签到设置); defaults are the safe ones."""

    opens_before: timedelta = timedelta(minutes=30)
    clock_skew_allowance: timedelta = timedelta(minutes=5)
    sync_grace: timedelta = timedelta(days=3)
    self_checkin_required: bool = False


@dataclass(frozen=True, slots=True)
class CheckinRules:
    """What the rules need to know about one activity.

    `qr_secret` set means self check-ins must carry that activity's rotating QR token;
    `geofence` set means they must carry a location inside it.
    `checked_in_member_ids` holds members with an accepted check-in already.
    """

    activity_id: uuid.UUID
    status: ActivityStatus
    starts_at: datetime
    ends_at: datetime
    expected_member_ids: frozenset[uuid.UUID]
    checked_in_member_ids: frozenset[uuid.UUID] = frozenset()
    qr_secret: bytes | None = None
    geofence: Geofence | None = None
    settings: CheckinSettings = field(default_factory=CheckinSettings)

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("activity times must be timezone-aware")

    @property
    def opens_at(self) -> datetime:
        return self.starts_at - self.settings.opens_before


@dataclass(frozen=True, slots=True)
class CheckinAttempt:
    """One check-in as the client sent it.

    `occurred_at` is the phone's clock for an offline check-in; leave it None for a live
    one, which is judged at the server's `now`.
    """

    member_id: uuid.UUID
    method: CheckinMethod = CheckinMethod.SELF
    occurred_at: datetime | None = None
    token: str | None = None
    location: GeoPoint | None = None
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        if self.occurred_at is not None and self.occurred_at.tzinfo is None:
            raise MESSAGES.error(
                "occurred_at_timezone_required", ErrorKind.INVALID, code="timezone_required"
            )


@dataclass(frozen=True, slots=True)
class CheckinDecision:
    """The outcome of one attempt; `effective_at` is the time the check-in counts at."""

    outcome: CheckinOutcome
    effective_at: datetime
    reason: CheckinReason | None = None
    distance_m: float | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is CheckinOutcome.ACCEPTED

    @property
    def code(self) -> str:
        return self.reason.value if self.reason else self.outcome.value

    @property
    def message(self) -> Message:
        if self.reason is not None:
            return self.reason.message
        if self.outcome is CheckinOutcome.DUPLICATE:
            return MESSAGES.message("already_checked_in")
        return MESSAGES.message("checked_in")


def evaluate_checkin(
    activity_rules: CheckinRules, attempt: CheckinAttempt, *, now: datetime
) -> CheckinDecision:
    """Decide one attempt. Rules are checked from the most to the least fundamental."""
    rules = activity_rules
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    at = attempt.occurred_at or now

    def reject(reason: CheckinReason, distance: float | None = None) -> CheckinDecision:
        return CheckinDecision(CheckinOutcome.REJECTED, at, reason, distance)

    if attempt.member_id in rules.checked_in_member_ids:
        return CheckinDecision(CheckinOutcome.DUPLICATE, at)
    if at > now + rules.settings.clock_skew_allowance:
        return reject(CheckinReason.OCCURRED_IN_FUTURE)
    if not _open(rules, attempt, at):
        return reject(CheckinReason.ACTIVITY_NOT_OPEN)
    if attempt.member_id not in rules.expected_member_ids:
        return reject(CheckinReason.NOT_ON_ROSTER)
    if attempt.method is CheckinMethod.SECRETARY:
        if rules.settings.self_checkin_required:
            return reject(CheckinReason.SELF_CHECKIN_REQUIRED)
        return CheckinDecision(CheckinOutcome.ACCEPTED, at)
    if attempt.occurred_at is not None and now > rules.ends_at + rules.settings.sync_grace:
        return reject(CheckinReason.SYNC_TOO_LATE)
    if not rules.opens_at <= at <= rules.ends_at:
        return reject(CheckinReason.OUTSIDE_WINDOW)
    if rules.qr_secret is not None:
        token_reason = _token_reason(rules.activity_id, rules.qr_secret, attempt.token, at)
        if token_reason is not None:
            return reject(token_reason)
    distance: float | None = None
    if rules.geofence is not None:
        if attempt.location is None:
            return reject(CheckinReason.LOCATION_REQUIRED)
        distance = distance_m(rules.geofence.center, attempt.location)
        if distance > rules.geofence.allowance_m(attempt.accuracy_m):
            return reject(CheckinReason.OUTSIDE_GEOFENCE, distance)
    return CheckinDecision(CheckinOutcome.ACCEPTED, at, None, distance)


def evaluate_batch(
    activity_rules: CheckinRules, attempts: Iterable[CheckinAttempt], *, now: datetime
) -> list[CheckinDecision]:
    """Decide a batch in order; a second attempt by the same member is a duplicate."""
    rules = activity_rules
    decisions: list[CheckinDecision] = []
    for attempt in attempts:
        decision = evaluate_checkin(rules, attempt, now=now)
        if decision.accepted:
            rules = replace(
                rules, checked_in_member_ids=rules.checked_in_member_ids | {attempt.member_id}
            )
        decisions.append(decision)
    return decisions


def _open(rules: CheckinRules, attempt: CheckinAttempt, at: datetime) -> bool:
    """Closed when cancelled or archived, or still planned before the window opens.

    A finished activity takes no live self check-ins any more, but still takes offline
    ones made during the meeting and the secretary's marks (补录) until it is archived.
    """
    if rules.status in (ActivityStatus.CANCELLED, ActivityStatus.ARCHIVED):
        return False
    if rules.status is ActivityStatus.PLANNED and at < rules.opens_at:
        return False
    live_self = attempt.method is CheckinMethod.SELF and attempt.occurred_at is None
    return not (rules.status is ActivityStatus.FINISHED and live_self)


def _token_reason(
    activity_id: uuid.UUID, secret: bytes, token: str | None, at: datetime
) -> CheckinReason | None:
    if not token:
        return CheckinReason.TOKEN_REQUIRED
    try:
        verify_checkin_token(token, activity_id, secret=secret, now=at)
    except DomainError as error:
        return CheckinReason(error.code)
    return None
