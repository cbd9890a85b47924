"""Reading an uploaded member sheet (党员信息表): xlsx or CSV in UTF-8 or GBK, header row found."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from domain.members import (
    CellValue,
    header_row_index,
)
from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Message
from infra.members.sheets import (
    SheetLimits,
    check_archive,
    count_csv_rows,
    count_xlsx_rows,
    csv_rows,
    xlsx_rows,
)


def _error(code: str, message: Message) -> DomainError:
    return DomainError(code, message, kind=ErrorKind.INVALID)


@dataclass(slots=True)
class Table:
    """A sheet as read: the header row and the data rows with their sheet row numbers."""

    headers: list[str | None]
    rows: list[tuple[int, Sequence[CellValue]]]


# Bytes no CSV in UTF-8 or GBK contains: C0 controls other than tab, line feed, form feed
# and carriage return (images, PDFs and archives have them in their first bytes).
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_SNIFF_BYTES = 8192


def file_kind(content: bytes, filename: str | None) -> Literal["xlsx", "csv"]:
    """What the bytes are, whatever the name says: an .xlsx (a zip) or CSV text."""
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith((".xls", ".xlsm", ".xlsb", ".et", ".ods")) or content[:8] == bytes.fromhex(
        "d0cf11e0a1b11ae1"
    ):
        raise _error(
            "import_file_type",
            MESSAGES.message("members.import_file_type"),
        )
    if name.endswith(".xlsx") or _NOT_TEXT.search(content[:_SNIFF_BYTES]):
        raise _error(
            "import_file_unreadable",
            MESSAGES.message("members.import_file_unreadable"),
        )
    return "csv"


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK (read as GB18030, its superset)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise _error(
            "import_encoding",
            MESSAGES.message("members.import_encoding"),
        ) from None


def read_table(
    content: bytes,
    filename: str | None,
    limit: int | None = None,
    limits: SheetLimits | None = None,
) -> Table:
    """Read the first sheet of an .xlsx, or a CSV, into header + numbered rows
    (the first `limit` rows only, when given), within `limits` (see infra.members.sheets)."""
    if not content.strip():
        raise _error("import_file_empty", MESSAGES.message("members.import_file_empty"))
    limits = limits or SheetLimits()
    all_rows: Sequence[Sequence[CellValue]]
    if file_kind(content, filename) == "xlsx":
        all_rows = xlsx_rows(content, limit, limits)
    else:
        all_rows = csv_rows(decode_csv(content), limit, limits)
    if not all_rows:
        raise _error("import_file_empty", MESSAGES.message("members.import_file_empty"))
    header_index = header_row_index(all_rows)
    headers = [None if h is None else str(h) for h in all_rows[header_index]]
    data = [(index + 1, row) for index, row in enumerate(all_rows) if index > header_index]
    return Table(headers=headers, rows=data)


def count_data_rows(content: bytes, filename: str | None, limits: SheetLimits | None = None) -> int:
    """A quick upper bound of the data rows, to choose between answering now and a job;
    refuses a workbook over `limits` without inflating more of it than the limits allow."""
    limits = limits or SheetLimits()
    if file_kind(content, filename) == "xlsx":
        return max(count_xlsx_rows(check_archive(content, limits), limits) - 1, 0)
    return max(count_csv_rows(content, limits) - 1, 0)
