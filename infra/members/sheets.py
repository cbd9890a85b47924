"""Reading an uploaded spreadsheet within hard limits, so that no file can stall a worker.

A 600 KB .xlsx can unzip to hundreds of megabytes. Before anything is inflated the zip
directory is checked: the sizes its entries declare (Python's zipfile never inflates an
entry past its declared size) and how far each is compressed. The worksheets are then
inflated as a stream, counting rows, and refused as soon as they are too large; only then
does openpyxl (read-only, streaming) read the rows, with limits on rows, columns and the
length of a cell. CSV files get the same row, column and cell limits. Every refusal is
`import_file_too_large`, before any member is looked at.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from domain.members import CellValue
from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Message, restore_formula

MiB = 1024 * 1024
_INFLATE_CHUNK = 1 * MiB
# The start tag of a row in a worksheet (`<row …>`, `<x:row …>`), not of `<rowBreaks>`.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
# Title and header rows above the data do not count against the row limit.
HEADER_ALLOWANCE = 12


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """What an import file may hold at most (ZHIBU_IMPORT_MAX_ROWS and friends)."""

    max_rows: int = 200_000
    max_columns: int = 100
    max_cell_chars: int = 2_000
    max_unpacked_bytes: int = 256 * MiB
    # Worksheet XML deflates about 5-30 times; a bomb hundreds of times.
    max_ratio: int = 100
    ratio_floor_bytes: int = 4 * MiB


def too_large(message: Message) -> DomainError:
    return DomainError(
        "import_file_too_large",
        message,
        kind=ErrorKind.TOO_LARGE,
    )


def unreadable() -> DomainError:
    return DomainError(
        "import_file_unreadable",
        MESSAGES.message("members.import_xlsx_damaged"),
        kind=ErrorKind.INVALID,
    )


def _too_many_rows(limits: SheetLimits) -> DomainError:
    return too_large(
        MESSAGES.message("members.import_too_many_rows", rows=limits.max_rows),
    )


def check_archive(content: bytes, limits: SheetLimits) -> zipfile.ZipFile:
    """Open the workbook's zip directory and refuse it by what its entries declare."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable() from exc
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio_too_high = entry.file_size > limits.ratio_floor_bytes and entry.file_size > (
            limits.max_ratio * max(entry.compress_size, 1)
        )
        if total > limits.max_unpacked_bytes or ratio_too_high:
            raise too_large(
                MESSAGES.message(
                    "members.import_unpacks_too_large", mib=limits.max_unpacked_bytes // MiB
                ),
            )
    return archive


def count_xlsx_rows(archive: zipfile.ZipFile, limits: SheetLimits) -> int:
    """Rows of the largest worksheet, counted while inflating it chunk by chunk."""
    most = 0
    for entry in archive.infolist():
        name = entry.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        rows = 0
        tail = b""
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(_INFLATE_CHUNK):
                    window = tail + chunk
                    # the last tag may be cut by the chunk boundary: it is counted with the
                    # next chunk (its first bytes are enough to tell a row)
                    cut = window.rfind(b"<")
                    if cut < 0:
                        cut = len(window)
                    rows += len(_ROW_TAG.findall(window, 0, cut))
                    tail = window[cut : cut + 64]
                    if rows > limits.max_rows + HEADER_ALLOWANCE:
                        raise _too_many_rows(limits)
            rows += len(_ROW_TAG.findall(tail))
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise unreadable() from exc
        most = max(most, rows)
    if most > limits.max_rows + HEADER_ALLOWANCE:
        raise _too_many_rows(limits)
    return most


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked(
    rows: Iterable[Sequence[CellValue]],
    limits: SheetLimits,
    *,
    csv_text: bool,
    quoted: bool = False,
) -> Iterator[list[CellValue]]:
    """Rows with their limits enforced; for CSV, blank text as None and the quote the CSV
    export puts before a would-be formula taken off (domain.shared.formulas; the xlsx
    export writes every value as it is; `quoted`: some cell may begin with a quote). Runs
    once per row of a 200,000-row file."""
    longest = limits.max_cell_chars
    for index, row in enumerate(rows):
        if index >= limits.max_rows + HEADER_ALLOWANCE:
            raise _too_many_rows(limits)
        if len(row) > limits.max_columns:
            last = max((i for i, v in enumerate(row) if not _blank(v)), default=-1)
            if last >= limits.max_columns:
                raise too_large(
                    MESSAGES.message(
                        "members.import_too_many_columns", row=index + 1, columns=limits.max_columns
                    ),
                )
            row = row[: last + 1]
        texts = row if csv_text else [v for v in row if isinstance(v, str)]
        if texts and max(map(len, texts)) > longest:  # type: ignore[arg-type]
            raise too_large(
                MESSAGES.message(
                    "members.import_cell_too_long_in_row", row=index + 1, longest=longest
                ),
            )
        if not csv_text:
            yield list(row)
        elif quoted:
            yield [restore_formula(v) if v.strip() else None for v in row]  # type: ignore[union-attr]
        else:
            yield [v if v.strip() else None for v in row]  # type: ignore[union-attr]


# What a damaged workbook makes zipfile and openpyxl raise (SyntaxError: malformed XML,
# as ElementTree's and lxml's parse errors derive from it).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    IndexError,
    SyntaxError,
)


def xlsx_rows(content: bytes, limit: int | None, limits: SheetLimits) -> list[list[CellValue]]:
    """The first worksheet's rows (the first `limit` only, when given)."""
    from openpyxl import load_workbook

    archive = check_archive(content, limits)
    if limit is None:  # the whole sheet will be read: refuse it early if it is too long
        count_xlsx_rows(archive, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (*_UNREADABLE, TypeError) as exc:
        raise unreadable() from exc
    try:
        sheet = workbook.worksheets[0]
        # the row width then follows each row's cells, not a <dimension> the file claims
        sheet.reset_dimensions()  # type: ignore[union-attr]
        rows = sheet.iter_rows(max_row=limit, values_only=True)
        return list(_checked(rows, limits, csv_text=False))  # type: ignore[arg-type]
    except _UNREADABLE as exc:
        raise unreadable() from exc
    finally:
        workbook.close()


def csv_rows(text: str, limit: int | None, limits: SheetLimits) -> list[list[CellValue]]:
    """Rows of a decoded CSV (comma or tab separated; the first `limit` only, when given)."""
    dialect: type[csv.Dialect] = csv.excel
    sample = text[:4096]
    if sample.count("\t") > sample.count(","):
        dialect = csv.excel_tab
    reader: Iterable[list[str]] = csv.reader(io.StringIO(text, newline=""), dialect)
    if limit is not None:
        reader = itertools.islice(reader, limit)
    try:
        return list(_checked(reader, limits, csv_text=True, quoted="'" in text))
    except csv.Error as exc:
        if "field limit" in str(exc):  # longer than even csv's own limit
            raise too_large(
                MESSAGES.message("members.import_cell_too_long", chars=limits.max_cell_chars),
            ) from exc
        raise DomainError(
            "import_file_unreadable",
            MESSAGES.message("members.import_csv_unreadable"),
            kind=ErrorKind.INVALID,
        ) from exc


def count_csv_rows(content: bytes, limits: SheetLimits) -> int:
    """Lines of a CSV (an upper bound of its rows), refused beyond the row limit."""
    lines = content.count(b"\n")
    if lines > limits.max_rows + HEADER_ALLOWANCE:
        raise _too_many_rows(limits)
    return lines
