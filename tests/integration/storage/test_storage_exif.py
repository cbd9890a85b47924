"""Capture time and place from a photo's EXIF, so nobody retypes what the camera recorded."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import storage_samples as samples
from hypothesis import given, settings
from hypothesis import strategies as st

from infra.storage import HEAD_BYTES, read_photo_metadata

TIANANMEN = ("N", ((39, 1), (54, 1), (264, 10)), "E", ((116, 1), (23, 1), (2952, 100)))


def test_time_and_place_are_read() -> None:
    photo = samples.jpeg(samples.exif_tiff(taken="2024:07:01 09:30:15", gps=TIANANMEN))

    metadata = read_photo_metadata(photo)

    assert metadata is not None
    assert metadata.taken_at == datetime(2024, 7, 1, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert metadata.latitude == pytest.approx(39.9073333)
    assert metadata.longitude == pytest.approx(116.3915333)


def test_recorded_offset_wins_over_the_default_zone() -> None:
    photo = samples.jpeg(samples.exif_tiff(taken="2024:07:01 09:30:15", offset="+02:00"))

    metadata = read_photo_metadata(photo)

    assert metadata is not None
    assert metadata.taken_at == datetime(2024, 7, 1, 9, 30, 15, tzinfo=timezone(timedelta(hours=2)))


def test_default_zone_is_the_tenants_choice() -> None:
    photo = samples.jpeg(samples.exif_tiff(taken="2024:07:01 09:30:15"))

    metadata = read_photo_metadata(photo, default_tz=ZoneInfo("Asia/Urumqi"))

    assert metadata is not None
    assert metadata.taken_at is not None
    assert metadata.taken_at.utcoffset() == timedelta(hours=6)
    assert (metadata.latitude, metadata.longitude) == (None, None)


def test_southern_and_western_positions_are_negative() -> None:
    gps = ("S", ((33, 1), (52, 1), (0, 1)), "W", ((70, 1), (30, 1), (0, 1)))
    photo = samples.jpeg(samples.exif_tiff(gps=gps))

    metadata = read_photo_metadata(photo)

    assert metadata is not None
    assert metadata.taken_at is None
    assert metadata.latitude == pytest.approx(-33.8666667)
    assert metadata.longitude == pytest.approx(-70.5)


@pytest.mark.parametrize(
    "photo",
    [
        pytest.param(samples.jpeg(), id="no-exif"),
        pytest.param(samples.jpeg(samples.exif_tiff()), id="empty-exif"),
        pytest.param(samples.jpeg(samples.exif_tiff(taken="0000:00:00 00:00:00")), id="unset-date"),
        pytest.param(
            samples.jpeg(
                samples.exif_tiff(
                    gps=("N", ((95, 1), (0, 1), (0, 1)), "E", ((116, 1), (0, 1), (0, 1)))
                )
            ),
            id="impossible-latitude",
        ),
        pytest.param(
            samples.jpeg(
                samples.exif_tiff(
                    gps=("N", ((0, 0), (0, 0), (0, 0)), "E", ((0, 0), (0, 0), (0, 0)))
                )
            ),
            id="gps-without-fix",
        ),
        pytest.param(samples.png(), id="png"),
        pytest.param(b"", id="empty"),
    ],
)
def test_absent_or_unusable_metadata_gives_none(photo: bytes) -> None:
    assert read_photo_metadata(photo) is None


def test_truncated_exif_gives_none_instead_of_failing() -> None:
    photo = samples.jpeg(samples.exif_tiff(taken="2024:07:01 09:30:15", gps=TIANANMEN))

    for cut in range(0, len(photo), 7):
        result = read_photo_metadata(photo[:cut])
        assert result is None or result.taken_at is not None or result.latitude is not None


@settings(deadline=None)
@given(st.binary(max_size=HEAD_BYTES // 16))
def test_never_raises_on_garbage(data: bytes) -> None:
    read_photo_metadata(data)


@settings(deadline=None, max_examples=10)  # a hostile IFD costs up to ~0.5 s to parse
@given(st.binary(max_size=400))
def test_never_raises_on_garbage_behind_an_exif_header(rest: bytes) -> None:
    read_photo_metadata(b"\xff\xd8\xff\xe1\x01\x00Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + rest)
