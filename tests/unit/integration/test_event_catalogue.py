"""The event catalogue: one payload struct per type, who reads each, and redaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, get_args

import msgspec
import pytest

from domain.activities.checkin_records import RecordedCheckin, recorded_event
from domain.integration import (
    CATALOGUE,
    EVENT_TYPES,
    SCOPES,
    EventTypeName,
    readable_types,
    redact,
    reveals,
)
from domain.shared import DomainError, ErrorKind
from domain.tenancy import CATALOGUE as PERMISSIONS

CHECKIN = {
    "checkin_id": str(uuid.uuid4()),
    "activity_id": str(uuid.uuid4()),
    "member_id": str(uuid.uuid4()),
    "source": "secretary",
    "occurred_at": "2026-12-02T08:00:00+00:00",
}


def test_the_names_third_parties_filter_by_are_the_catalogue() -> None:
    assert set(get_args(EventTypeName)) == set(EVENT_TYPES) == set(CATALOGUE)


def test_each_type_is_read_with_a_permission_some_scope_gives() -> None:
    given = {p for s in SCOPES.values() for p in s.permissions}
    for kind in CATALOGUE.values():
        assert kind.permission in PERMISSIONS
        assert kind.permission in given, kind.name


def test_personal_fields_are_nullable_so_a_redacted_payload_keeps_its_schema() -> None:
    assert CATALOGUE["checkin.recorded"].personal == ("member_id",)
    assert CATALOGUE["evidence.attached"].personal == ("uploaded_by",)
    assert CATALOGUE["member.updated"].personal == ()
    for kind in CATALOGUE.values():
        for field in kind.personal:
            msgspec.convert({**_example(kind.name), field: None}, kind.payload, strict=False)


def _example(name: str) -> dict[str, Any]:
    return {"checkin.recorded": CHECKIN}.get(name) or {
        "evidence_id": str(uuid.uuid4()),
        "activity_id": str(uuid.uuid4()),
        "kind": "photo",
        "content_type": "image/jpeg",
        "size_bytes": 1,
        "sha256": "0" * 64,
        "uploaded_by": str(uuid.uuid4()),
    }


def test_redaction_nulls_personal_fields_without_the_sensitive_scope() -> None:
    assert redact("checkin.recorded", CHECKIN, False) == {**CHECKIN, "member_id": None}
    assert redact("checkin.recorded", CHECKIN, True) == CHECKIN
    assert redact("test.relayed", {"n": "1"}, True) == {}
    assert reveals("checkin.recorded", CHECKIN)
    assert not reveals("checkin.recorded", {**CHECKIN, "member_id": None})


def test_the_checkin_event_activities_write_fits_its_struct() -> None:
    event = recorded_event(
        RecordedCheckin(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "self_qr", datetime.now(UTC))
    )
    msgspec.convert(event.payload, EVENT_TYPES[event.topic], strict=False)


def test_types_are_refused_by_name_when_their_resource_is_not_readable() -> None:
    members_only = {"member:read"}.__contains__
    assert readable_types(None, members_only) == (
        "member.created",
        "member.updated",
        "member.status_changed",
    )
    with pytest.raises(DomainError) as refused:
        readable_types(["member.created", "checkin.recorded"], members_only)
    assert refused.value.kind is ErrorKind.FORBIDDEN
    assert [e.field for e in refused.value.errors] == ["types"]
    with pytest.raises(DomainError):
        readable_types(None, lambda _: False)
