"""Identifiers: UUIDv7, so primary keys sort by creation time and index well."""

from __future__ import annotations

import uuid

import uuid_utils.compat as _uuid


def new_id() -> uuid.UUID:
    return _uuid.uuid7()
