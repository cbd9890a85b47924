"""The bulk form of `outbox.emit`, for changes written in SQL (a spreadsheet import's
INSERT … SELECT): one event per row of the caller's query, in the same statement batch and
so in the same transaction; nothing is queued for a change that rolls back."""

from __future__ import annotations


def emit_each(events_sql: str) -> str:
    """SQL queueing one event per row of `events_sql`, a SELECT (of the caller's own
    tables) with the columns tenant_id, topic, aggregate_type, aggregate_id, payload."""
    return (
        "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)"  # noqa: S608 - the caller's own fixed SQL
        " SELECT tenant_id, gen_random_uuid(), topic, aggregate_type, aggregate_id, payload"
        f" FROM ({events_sql}) AS events;"
    )
