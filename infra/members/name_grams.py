"""The ordered lookup of name fragments (migration 0018).

Every one- and two-character fragment of a member's name has a row in `member_name_gram`
beside the member's list sort keys, written by triggers on `member`; a fragment's members
are read from it in list order, so a page of 王 stops after its rows instead of sorting
every 王 first. A longer fragment walks its first pair and is confirmed against the name.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Field, SQLModel

GRAM_LENGTH = 2


class MemberNameGram(SQLModel, table=True):
    """A fragment of a member's name, with the member's sort keys (read-only here)."""

    __tablename__ = "member_name_gram"
    gram: str = Field(primary_key=True)
    member_id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True)
    name_pinyin: str
    admitted_on: date


def walked_gram(fragment: str) -> str:
    """The gram whose rows include every name containing `fragment`."""
    return fragment[:GRAM_LENGTH]


def is_whole_gram(fragment: str) -> bool:
    """Whether the gram's rows are exactly the names containing `fragment`."""
    return len(fragment) <= GRAM_LENGTH
