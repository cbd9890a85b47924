"""Sentences every context shares."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "shared",
    {
        "not_found": Message("未找到该资源，或您无权查看。", "Not found, or not visible to you."),
        "invalid_cursor": Message("分页游标无效。", "The pagination cursor is invalid."),
    },
)
