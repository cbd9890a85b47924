"""A member sheet's shape: where its header row is, which headers an import maps, how its
rows become drafts, and what an imported row may do to a member already registered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.members.importing import (
    CellValue,
    RowRefusal,
    field_for_header,
    is_blank_row,
    parse_row,
)
from domain.members.model import MemberDraft, MemberStatus
from domain.members.validation import check_status_transition

# The header a default organization fills in for rows that name no branch.
DEFAULT_ORG_HEADER = "所在党支部"
HEADER_SCAN_ROWS = 10
ParsedRow = tuple[int, MemberDraft | RowRefusal, str | None]
# Gender and birth date follow from the 身份证号, so every row knows them.
_ALWAYS_KNOWN = frozenset({"gender", "birth_date"})


def header_row_index(rows: Sequence[Sequence[CellValue]]) -> int:
    """The first row naming at least two member fields (a title row may sit above it)."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        known = sum(
            1 for cell in row if isinstance(cell, str) and field_for_header(cell) is not None
        )
        if known >= 2:
            return index
    return 0


def import_headers(headers: Sequence[str | None], has_default: bool) -> list[str | None]:
    """The headers an import maps: with a default organization and no branch column, the
    branch column the default fills in."""
    mapped = list(headers)
    if has_default and not any(h and field_for_header(h) == "organization_name" for h in mapped):
        mapped.append(DEFAULT_ORG_HEADER)
    return mapped


def row_name(raw: dict[str, CellValue]) -> str | None:
    """The member's name as the row gives it (for the report of a refused row)."""
    for header, value in raw.items():
        if field_for_header(header) == "name" and value is not None:
            return str(value).strip() or None
    return None


def parse_rows(
    rows: list[tuple[int, Sequence[CellValue]]],
    headers: list[str | None],
    today: date,
    default_name: str | None,
    default_rows: set[int],
) -> list[ParsedRow]:
    """(row number, draft or refusal, name) per non-blank row; a row without a branch gets
    `default_name` and its number is added to `default_rows`."""
    out: list[ParsedRow] = []
    width = len(headers)
    for row_number, values in rows:
        raw: dict[str, CellValue] = {}
        for index, header in enumerate(headers):
            if header is None or not header.strip():
                continue
            raw[header] = values[index] if index < len(values) else None
        if is_blank_row(raw) and not any(v is not None and str(v).strip() for v in values[width:]):
            continue
        if default_name is not None:
            current = raw.get(DEFAULT_ORG_HEADER)
            if current is None or not str(current).strip():
                raw[DEFAULT_ORG_HEADER] = default_name
                default_rows.add(row_number)
        out.append((row_number, parse_row(raw, row_number, today=today), row_name(raw)))
    return out


def imported_status(
    current: MemberStatus, draft: MemberDraft, *, status_in_file: bool
) -> MemberStatus:
    """The status an import leaves a registered member in: a file without a status column
    leaves a suspended or removed member so; otherwise the row's status, if the move from
    the current one is allowed (raises the transition's DomainError if not)."""
    if not status_in_file and current in (
        MemberStatus.SUSPENDED,
        MemberStatus.REMOVED,
        MemberStatus.TRANSFERRED_OUT,
    ):
        return current
    check_status_transition(current, draft.status, reason=draft.status_reason)
    return draft.status


def imported_fields(present: set[str]) -> frozenset[str]:
    """The fields an imported row replaces on a registered member: those its sheet has
    columns for, gender and birth date, and the 流动党员 details when any of them or the
    member class is given; every other field keeps its registered value."""
    fields = {f for f in present if not f.startswith("mobile.")} | _ALWAYS_KNOWN
    if "member_class" in present or any(f.startswith("mobile.") for f in present):
        fields.add("mobile")
    return frozenset(fields)
