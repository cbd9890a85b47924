"""Which events a webhook may subscribe to, and the payload it is sent.

The one place that knows (issue 13 item 5): `check_event_types` when a subscription is
made or changed, `webhook_data` when an event is turned into a delivery. Both follow the
event feed's catalogue (`domain.integration.events`), and a receiver gets the payload as
the feed gives it to a reader without the sensitive scope (personal fields null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.integration.events import EVENT_TYPES, redact
from domain.integration.messages import MESSAGES


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
    return redact(topic, dict(payload), sensitive=False)
