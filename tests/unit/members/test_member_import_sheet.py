"""A sheet's shape: its header row, the headers an import maps, its rows as drafts, and
what an imported row may do to the status of a member already registered."""

from datetime import date

import pytest
from member_builders import TODAY, make_id

from domain.members import (
    DEFAULT_ORG_HEADER,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    RowRefusal,
    header_row_index,
    import_headers,
    imported_fields,
    imported_status,
    kept_status_reason,
    parse_rows,
)
from domain.shared.errors import DomainError

ID = make_id("320102", date(1985, 3, 8), 22)
HEADERS: list[str | None] = ["姓名", "身份证号码", "入党时间", "所在党支部", None]


def test_a_title_row_above_the_headers_is_skipped() -> None:
    rows = [["2024 年党员花名册"], ["姓名", "身份证号码", "入党时间"], ["张三", ID, "2010-01-01"]]
    assert header_row_index(rows) == 1
    assert header_row_index([["a", "b"], ["c"]]) == 0


def test_a_default_organization_fills_a_missing_branch_column_only() -> None:
    assert import_headers(["姓名"], True) == ["姓名", DEFAULT_ORG_HEADER]
    assert import_headers(["姓名", "所在党组织"], True) == ["姓名", "所在党组织"]
    assert import_headers(["姓名"], False) == ["姓名"]


def test_rows_become_drafts_or_refusals_and_blank_rows_are_skipped() -> None:
    default_rows: set[int] = set()
    parsed = parse_rows(
        [
            (2, ["张三", ID, "2010-01-01", None]),
            (3, [None, None, None, None, None]),
            (4, ["李四", "123", "2010-01-01", "第一党支部"]),
        ],
        HEADERS,
        TODAY,
        "默认党支部",
        default_rows,
    )
    assert [row for row, _, _ in parsed] == [2, 4]
    (_, first, first_name), (_, second, second_name) = parsed
    assert isinstance(first, MemberDraft)
    assert (first.organization_name, first_name) == ("默认党支部", "张三")
    assert isinstance(second, RowRefusal)
    assert second_name == "李四"
    assert default_rows == {2}


def draft(status: MemberStatus, reason: str | None = None) -> MemberDraft:
    return MemberDraft("张三", ID, status, date(2010, 1, 1), status_reason=reason)


def test_an_import_without_a_status_column_leaves_suspended_and_removed_members_so() -> None:
    row = draft(MemberStatus.FULL)
    for kept in (MemberStatus.SUSPENDED, MemberStatus.REMOVED):
        assert imported_status(kept, row, status_in_file=False) is kept
    assert imported_status(MemberStatus.PROBATIONARY, row, status_in_file=False) is (
        MemberStatus.FULL
    )
    with pytest.raises(DomainError) as refused:
        imported_status(MemberStatus.REMOVED, row, status_in_file=True)
    assert refused.value.code == "status_transition_refused"


def test_only_suspension_and_removal_keep_their_reason() -> None:
    assert kept_status_reason(MemberStatus.SUSPENDED, " 长期失联 ") == "长期失联"
    assert kept_status_reason(MemberStatus.FULL, "按期转正") is None


def test_mobile_details_round_trip_through_their_stored_document() -> None:
    details = MobileDetails(" 某街道党工委 ", "LD-1", date(2024, 1, 1))
    document = details.as_document()
    assert document == {
        "host_organization_name": "某街道党工委",
        "activity_card_number": "LD-1",
        "period_start": "2024-01-01",
        "period_end": None,
    }
    assert MobileDetails.from_document(document) == MobileDetails(
        "某街道党工委", "LD-1", date(2024, 1, 1)
    )
    assert MobileDetails.from_document(None) is None


def test_an_import_replaces_only_the_fields_its_sheet_carries() -> None:
    assert imported_fields({"name", "id_number", "phone"}) == {
        "name",
        "id_number",
        "phone",
        "gender",
        "birth_date",
    }
    assert "mobile" in imported_fields({"name", "mobile.activity_card_number"})
    assert "mobile.activity_card_number" not in imported_fields({"mobile.activity_card_number"})
    assert "mobile" in imported_fields({"member_class"})
    assert "mobile" not in imported_fields({"name"})
