"""The records a check-in leaves for others: the `checkin.recorded` event and its audit."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from domain.activities.checkin_records import RecordedCheckin, creation_audit, recorded_event

CHECKIN = RecordedCheckin(
    checkin_id=uuid.UUID("0190a000-0000-7000-8000-000000000001"),
    activity_id=uuid.UUID("0190a000-0000-7000-8000-000000000002"),
    member_id=uuid.UUID("0190a000-0000-7000-8000-000000000003"),
    source="self_qr",
    occurred_at=datetime(2026, 12, 2, 1, 30, 5, 250000, tzinfo=UTC),
)


def test_the_event_is_ordered_by_activity_and_carries_the_published_fields() -> None:
    event = recorded_event(CHECKIN)
    assert (event.topic, event.aggregate_type, event.aggregate_id) == (
        "checkin.recorded",
        "activity",
        "0190a000-0000-7000-8000-000000000002",
    )
    assert event.payload == {
        "checkin_id": "0190a000-0000-7000-8000-000000000001",
        "activity_id": "0190a000-0000-7000-8000-000000000002",
        "member_id": "0190a000-0000-7000-8000-000000000003",
        "source": "self_qr",
        "occurred_at": "2026-12-02T01:30:05.250000+00:00",
    }
    assert json.loads(json.dumps(event.payload)) == event.payload


def test_the_audit_names_the_checkin_and_what_it_was_for() -> None:
    entry = creation_audit(CHECKIN)
    assert (entry.action, entry.resource_type, entry.resource_id, entry.outcome) == (
        "checkin.create",
        "checkin",
        "0190a000-0000-7000-8000-000000000001",
        "success",
    )
    assert entry.detail == {
        "activity_id": "0190a000-0000-7000-8000-000000000002",
        "member_id": "0190a000-0000-7000-8000-000000000003",
        "source": "self_qr",
    }
