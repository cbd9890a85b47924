"""The evidence context's outbox handlers, registered with the relay by this context."""

from __future__ import annotations

from infra.evidence.removal import remove_deleted_bytes
from infra.platform.relay import Relay, Subscription
from infra.storage import ObjectStorage


def register_relay_handlers(relay: Relay, *, storage: ObjectStorage) -> None:
    """Deleted evidence's bytes are removed at least once after its deletion commits."""
    relay.register(
        "evidence.remove_deleted_bytes",
        Subscription(remove_deleted_bytes(storage), frozenset({"evidence.deleted"})),
    )
