"""Every time in a body leaves in the display zone, however deep it sits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec

from api.times import encode_json


class Line(msgspec.Struct, frozen=True):
    at: datetime | None
    day: date


class Report(msgspec.Struct):
    title: str
    lines: list[Line]
    extra: dict[str, Any]


def test_times_in_structs_lists_and_dicts_take_the_display_offset() -> None:
    moment = datetime(2026, 5, 20, 6, 30, tzinfo=UTC)
    report = Report(
        "月报",
        [Line(moment, date(2026, 5, 20)), Line(None, date(2026, 5, 21))],
        {"finished_at": moment, "nested": [{"at": moment}]},
    )
    assert msgspec.json.decode(encode_json(report)) == {
        "title": "月报",
        "lines": [
            {"at": "2026-05-20T14:30:00+08:00", "day": "2026-05-20"},
            {"at": None, "day": "2026-05-21"},
        ],
        "extra": {
            "finished_at": "2026-05-20T14:30:00+08:00",
            "nested": [{"at": "2026-05-20T14:30:00+08:00"}],
        },
    }
    assert report.lines[0].at == moment  # the handler's values are not changed in place
