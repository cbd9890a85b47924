from datetime import date, datetime

import pytest
from member_builders import TODAY, make_id

from domain.members import (
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    RowRefusal,
    duplicate_id_number_refusals,
    is_blank_row,
    map_headers,
    parse_date_cell,
    parse_row,
)
from domain.shared.errors import DomainError

ID_FEMALE = make_id("320102", date(1985, 3, 8), 22)


def row(**cells: object) -> dict[str, object]:
    base: dict[str, object] = {
        "姓名": "李四",
        "性别": "女",
        "民族": "汉族",
        "身份证号码": ID_FEMALE,
        "手机号码": "139 0000 1111",
        "学历": "本科",
        "入党时间": "2010-06-30",
        "转正时间": "2011年6月30日",
        "所在党支部": "机关第一党支部",
        "人员类别": "骨干党员",
        "标签": "宣传骨干、青年",
    }
    base.update(cells)
    return base


def refusal_codes(result: MemberDraft | RowRefusal) -> dict[str, str]:
    assert isinstance(result, RowRefusal)
    for error in result.errors:
        assert error.message.zh
        assert error.message.en
    return {error.field: error.code for error in result.errors}


class TestHeaders:
    def test_chinese_and_english_headers_map_to_fields(self):
        mapping = map_headers(
            ["姓名", "公民身份号码", "入党日期", "所在支部", "联系电话", "文化程度", "post"]
        )
        assert dict(mapping.fields) == {
            "姓名": "name",
            "公民身份号码": "id_number",
            "入党日期": "admitted_on",
            "所在支部": "organization_name",
            "联系电话": "phone",
            "文化程度": "education",
            "post": "post",
        }
        assert mapping.unknown == ()

    def test_decorations_on_headers_are_ignored(self):
        mapping = map_headers(["*姓名", " 身份证号 ", "入党时间(yyyy-mm-dd)", "党组织（必填）"])
        assert set(mapping.fields.values()) == set(
            ["name", "id_number", "admitted_on", "organization_name"]
        )

    def test_unknown_columns_are_reported(self):
        mapping = map_headers(["姓名", "身份证号", "入党时间", "党组织", "籍贯", None, ""])
        assert mapping.unknown == ("籍贯",)

    def test_missing_and_duplicate_columns_refuse_the_sheet(self):
        with pytest.raises(DomainError) as caught:
            map_headers(["姓名", "身份证号", "身份证号码", "入党时间"])
        codes = {(e.field, e.code) for e in caught.value.errors}
        assert codes == {
            ("id_number", "column_duplicate"),
            ("organization_name", "column_missing"),
        }
        assert any("所在党支部" in e.message.zh for e in caught.value.errors)


class TestDates:
    @pytest.mark.parametrize(
        "value",
        [
            "2020-01-02",
            "2020/1/2",
            "2020.01.02",
            "2020年1月2日",
            "2020年01月02",
            "20200102",
            20200102,
            "2020-01-02 00:00:00",
            43832,
            43832.0,
            43832.75,
            "43832",
            date(2020, 1, 2),
            datetime(2020, 1, 2, 8, 30),
        ],
    )
    def test_usual_forms(self, value):
        assert parse_date_cell(value) == date(2020, 1, 2)

    def test_excel_serials_around_the_phantom_leap_day(self):
        assert parse_date_cell(1) == date(1900, 1, 1)
        assert parse_date_cell(59) == date(1900, 2, 28)
        assert parse_date_cell(61) == date(1900, 3, 1)

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_empty_cells_are_none(self, value):
        assert parse_date_cell(value) is None

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("2020-02-30", "invalid_date"),
            ("2020-07", "date_incomplete"),
            ("2020年7月", "date_incomplete"),
            ("去年七月", "invalid_date"),
            (60, "invalid_date"),
            (True, "invalid_date"),
        ],
    )
    def test_bad_dates_are_refused_in_a_row_with_the_reason(self, value, code):
        result = parse_row(row(入党时间=value), 5, today=TODAY)
        assert refusal_codes(result) == {"admitted_on": code}


class TestRows:
    def test_good_row_becomes_a_validated_draft(self):
        result = parse_row(row(), 2, today=TODAY)
        assert isinstance(result, MemberDraft)
        assert result.gender is Gender.FEMALE
        assert result.birth_date == date(1985, 3, 8)
        assert result.phone == "13900001111"
        assert result.education is Education.BACHELOR
        assert result.status is MemberStatus.FULL
        assert result.member_class is MemberClass.BACKBONE
        assert result.full_member_on == date(2011, 6, 30)
        assert result.tags == ("宣传骨干", "青年")

    def test_status_follows_from_the_dates_when_not_given(self):
        result = parse_row(row(转正时间=None), 2, today=TODAY)
        assert isinstance(result, MemberDraft)
        assert result.status is MemberStatus.PROBATIONARY

    def test_explicit_status_is_read_from_its_label(self):
        result = parse_row(row(党员状态="预备党员", 转正时间=None), 2, today=TODAY)
        assert isinstance(result, MemberDraft)
        assert result.status is MemberStatus.PROBATIONARY

    def test_every_reason_is_returned(self):
        result = parse_row(
            row(
                姓名="  ",
                性别="未知",
                手机号码="12345",
                学历="幼儿园",
                人员类别="临时",
                党员状态="积极分子",
                出生日期="1985-03-09",
            ),
            7,
            today=TODAY,
        )
        assert isinstance(result, RowRefusal)
        assert result.row_number == 7
        assert refusal_codes(result) == {
            "name": "required",
            "gender": "invalid_gender",
            "phone": "phone_format",
            "education": "invalid_education",
            "member_class": "invalid_member_class",
            "status": "invalid_status",
            "birth_date": "mismatch_id_number",
        }

    def test_unknown_label_lists_the_choices(self):
        result = parse_row(row(性别="未知"), 3, today=TODAY)
        assert isinstance(result, RowRefusal)
        (error,) = result.errors
        assert "男、女" in error.message.zh

    def test_rule_violations_are_refusal_reasons(self):
        result = parse_row(
            row(身份证号码=ID_FEMALE[:-1] + "0", 入党时间="2011-07-01"), 4, today=TODAY
        )
        assert refusal_codes(result) == {
            "id_number": "id_number_check_digit",
            "full_member_on": "before_admission",
        }

    def test_required_cells(self):
        result = parse_row(row(身份证号码=None, 入党时间="", 所在党支部=None), 4, today=TODAY)
        assert refusal_codes(result) == {
            "id_number": "required",
            "admitted_on": "required",
            "organization_name": "required",
        }

    def test_id_number_stored_as_a_float_is_refused(self):
        result = parse_row(row(身份证号码=3.20102198503080e17), 4, today=TODAY)
        assert refusal_codes(result) == {"id_number": "id_number_not_text"}

    def test_numbers_in_text_columns_are_read_as_text(self):
        result = parse_row(row(手机号码=13900001111.0, 身份证号码=int(ID_FEMALE)), 4, today=TODAY)
        assert isinstance(result, MemberDraft)
        assert result.phone == "13900001111"

    def test_mobile_member_columns(self):
        mobile = row(
            人员类别="流动党员",
            流入党组织="深圳某公司党支部",
            活动证编号="LD001",
            外出日期="2024-03-01",
        )
        result = parse_row(mobile, 4, today=TODAY)
        assert isinstance(result, MemberDraft)
        assert result.mobile is not None
        assert result.mobile.period_start == date(2024, 3, 1)
        assert refusal_codes(parse_row(row(人员类别="流动"), 5, today=TODAY)) == {
            "mobile": "required"
        }
        missing_start = {**mobile, "外出日期": None}
        assert refusal_codes(parse_row(missing_start, 6, today=TODAY)) == {
            "mobile.period_start": "required"
        }

    def test_blank_rows_are_recognised(self):
        assert is_blank_row({"姓名": None, "身份证号": "  ", "入党时间": ""})
        assert not is_blank_row(row())


def test_duplicate_id_numbers_in_one_file_name_every_row():
    other = parse_row(row(身份证号码=make_id("110105", date(1980, 1, 1), 12)), 3, today=TODAY)
    first = parse_row(row(), 2, today=TODAY)
    second = parse_row(row(身份证号码=ID_FEMALE.lower()), 5, today=TODAY)
    third = parse_row(row(), 9, today=TODAY)
    rows = [(2, first), (3, other), (5, second), (9, third)]
    assert all(isinstance(draft, MemberDraft) for _, draft in rows)
    refusals = duplicate_id_number_refusals(rows)
    assert [r.row_number for r in refusals] == [2, 5, 9]
    assert refusals[0].errors[0].code == "duplicate_in_file"
    assert "第5、9行" in refusals[0].errors[0].message.zh
    assert "2, 9" in refusals[1].errors[0].message.en


def test_a_row_refused_for_other_faults_is_still_named_as_a_duplicate():
    valid = parse_row(row(), 2, today=TODAY)
    faulty = parse_row(row(入党时间="", 身份证号码=" " + ID_FEMALE.lower()), 7, today=TODAY)
    assert refusal_codes(faulty) == {"admitted_on": "required"}
    refusals = duplicate_id_number_refusals([(2, valid), (7, faulty)])
    assert [(r.row_number, r.errors[0].code) for r in refusals] == [
        (2, "duplicate_in_file"),
        (7, "duplicate_in_file"),
    ]
    assert "第7行" in refusals[0].errors[0].message.zh
    assert "第2行" in refusals[1].errors[0].message.zh
