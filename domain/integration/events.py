"""The event catalogue (事件目录): every event type third parties read, its payload, and
what of it is personal.

The payloads are what the contexts write to the outbox (`topic` = event type); their
structs (domain/integration/event_payloads.py) are the published contract of that JSON,
shown per type in the OpenAPI document, listed at `GET /event-types`, and shared by the
event feed and webhooks. A type is read only by a caller who may read its resource
(`permission`, which names the scope too); fields naming a person other than the event's
own resource (`personal`) are given only with the sensitive scope
(`members:sensitive:read`), and null otherwise.

Adding an event type is one line in `CATALOGUE` beside its payload struct (whose docstring
is its description); tests/architecture/test_event_catalogue.py fails while code writes a
type to the outbox that the catalogue lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from domain.integration import event_payloads as p
from domain.integration.messages import MESSAGES
from domain.shared.errors import ErrorKind, Message


@dataclass(frozen=True, slots=True)
class EventType:
    """What a catalogued type is about, and who reads it."""

    name: str
    payload: type[msgspec.Struct]
    aggregate_type: str
    permission: str  # `resource:action` a reader must hold where the event happened
    personal: tuple[str, ...]  # payload fields given only with the sensitive scope
    description: Message


def _personal(payload: type[msgspec.Struct]) -> tuple[str, ...]:
    info = msgspec.inspect.type_info(payload)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(
        f.name
        for f in info.fields
        if isinstance(f.type, msgspec.inspect.Metadata)
        and (f.type.extra_json_schema or {}).get("x-personal")
    )


_BILINGUAL = re.compile(r"^(?P<zh>.*?[^\x00-\x7f].*?)\s+(?P<en>[A-Z].*?)\.?$", re.DOTALL)


def _described(payload: type[msgspec.Struct]) -> Message:
    """The docstring 「中文 English.」 as a message."""
    found = _BILINGUAL.match(" ".join((payload.__doc__ or "").split()))
    if found is None:
        raise ValueError(f"{payload.__name__} needs a docstring in Chinese then English")
    return Message(found["zh"], found["en"])


def _type(
    name: str, payload: type[msgspec.Struct], aggregate_type: str, permission: str
) -> EventType:
    return EventType(
        name, payload, aggregate_type, permission, _personal(payload), _described(payload)
    )


CATALOGUE: dict[str, EventType] = {
    kind.name: kind
    for kind in (
        _type("member.created", p.MemberCreated, "member", "member:read"),
        _type("member.updated", p.MemberUpdated, "member", "member:read"),
        _type("member.status_changed", p.MemberStatusChanged, "member", "member:read"),
        _type("checkin.recorded", p.CheckinRecorded, "activity", "checkin:read"),
        _type("checkin.withdrawn", p.CheckinWithdrawn, "activity", "checkin:read"),
        _type("evidence.attached", p.EvidenceAttached, "activity", "activity:read"),
        _type("evidence.deleted", p.EvidenceDeleted, "activity", "activity:read"),
        _type("leave.approved", p.LeaveApproved, "activity", "checkin:read"),
        _type(
            "attendance.absence_recorded", p.AttendanceAbsenceRecorded, "activity", "checkin:read"
        ),
        _type("attendance.leave_recorded", p.AttendanceLeaveRecorded, "activity", "checkin:read"),
        _type(
            "attendance.volunteer_hours_recorded",
            p.AttendanceVolunteerHoursRecorded,
            "activity",
            "checkin:read",
        ),
        _type("points.awarded", p.PointsAwarded, "member", "points:read"),
        _type("points.reversed", p.PointsReversed, "member", "points:read"),
        _type("star_rating.published", p.StarRatingPublished, "star_run", "star_rating:read"),
        _type("star_rating.appealed", p.StarRatingAppealed, "star_rating", "star_rating:read"),
        _type("applicant.created", p.ApplicantCreated, "applicant", "applicant:read"),
        _type("applicant.step_recorded", p.ApplicantStepRecorded, "applicant", "applicant:read"),
        _type("applicant.stage_changed", p.ApplicantStageChanged, "applicant", "applicant:read"),
        _type("applicant.form_recorded", p.ApplicantFormRecorded, "applicant", "applicant:read"),
        _type("applicant.step_due", p.ApplicantStepDue, "applicant", "applicant:read"),
        _type("applicant.step_overdue", p.ApplicantStepOverdue, "applicant", "applicant:read"),
        _type("dues.bills_generated", p.DuesBillsGenerated, "tenant", "dues:read"),
        _type("dues.payment_settled", p.DuesPaymentSettled, "dues_payment", "dues:read"),
        _type("dues.payment_refunded", p.DuesPaymentRefunded, "dues_payment", "dues:read"),
        _type("dues.voluntary_recorded", p.DuesVoluntaryRecorded, "member", "dues:read"),
        _type("dues.arrears_warning", p.DuesArrearsWarning, "member", "dues:read"),
        _type("dues.arrears_flagged", p.DuesArrearsFlagged, "member", "dues:read"),
        _type("transfer.started", p.TransferStarted, "transfer", "transfer:read"),
        _type("transfer.submitted", p.TransferSubmitted, "transfer", "transfer:read"),
        _type("transfer.approved", p.TransferApproved, "transfer", "transfer:read"),
        _type("transfer.rejected", p.TransferRejected, "transfer", "transfer:read"),
        _type("transfer.sent", p.TransferSent, "transfer", "transfer:read"),
        _type("transfer.cancelled", p.TransferCancelled, "transfer", "transfer:read"),
        _type("transfer.expired", p.TransferExpired, "transfer", "transfer:read"),
        _type("transfer.accepted", p.TransferAccepted, "transfer", "transfer:read"),
        _type("transfer.returned", p.TransferReturned, "transfer", "transfer:read"),
        # The aggregate is the certificate, though the event names it `transfer`.
        _type(
            "transfer.mobile_certificate_issued",
            p.TransferMobileCertificateIssued,
            "transfer",
            "transfer:read",
        ),
        _type(
            "transfer.mobile_certificate_closed",
            p.TransferMobileCertificateClosed,
            "transfer",
            "transfer:read",
        ),
        _type(
            "transfer.mobile_host_entry_recorded",
            p.TransferMobileHostEntryRecorded,
            "transfer",
            "transfer:read",
        ),
        # For the tenant's administrators (no scope gives it: a client reads its own
        # webhooks' state at `/webhooks`).
        _type("webhook.disabled", p.WebhookDisabled, "webhook", "api_client:read"),
    )
}
"""Every event type third parties may read: name, payload, aggregate, permission."""

EVENT_TYPES: dict[str, type[msgspec.Struct]] = {n: k.payload for n, k in CATALOGUE.items()}
EventTypeName: Any = Literal[tuple(CATALOGUE)]  # the names, as the OpenAPI enum

_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in msgspec.structs.fields(payload))
    for name, payload in EVENT_TYPES.items()
}


def redact(event_type: str, payload: dict[str, Any], sensitive: bool) -> dict[str, Any]:
    """The payload a reader is given: only the fields its schema documents, personal ones
    null unless `sensitive` (the reader holds `member:read_sensitive` there); nothing of an
    uncatalogued type. A field a context adds to its outbox payload reaches readers only
    once the catalogue documents it."""
    kind = CATALOGUE.get(event_type)
    if kind is None:
        return {}
    hidden = () if sensitive else kind.personal
    return {
        name: (None if name in hidden else payload[name])
        for name in _FIELDS[event_type]
        if name in payload
    }


def reveals(event_type: str, payload: dict[str, Any]) -> bool:
    """Whether the payload, given in full, shows personal data (so the read is audited)."""
    kind = CATALOGUE.get(event_type)
    return kind is not None and any(payload.get(f) is not None for f in kind.personal)


def readable_types(
    asked: Sequence[str] | None, can: Callable[[str], bool], *, field: str = "types"
) -> tuple[str, ...]:
    """The types a feed or a webhook reads: those asked for (all catalogued ones if none),
    each only if `can(permission)` holds; refused (403) when an asked type is not readable,
    or none is."""
    names = list(dict.fromkeys(asked)) if asked else list(CATALOGUE)
    refused = [n for n in names if not can(CATALOGUE[n].permission)]
    if asked and refused:
        raise MESSAGES.error(
            "event_types_not_readable",
            ErrorKind.FORBIDDEN,
            errors=[
                MESSAGES.field(
                    field,
                    "event_type_not_readable",
                    code="not_held",
                    type=n,
                    permission=CATALOGUE[n].permission,
                )
                for n in refused
            ],
        )
    readable = tuple(n for n in names if n not in refused)
    if not readable:
        raise MESSAGES.error("event_types_none_readable", ErrorKind.FORBIDDEN)
    return readable
