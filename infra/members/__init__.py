"""Member registry adapters: tables, field protection, queries, import and export."""
