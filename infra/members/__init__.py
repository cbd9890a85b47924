"""Member registry adapters: tables, field protection, queries, import and export."""

from infra.members.counts import count_members

__all__ = ["count_members"]
