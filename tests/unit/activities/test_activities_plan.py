from datetime import UTC, datetime, timedelta

import pytest

from domain.activities import EDITABLE_FIELDS, check_schedule_and_place
from domain.shared.errors import DomainError

START = datetime(2026, 5, 20, 14, 30, tzinfo=UTC)


def plan(**changes: object) -> None:
    values: dict[str, object] = {
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "latitude": None,
        "longitude": None,
        "radius_m": None,
        "geofence_enabled": False,
    }
    values.update(changes)
    check_schedule_and_place(**values)  # type: ignore[arg-type]


def refused(**changes: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        plan(**changes)
    return caught.value


def test_a_plain_plan_and_a_geofenced_one_pass() -> None:
    plan()
    plan(latitude=22.54, longitude=114.05, radius_m=200, geofence_enabled=True)


def test_times_need_an_offset() -> None:
    error = refused(starts_at=START.replace(tzinfo=None))
    assert (error.code, error.errors[0].field) == ("timezone_required", "starts_at")


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-5)])
def test_the_end_follows_the_start(length: timedelta) -> None:
    error = refused(ends_at=START + length)
    assert (error.code, error.errors[0].field) == ("ends_before_start", "ends_at")


def test_a_place_is_a_whole_coordinate_pair() -> None:
    assert refused(latitude=22.54).code == "coordinates_incomplete"
    assert refused(longitude=114.05).errors[0].field == "longitude"


def test_coordinates_are_on_earth() -> None:
    assert refused(latitude=91.0, longitude=114.05).code


def test_a_geofence_needs_the_place_and_a_radius() -> None:
    assert refused(geofence_enabled=True).code == "geofence_needs_place"
    error = refused(latitude=22.54, longitude=114.05, geofence_enabled=True)
    assert (error.code, error.errors[0].field) == ("geofence_needs_place", "geofence_enabled")


def test_kind_and_organizers_are_not_editable() -> None:
    assert {"starts_at", "title", "geofence_enabled"} <= EDITABLE_FIELDS
    assert not {"kind", "organization_id", "status", "tenant_id"} & EDITABLE_FIELDS
