"""The bulk form of `outbox.emit`, for changes written in SQL (a spreadsheet import's
INSERT … SELECT): one event per row of the caller's query, in the same statement batch and
so in the same transaction; nothing is queued for a change that rolls back."""

from __future__ import annotations

from infra.db.bulk import insert_rows

_COLUMNS = (
    "tenant_id",
    "id",
    "topic",
    "aggregate_type",
    "aggregate_id",
    "payload",
    "organization_id",
)


def emit_each(events_sql: str) -> str:
    """SQL queueing one event per row of `events_sql`, a SELECT (of the caller's own
    tables) with the columns tenant_id, topic, aggregate_type, aggregate_id, payload,
    organization_id."""
    events = (
        "SELECT tenant_id, gen_random_uuid(), topic, aggregate_type, aggregate_id, payload,"  # noqa: S608 - the caller's own SQL
        " organization_id"
        f" FROM ({events_sql}) AS events"
    )
    return insert_rows("outbox_event", _COLUMNS, events)
