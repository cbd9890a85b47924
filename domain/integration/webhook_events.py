"""Which outbox events a webhook may subscribe to, and the payload it is sent.

The one place that knows (issue 13 item 5): `check_event_types` when a subscription is
made or changed, `webhook_data` when an event is turned into a delivery. Until the event
feed's catalogue lands (item 4) these are the outbox topics that exist, and the payload is
the outbox payload without personal data (ids, kinds and times only, never names,
身份证号 or phones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.integration.messages import MESSAGES

EVENT_TYPES: tuple[str, ...] = (
    "checkin.recorded",
    "evidence.attached",
    "evidence.deleted",
    "member.created",
    "member.status_changed",
    "member.updated",
)
_PERSONAL = frozenset({"name", "id_number", "phone", "address", "birth_date", "email"})


def check_event_types(requested: Sequence[str], *, field: str = "event_types") -> list[str]:
    """The subscription's types, sorted without duplicates; unknown ones are refused."""
    errors = [
        MESSAGES.field(f"{field}.{i}", "webhook_event_type_unknown", code="unknown", type=name)
        for i, name in enumerate(requested)
        if name not in EVENT_TYPES
    ]
    if not requested:
        errors.append(MESSAGES.field(field, "webhook_event_types_empty", code="empty"))
    if errors:
        raise MESSAGES.error("webhook_invalid", errors=errors)
    return sorted(set(requested))


def webhook_data(topic: str, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a receiver gets as `data` for an outbox event; None: not for webhooks."""
    if topic not in EVENT_TYPES:
        return None
    return {k: v for k, v in payload.items() if k not in _PERSONAL}
