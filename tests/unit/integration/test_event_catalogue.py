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
        # webhook.disabled is for the tenant's administrators, people only.
        assert kind.permission in given or kind.name == "webhook.disabled", kind.name


def test_each_type_is_described_in_both_languages() -> None:
    for kind in CATALOGUE.values():
        assert kind.description.zh, kind.name
        assert kind.description.en[0].isupper(), kind.name


APPLICANT = {
    "applicant_id": str(uuid.uuid4()),
    "organization_id": str(uuid.uuid4()),
    "status": "in_progress",
    "stage": 2,
    "current_step": 5,
}

WRITTEN = {
    "points.awarded": {
        "entry_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "points": 2,
        "kind": "accrual",
        "period": "2026",
        "item_code": "attend",
        "rule_version": 1,
        "cause_type": "checkin",
        "cause_id": str(uuid.uuid4()),
    },
    "applicant.step_recorded": {
        "applicant_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "status": "in_progress",
        "stage": 2,
        "current_step": 5,
        "step": 5,
        "step_code": "activist_confirmed",
        "decision": "approved",
        "occurred_on": "2026-05-20",
    },
    "applicant.stage_changed": {
        "applicant_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "status": "in_progress",
        "stage": 3,
        "current_step": 9,
        "previous_stage": 2,
        "previous_status": "in_progress",
    },
    "dues.bills_generated": {"month": "2026-05", "bill_ids": [str(uuid.uuid4())]},
    "applicant.form_recorded": {
        **APPLICANT,
        "form": "political_review",
        "form_id": str(uuid.uuid4()),
    },
    "applicant.step_overdue": {**APPLICANT, "due_by": "2026-06-01"},
    "dues.voluntary_recorded": {
        "id": str(uuid.uuid4()),
        "month": "2026-05",
        "member_id": str(uuid.uuid4()),
        "amount_fen": 100000,
        "to_centre": True,
    },
    "dues.arrears_warning": {
        "notice_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "overdue_months": 3,
        "consecutive_months": 3,
        "first_overdue": "2026-02",
        "last_overdue": "2026-04",
    },
    "transfer.started": {"transfer_id": str(uuid.uuid4()), "kind": "across_tenants"},
    "transfer.approved": {"transfer_id": str(uuid.uuid4()), "level": 1},
    "transfer.sent": {"transfer_id": str(uuid.uuid4()), "letter_number": 17},
    "transfer.accepted": {"transfer_id": str(uuid.uuid4())},  # a paper receipt
    "transfer.mobile_certificate_issued": {"transfer_id": str(uuid.uuid4())},
    "webhook.disabled": {
        "webhook_id": str(uuid.uuid4()),
        "client_id": str(uuid.uuid4()),
        "url": "https://hooks.example.com/e",
        "reason": "gone",
        "failure_streak": 1,
    },
}


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_the_payloads_the_contexts_write_fit_their_structs(name: str) -> None:
    """The shapes of infra/points/ledger.py, infra/development/steps.py,
    infra/dues/bill_runs.py and infra/integration/webhook_record.py."""
    msgspec.convert(WRITTEN[name], EVENT_TYPES[name], strict=False)
    assert redact(name, WRITTEN[name], False) == WRITTEN[name]  # nothing personal


# Payloads naming another person (the member of a payment, of an accepted transfer).
WRITTEN_PERSONAL = {
    "dues.payment_settled": {
        "payment_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "amount_fen": 4000,
        "months": ["2026-05"],
        "credit_fen": 2000,
        "credited_months": ["2026-04"],
        "provider": "sandbox",
        "transaction_id": "4200000001",
    },
    "dues.payment_refunded": {
        "payment_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "amount_fen": 2000,
        "months": ["2026-04"],
    },
    "transfer.accepted": {"transfer_id": str(uuid.uuid4()), "member_id": str(uuid.uuid4())},
    "transfer.returned": {"transfer_id": str(uuid.uuid4()), "member_id": None},
    "leave.approved": {
        "leave_id": str(uuid.uuid4()),
        "activity_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "activity_kind": "branch_congress",
        "starts_at": "2026-05-10T09:00:00+08:00",
    },
    "attendance.absence_recorded": {
        "activity_id": str(uuid.uuid4()),
        "activity_kind": "branch_congress",
        "starts_at": "2026-05-10T09:00:00+08:00",
        "member_id": str(uuid.uuid4()),
    },
    "attendance.leave_recorded": {
        "activity_id": str(uuid.uuid4()),
        "activity_kind": "branch_congress",
        "starts_at": "2026-05-10T09:00:00+08:00",
        "member_id": str(uuid.uuid4()),
        "leave_id": str(uuid.uuid4()),
    },
    "attendance.volunteer_hours_recorded": {
        "activity_id": str(uuid.uuid4()),
        "activity_kind": "volunteer",
        "starts_at": "2026-05-10T09:00:00+08:00",
        "member_id": str(uuid.uuid4()),
        "hours": 3,
    },
    "star_rating.appealed": {
        "rating_id": str(uuid.uuid4()),
        "appeal_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "period": "2026",
        "stars": 3,
    },
}


@pytest.mark.parametrize("name", sorted(WRITTEN_PERSONAL))
def test_the_payloads_naming_a_person_fit_their_structs(name: str) -> None:
    """The shapes of infra/dues/settlement.py, infra/dues/refunds.py,
    infra/transfers/receiving.py, infra/points/star_appeals.py, infra/activities/leave.py
    and infra/activities/closing.py: the member is null without the sensitive scope."""
    written = WRITTEN_PERSONAL[name]
    msgspec.convert(written, EVENT_TYPES[name], strict=False)
    assert CATALOGUE[name].personal == ("member_id",)
    assert redact(name, written, False) == {**written, "member_id": None}
    assert redact(name, written, True) == written


def test_personal_fields_are_nullable_so_a_redacted_payload_keeps_its_schema() -> None:
    assert CATALOGUE["checkin.recorded"].personal == ("member_id",)
    assert CATALOGUE["evidence.attached"].personal == ("uploaded_by",)
    assert CATALOGUE["member.updated"].personal == ()
    for kind in CATALOGUE.values():
        for field in kind.personal:
            msgspec.convert({**_example(kind.name), field: None}, kind.payload, strict=False)


def _example(name: str) -> dict[str, Any]:
    known = {"checkin.recorded": CHECKIN, "checkin.withdrawn": CHECKIN, **WRITTEN_PERSONAL}
    return known.get(name) or {
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
