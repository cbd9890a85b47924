"""Reading member rows from the spreadsheets branches already keep (党员信息导入).

Column names vary between provinces and years, dates come in every form Excel and people
produce, and a refused row must say every reason at once so the file is fixed in one
pass. Only the cell values arrive here; reading the workbook is the adapter's job.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from domain.members.identity import normalize_id_number
from domain.members.messages import MESSAGES
from domain.members.model import (
    Education,
    Gender,
    LabelledEnum,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
)
from domain.members.validation import validate_member
from domain.shared.errors import DomainError, ErrorKind, FieldError, Message

CellValue = str | int | float | date | datetime | None
T = TypeVar("T")
E = TypeVar("E", bound=LabelledEnum)

_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月日"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "身份证"),
    "phone": ("手机号", "手机号码", "联系电话", "手机"),
    "education": ("学历", "文化程度"),
    "work_unit": ("工作单位",),
    "post": ("职务", "岗位"),
    "admitted_on": ("入党时间", "入党日期"),
    "full_member_on": ("转正时间", "转正日期"),
    "organization_name": ("所在党支部", "所在支部", "党组织", "所在党组织"),
    "member_class": ("人员类别", "党员类别"),
    "status": ("党员状态", "人员类型"),
    "status_reason": ("状态原因", "停止党籍或除名原因"),
    "tags": ("标签",),
    "mobile.host_organization_name": ("流入党组织", "流入地党组织"),
    "mobile.activity_card_number": ("活动证编号", "流动党员活动证编号", "活动证号"),
    "mobile.period_start": ("外出日期", "外出时间", "流出日期"),
    "mobile.period_end": ("返回日期", "外出结束日期"),
}
REQUIRED_COLUMNS = ("name", "id_number", "admitted_on", "organization_name")
_MOBILE_FIELDS = tuple(field for field in _FIELD_ALIASES if field.startswith("mobile."))

_PARENTHESISED = re.compile(r"\(.*?\)")
_DATE_SEPARATED = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", re.ASCII
)
_DATE_CHINESE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?")
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_YEAR_MONTH_ONLY = re.compile(r"[0-9]{4}(?:[-/.][0-9]{1,2}|年[0-9]{1,2}月?)")
_EXCEL_SERIAL = re.compile(r"[0-9]{1,5}(?:\.[0-9]+)?")
_TAG_SEPARATORS = re.compile(r"[,;、\s]+")
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2958465


def _header_key(header: str) -> str:
    """Fold width, case, spaces, '*' required-markers and '(yyyy-mm-dd)'-style hints."""
    folded = "".join(unicodedata.normalize("NFKC", header).split()).lower()
    return _PARENTHESISED.sub("", folded).strip("*")


_HEADER_TO_FIELD: dict[str, str] = {
    _header_key(name): field
    for field, aliases in _FIELD_ALIASES.items()
    for name in (field, *aliases)
}


@functools.lru_cache(maxsize=1024)
def field_for_header(header: str) -> str | None:
    """The member field a column header stands for, or None if it is not one we know."""
    return _HEADER_TO_FIELD.get(_header_key(header))


@dataclass(frozen=True, slots=True)
class HeaderMapping:
    """Which column feeds which field, and the columns that will be ignored."""

    fields: Mapping[str, str]
    unknown: tuple[str, ...]


def map_headers(headers: Sequence[str | None]) -> HeaderMapping:
    """Map a sheet's header row to member fields; refuse it if a required column is missing
    or two columns claim the same field. Unknown columns are reported, not refused."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    claimed: dict[str, str] = {}
    errors: list[FieldError] = []
    for header in headers:
        if header is None or not header.strip():
            continue
        field = field_for_header(header)
        if field is None:
            unknown.append(header)
        elif field in claimed:
            errors.append(
                FieldError(
                    field,
                    "column_duplicate",
                    MESSAGES.message(
                        "members.column_duplicate", first=claimed[field], header=header
                    ),
                )
            )
        else:
            claimed[field] = header
            fields[header] = field
    for field in REQUIRED_COLUMNS:
        if field not in claimed:
            errors.append(
                FieldError(
                    field,
                    "column_missing",
                    MESSAGES.message(
                        "members.column_missing", column=_FIELD_ALIASES[field][0], field=field
                    ),
                )
            )
    if errors:
        raise DomainError(
            code="import_headers_invalid",
            message=MESSAGES.message("members.import_headers_invalid"),
            kind=ErrorKind.INVALID,
            errors=errors,
        )
    return HeaderMapping(fields=fields, unknown=tuple(unknown))


@dataclass(frozen=True, slots=True)
class RowRefusal:
    """A row that will not be imported, with every reason (row numbers as the sheet shows)."""

    row_number: int
    errors: tuple[FieldError, ...]
    # the row's 身份证号 as typed (normalised), so that a refused row is still compared
    id_number: str | None = None


class _CellError(Exception):
    def __init__(self, code: str, message: Message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _from_excel_serial(serial: float) -> date:
    """Excel's 1900 date system, including its phantom 29 February 1900."""
    whole = int(serial)
    if whole < 1 or whole > _EXCEL_MAX_SERIAL or whole == _EXCEL_FAKE_LEAP_DAY:
        raise _CellError("invalid_date", MESSAGES.message("members.date_serial_out_of_range"))
    offset = whole if whole > _EXCEL_FAKE_LEAP_DAY else whole + 1
    return _EXCEL_EPOCH + timedelta(days=offset)


def _make_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _CellError(
            "invalid_date",
            MESSAGES.message("members.invalid_date_parts", year=year, month=month, day=day),
        ) from None


def parse_date_cell(value: CellValue) -> date | None:
    """A date from any usual cell form: 2020-01-02, 2020/1/2, 2020.01.02, 2020年1月2日,
    20200102, an Excel serial number, or a date/datetime; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _CellError("invalid_date", MESSAGES.message("members.not_a_date"))
    if isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else str(value)
        if _DATE_COMPACT.fullmatch(text):
            return _make_date(text[:4], text[4:6], text[6:])
        return _from_excel_serial(float(value))
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    for pattern in (_DATE_SEPARATED, _DATE_CHINESE, _DATE_COMPACT):
        match = pattern.fullmatch(text)
        if match:
            return _make_date(*match.groups())
    if _EXCEL_SERIAL.fullmatch(text):
        return _from_excel_serial(float(text))
    if _YEAR_MONTH_ONLY.fullmatch(text):
        raise _CellError(
            "date_incomplete",
            MESSAGES.message("members.date_incomplete", text=text),
        )
    raise _CellError(
        "invalid_date",
        MESSAGES.message("members.invalid_date", text=text),
    )


def _text(value: CellValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _id_number_text(value: CellValue) -> str | None:
    """Excel turns long digit strings into floats that lose the last digits: refuse those."""
    if isinstance(value, float):
        raise _CellError(
            "id_number_not_text",
            MESSAGES.message("members.id_number_not_text"),
        )
    return _text(value)


def _labelled(enum: type[E], value: CellValue, code: str) -> E | None:
    """A labelled value (性别, 学历…) by any of its labels; refused naming the choices."""
    text = _text(value)
    if text is None:
        return None
    found = enum.from_label(text)
    if found is None:
        choices = "、".join(member.label for member in enum)
        raise _CellError(
            code,
            MESSAGES.message(f"members.{code}", text=text, choices=choices),
        )
    return found


def _gender(value: CellValue) -> Gender | None:
    return _labelled(Gender, value, "invalid_gender")


def _education(value: CellValue) -> Education | None:
    return _labelled(Education, value, "invalid_education")


def _status(value: CellValue) -> MemberStatus | None:
    return _labelled(MemberStatus, value, "invalid_status")


def _member_class(value: CellValue) -> MemberClass | None:
    return _labelled(MemberClass, value, "invalid_member_class")


def _tags(value: CellValue) -> tuple[str, ...]:
    text = _text(value)
    return tuple(tag for tag in _TAG_SEPARATORS.split(text) if tag) if text else ()


class _RowReader:
    """Reads one row's cells by field, remembering every cell that could not be read."""

    def __init__(self, raw: Mapping[str, CellValue]) -> None:
        self.cells: dict[str, CellValue] = {}
        for header, value in raw.items():
            field = field_for_header(header)
            if field is not None:
                self.cells[field] = value
        self.errors: list[FieldError] = []

    def read(self, field: str, parse: Callable[[CellValue], T]) -> T | None:
        try:
            return parse(self.cells.get(field))
        except _CellError as error:
            self.errors.append(FieldError(field, error.code, error.message))
            return None

    def require(self, field: str, value: object, message: Message) -> None:
        if value is None and not self.has_error(field):
            self.errors.append(FieldError(field, "required", message))

    def has_error(self, field: str) -> bool:
        return any(error.field == field for error in self.errors)


def is_blank_row(raw: Mapping[str, CellValue]) -> bool:
    """True for rows with no content at all, which sheets often carry below the data."""
    return all(_text(value) is None for value in raw.values())


def parse_row(
    raw: Mapping[str, CellValue], row_number: int, *, today: date
) -> MemberDraft | RowRefusal:
    """Turn one sheet row (header → cell) into a validated MemberDraft, or say every reason
    it is refused. Status defaults from the dates: a 转正时间 means a full member."""
    row = _RowReader(raw)
    name = row.read("name", _text)
    id_number = row.read("id_number", _id_number_text)
    admitted_on = row.read("admitted_on", parse_date_cell)
    organization_name = row.read("organization_name", _text)
    full_member_on = row.read("full_member_on", parse_date_cell)
    status = row.read("status", _status)
    member_class = row.read("member_class", _member_class)
    tags = row.read("tags", _tags) or ()
    mobile = _read_mobile(row)
    row.require("name", name, MESSAGES.message("members.name_required"))
    row.require("id_number", id_number, MESSAGES.message("members.id_number_required"))
    row.require("admitted_on", admitted_on, MESSAGES.message("members.admitted_on_required"))
    row.require(
        "organization_name",
        organization_name,
        MESSAGES.message("members.organization_name_required"),
    )
    if status is None:
        status = MemberStatus.FULL if full_member_on else MemberStatus.PROBATIONARY
    draft = MemberDraft(
        name=name or "",
        id_number=id_number or "",
        status=status,
        admitted_on=admitted_on,
        organization_name=organization_name,
        full_member_on=full_member_on,
        member_class=member_class or MemberClass.ORDINARY,
        mobile=mobile,
        tags=tags,
        gender=row.read("gender", _gender),
        birth_date=row.read("birth_date", parse_date_cell),
        ethnicity=row.read("ethnicity", _text),
        phone=row.read("phone", _text),
        education=row.read("education", _education),
        work_unit=row.read("work_unit", _text),
        post=row.read("post", _text),
        status_reason=row.read("status_reason", _text),
    )
    typed = normalize_id_number(id_number) if id_number else None
    try:
        validated = validate_member(draft, today=today)
    except DomainError as error:
        _merge(row, error.errors)
        return RowRefusal(row_number, tuple(row.errors), typed)
    if row.errors:
        return RowRefusal(row_number, tuple(row.errors), typed)
    return validated


def _read_mobile(row: _RowReader) -> MobileDetails | None:
    host = row.read("mobile.host_organization_name", _text)
    card = row.read("mobile.activity_card_number", _text)
    start = row.read("mobile.period_start", parse_date_cell)
    end = row.read("mobile.period_end", parse_date_cell)
    if host is None and card is None and start is None and end is None:
        return None
    row.require(
        "mobile.period_start", start, MESSAGES.message("members.mobile_period_start_required")
    )
    if start is None:
        return None
    return MobileDetails(
        host_organization_name=host or "",
        activity_card_number=card or "",
        period_start=start,
        period_end=end,
    )


def _merge(row: _RowReader, errors: Iterable[FieldError]) -> None:
    """Add validation errors, skipping fields whose cell already failed to read."""
    for error in errors:
        field = "organization_name" if error.field == "organization_id" else error.field
        if row.has_error(field) or (field == "mobile" and row.has_error("mobile.period_start")):
            continue
        row.errors.append(FieldError(field, error.code, error.message))


def duplicate_id_number_refusals(
    rows: Iterable[tuple[int, MemberDraft | RowRefusal]],
) -> list[RowRefusal]:
    """Refuse every row whose 身份证号 appears more than once in the same file, naming the
    other rows, since the file cannot say which one is right. Rows refused for other
    reasons count too, so that fixing those does not reveal a duplicate on the next pass."""
    rows_by_number: dict[str, list[int]] = defaultdict(list)
    for row_number, result in rows:
        if result.id_number:
            rows_by_number[result.id_number].append(row_number)
    refusals: list[RowRefusal] = []
    for row_numbers in rows_by_number.values():
        if len(row_numbers) < 2:
            continue
        for row_number in row_numbers:
            others = [str(other) for other in row_numbers if other != row_number]
            refusals.append(
                RowRefusal(
                    row_number,
                    (
                        FieldError(
                            "id_number",
                            "duplicate_in_file",
                            MESSAGES.message(
                                "members.duplicate_in_file",
                                rows="、".join(others),
                                rows_en=", ".join(others),
                            ),
                        ),
                    ),
                )
            )
    return sorted(refusals, key=lambda refusal: refusal.row_number)
