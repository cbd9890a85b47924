import math
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from domain.activities import (
    ActivityStatus,
    CheckinAttempt,
    CheckinMethod,
    CheckinOutcome,
    CheckinReason,
    CheckinRules,
    CheckinSettings,
    Geofence,
    GeoPoint,
    distance_m,
    evaluate_batch,
    evaluate_checkin,
    mint_checkin_token,
)
from domain.activities.geo import EARTH_RADIUS_M
from domain.shared.errors import DomainError

CST = timezone(timedelta(hours=8))
START = datetime(2025, 6, 10, 9, 0, tzinfo=CST)
END = datetime(2025, 6, 10, 11, 0, tzinfo=CST)
SECRET = b"activity-secret"
ACTIVITY = uuid.uuid4()
MEMBER = uuid.uuid4()
OTHER_MEMBER = uuid.uuid4()
VENUE = GeoPoint(31.2304, 121.4737)


def north_of(point: GeoPoint, metres: float) -> GeoPoint:
    return GeoPoint(point.latitude + math.degrees(metres / EARTH_RADIUS_M), point.longitude)


def make_rules(**changes: object) -> CheckinRules:
    rules = CheckinRules(
        activity_id=ACTIVITY,
        status=ActivityStatus.ONGOING,
        starts_at=START,
        ends_at=END,
        expected_member_ids=frozenset({MEMBER, OTHER_MEMBER}),
    )
    return replace(rules, **changes)


def reason(rules: CheckinRules, attempt: CheckinAttempt, now: datetime) -> str:
    return evaluate_checkin(rules, attempt, now=now).code


# --- geofence -------------------------------------------------------------------------


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert distance_m(GeoPoint(0, 0), GeoPoint(1, 0)) == pytest.approx(111_195, abs=1)


def test_points_across_the_antimeridian_are_close() -> None:
    assert distance_m(GeoPoint(0, 179.9999), GeoPoint(0, -179.9999)) < 25


def test_geofence_boundary_is_inclusive() -> None:
    fence = Geofence(VENUE, radius_m=200)
    assert fence.contains(north_of(VENUE, 199.9))
    assert not fence.contains(north_of(VENUE, 201))


def test_reported_accuracy_widens_the_fence_only_within_reason() -> None:
    fence = Geofence(VENUE, radius_m=200, max_accuracy_credit_m=100)
    assert not fence.contains(north_of(VENUE, 250))
    assert fence.contains(north_of(VENUE, 250), accuracy_m=60)
    assert fence.contains(north_of(VENUE, 290), accuracy_m=5000)
    assert not fence.contains(north_of(VENUE, 310), accuracy_m=5000)
    assert not fence.contains(north_of(VENUE, 201), accuracy_m=-500)
    assert not fence.contains(north_of(VENUE, 201), accuracy_m=math.nan)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-91, 0), (0, 181), (math.nan, 0)])
def test_impossible_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(DomainError) as caught:
        GeoPoint(lat, lon)
    assert caught.value.code == "invalid_coordinates"


def test_check_in_outside_the_fence_is_rejected_with_the_distance() -> None:
    rules = make_rules(geofence=Geofence(VENUE, radius_m=300))
    now = START + timedelta(minutes=5)
    far = CheckinAttempt(MEMBER, location=north_of(VENUE, 1000), accuracy_m=20)
    decision = evaluate_checkin(rules, far, now=now)
    assert decision.reason is CheckinReason.OUTSIDE_GEOFENCE
    assert decision.distance_m == pytest.approx(1000, abs=1)
    near = CheckinAttempt(MEMBER, location=north_of(VENUE, 250))
    assert evaluate_checkin(rules, near, now=now).accepted
    assert reason(rules, CheckinAttempt(MEMBER), now) == "location_required"


# --- the time window, live and offline -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "at", "expected"),
    [
        (ActivityStatus.PLANNED, START - timedelta(minutes=31), "activity_not_open"),
        (ActivityStatus.PLANNED, START - timedelta(minutes=30), "accepted"),
        (ActivityStatus.ONGOING, START - timedelta(minutes=31), "outside_window"),
        (ActivityStatus.ONGOING, END, "accepted"),
        (ActivityStatus.ONGOING, END + timedelta(seconds=1), "outside_window"),
        (ActivityStatus.FINISHED, END - timedelta(minutes=1), "activity_not_open"),
        (ActivityStatus.CANCELLED, START, "activity_not_open"),
        (ActivityStatus.ARCHIVED, START, "activity_not_open"),
    ],
)
def test_live_check_in_window(status: ActivityStatus, at: datetime, expected: str) -> None:
    assert reason(make_rules(status=status), CheckinAttempt(MEMBER), at) == expected


def test_opening_time_is_a_setting() -> None:
    rules = make_rules(settings=CheckinSettings(opens_before=timedelta(minutes=60)))
    assert reason(rules, CheckinAttempt(MEMBER), START - timedelta(minutes=59)) == "accepted"


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        (START - timedelta(minutes=30), "accepted"),
        (START - timedelta(minutes=31), "outside_window"),
        (END, "accepted"),
        (END + timedelta(minutes=1), "outside_window"),
    ],
)
def test_offline_check_in_is_judged_on_occurred_at(occurred_at: datetime, expected: str) -> None:
    rules = make_rules(status=ActivityStatus.FINISHED)
    upload = END + timedelta(hours=20)
    decision = evaluate_checkin(rules, CheckinAttempt(MEMBER, occurred_at=occurred_at), now=upload)
    assert decision.code == expected
    assert decision.effective_at == occurred_at


def test_occurred_at_in_the_future_beyond_the_skew_allowance_is_rejected() -> None:
    now = START + timedelta(minutes=10)
    rules = make_rules(settings=CheckinSettings(clock_skew_allowance=timedelta(minutes=2)))
    ahead = CheckinAttempt(MEMBER, occurred_at=now + timedelta(minutes=2, seconds=1))
    assert reason(rules, ahead, now) == "occurred_in_future"
    slightly_ahead = CheckinAttempt(MEMBER, occurred_at=now + timedelta(minutes=2))
    assert reason(rules, slightly_ahead, now) == "accepted"


def test_offline_upload_after_the_sync_grace_period_is_rejected() -> None:
    rules = make_rules(
        status=ActivityStatus.FINISHED, settings=CheckinSettings(sync_grace=timedelta(days=2))
    )
    attempt = CheckinAttempt(MEMBER, occurred_at=START + timedelta(minutes=3))
    assert reason(rules, attempt, END + timedelta(days=2)) == "accepted"
    assert reason(rules, attempt, END + timedelta(days=2, seconds=1)) == "sync_too_late"


def test_offline_naive_time_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        CheckinAttempt(MEMBER, occurred_at=datetime(2025, 6, 10, 9, 0))
    assert caught.value.code == "timezone_required"


# --- QR token inside the rules ---------------------------------------------------------


def test_offline_qr_token_is_judged_at_occurred_at_not_upload_time() -> None:
    rules = make_rules(status=ActivityStatus.FINISHED, qr_secret=SECRET)
    scanned = START + timedelta(minutes=10, seconds=5)
    token = mint_checkin_token(ACTIVITY, secret=SECRET, now=scanned)
    next_day = END + timedelta(days=1)
    on_time = CheckinAttempt(MEMBER, occurred_at=scanned + timedelta(seconds=20), token=token)
    assert reason(rules, on_time, next_day) == "accepted"
    claimed_later = CheckinAttempt(MEMBER, occurred_at=scanned + timedelta(minutes=5), token=token)
    assert reason(rules, claimed_later, next_day) == "token_expired"


def test_live_qr_check_in() -> None:
    rules = make_rules(qr_secret=SECRET)
    now = START + timedelta(minutes=1)
    token = mint_checkin_token(ACTIVITY, secret=SECRET, now=now)
    assert reason(rules, CheckinAttempt(MEMBER, token=token), now) == "accepted"
    assert reason(rules, CheckinAttempt(MEMBER), now) == "token_required"
    foreign = mint_checkin_token(uuid.uuid4(), secret=SECRET, now=now)
    assert reason(rules, CheckinAttempt(MEMBER, token=foreign), now) == "token_invalid"


# --- roster, duplicates, secretary marks ----------------------------------------------


def test_only_expected_members_may_check_in() -> None:
    stranger = CheckinAttempt(uuid.uuid4())
    assert reason(make_rules(), stranger, START) == "not_on_roster"


def test_second_check_in_is_a_duplicate_not_an_error() -> None:
    rules = make_rules(checked_in_member_ids=frozenset({MEMBER}))
    decision = evaluate_checkin(rules, CheckinAttempt(MEMBER), now=START)
    assert decision.outcome is CheckinOutcome.DUPLICATE
    assert decision.message.zh == "您已签到。"


def test_batch_reports_each_item_and_catches_duplicates_within_it() -> None:
    rules = make_rules(status=ActivityStatus.FINISHED)
    upload = END + timedelta(hours=1)
    attempts = [
        CheckinAttempt(MEMBER, occurred_at=START),
        CheckinAttempt(MEMBER, occurred_at=START + timedelta(minutes=1)),
        CheckinAttempt(OTHER_MEMBER, occurred_at=END + timedelta(hours=1)),
        CheckinAttempt(uuid.uuid4(), occurred_at=START),
    ]
    codes = [d.code for d in evaluate_batch(rules, attempts, now=upload)]
    assert codes == ["accepted", "duplicate", "outside_window", "not_on_roster"]


def test_secretary_marked_attendance_counts_without_code_or_location() -> None:
    rules = make_rules(
        status=ActivityStatus.FINISHED,
        qr_secret=SECRET,
        geofence=Geofence(VENUE, radius_m=100),
    )
    marked = CheckinAttempt(MEMBER, method=CheckinMethod.SECRETARY)
    assert reason(rules, marked, END + timedelta(days=10)) == "accepted"
    planned = make_rules(status=ActivityStatus.PLANNED)
    assert reason(planned, marked, START - timedelta(hours=2)) == "activity_not_open"
    assert reason(make_rules(status=ActivityStatus.ARCHIVED), marked, END) == "activity_not_open"


def test_tenant_may_require_members_to_check_in_themselves() -> None:
    rules = make_rules(settings=CheckinSettings(self_checkin_required=True))
    marked = CheckinAttempt(MEMBER, method=CheckinMethod.SECRETARY)
    decision = evaluate_checkin(rules, marked, now=START)
    assert decision.outcome is CheckinOutcome.REJECTED
    assert decision.reason is CheckinReason.SELF_CHECKIN_REQUIRED
    assert decision.message.en


def test_every_rejection_reason_has_both_messages() -> None:
    for item in CheckinReason:
        assert item.message.zh
        assert item.message.en
