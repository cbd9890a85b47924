"""Cross-cutting adapters every context reuses: background jobs, idempotency, outbox."""
