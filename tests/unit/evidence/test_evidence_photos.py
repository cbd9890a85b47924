from datetime import UTC, datetime, timedelta

from domain.evidence import photo_hint

STARTS = datetime(2026, 6, 20, 14, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2)


def test_no_exif_time_or_place_gives_no_hint() -> None:
    hint = photo_hint(
        taken_at=None,
        latitude=None,
        longitude=None,
        starts_at=STARTS,
        ends_at=ENDS,
        distance_m=None,
    )
    assert hint is None


def test_a_photo_taken_during_the_activity_and_its_distance_to_the_decimetre() -> None:
    hint = photo_hint(
        taken_at=ENDS,
        latitude=22.5431,
        longitude=114.0579,
        starts_at=STARTS,
        ends_at=ENDS,
        distance_m=123.456,
    )
    assert hint is not None
    assert hint.taken_during_activity is True
    assert hint.distance_m == 123.5


def test_a_photo_taken_the_day_before_is_flagged_not_refused() -> None:
    hint = photo_hint(
        taken_at=STARTS - timedelta(days=1),
        latitude=None,
        longitude=None,
        starts_at=STARTS,
        ends_at=ENDS,
        distance_m=None,
    )
    assert hint is not None
    assert hint.taken_during_activity is False
    assert hint.distance_m is None


def test_place_without_time_leaves_the_time_question_open() -> None:
    hint = photo_hint(
        taken_at=None,
        latitude=22.5,
        longitude=114.0,
        starts_at=STARTS,
        ends_at=ENDS,
        distance_m=None,
    )
    assert hint is not None
    assert hint.taken_during_activity is None
