from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from member_builders import (
    TODAY,
    VALID_ID,
    VALID_ID_MALE,
    check_character,
    make_id,
    valid_ids,
)

from domain.members import (
    Gender,
    mask_id_number,
    mask_mobile,
    normalize_mobile,
    parse_id_number,
)
from domain.shared.errors import DomainError


def refusal(raw: str) -> tuple[str, str, str, str]:
    with pytest.raises(DomainError) as caught:
        parse_id_number(raw, today=TODAY)
    (error,) = caught.value.errors
    return error.field, error.code, error.message.zh, error.message.en


def test_official_examples_parse_to_birth_date_and_gender():
    female = parse_id_number(VALID_ID, today=TODAY)
    male = parse_id_number(VALID_ID_MALE, today=TODAY)
    assert (female.birth_date, female.gender, female.area_code) == (
        date(1949, 12, 31),
        Gender.FEMALE,
        "110105",
    )
    assert (male.birth_date, male.gender) == (date(1880, 1, 1), Gender.MALE)


def test_lowercase_x_and_full_width_digits_are_normalised():
    assert parse_id_number("11010519491231002x", today=TODAY).number == VALID_ID
    assert parse_id_number(" １１０１０５１９４９１２３１００２Ｘ ", today=TODAY).number == VALID_ID


def test_wrong_check_character_is_refused_with_reason():
    field, code, zh, en = refusal("110105194912310021")
    assert (field, code) == ("id_number", "id_number_check_digit")
    assert "校验位" in zh
    assert "check character" in en


@pytest.mark.parametrize(
    ("raw", "code", "zh_fragment"),
    [
        ("11010519491231002", "id_number_length", "18位"),
        ("110105194912310", "id_number_length", "15位"),
        ("1101051949123100X2", "id_number_format", "前17位"),
        ("११०१०५१९४९१२३१००२X", "id_number_format", "前17位"),
        ("11010519490231002X", "id_number_birth_date", "不是有效日期"),
    ],
)
def test_malformed_numbers_say_why(raw, code, zh_fragment):
    field, got_code, zh, en = refusal(raw)
    assert (field, got_code) == ("id_number", code)
    assert zh_fragment in zh
    assert en


@pytest.mark.parametrize("province", ["00", "20", "30", "72", "99"])
def test_unassigned_province_codes_are_refused(province):
    field, code, zh, en = refusal(make_id(f"{province}0105", date(1980, 1, 1), 1))
    assert (field, code) == ("id_number", "id_number_province")
    assert f"前两位 {province}" in zh
    assert "province-level code" in en


@pytest.mark.parametrize("area", ["440399", "110199", "000000"])
def test_unknown_areas_are_refused_naming_the_part(area):
    _, code, zh, _ = refusal(make_id(area, date(1980, 1, 1), 1))
    if area.startswith("00"):
        assert code == "id_number_province"
    else:
        assert code == "id_number_area"
        assert f"前六位 {area}" in zh


@pytest.mark.parametrize(
    "area",
    [
        "440303",  # 深圳市罗湖区, current
        "110103",  # 北京市崇文区, merged into 东城区 in 2010
        "320103",  # 南京市白下区, merged into 秦淮区 in 2013
        "810000",  # 香港居民居住证
    ],
)
def test_current_and_withdrawn_areas_are_accepted(area):
    assert parse_id_number(make_id(area, date(1980, 1, 1), 1), today=TODAY).area_code == area


def test_impossible_date_with_valid_check_character_is_refused():
    first17 = "11010520010230001"
    field, code, _, en = refusal(first17 + check_character(first17))
    assert (field, code) == ("id_number", "id_number_birth_date")
    assert "not a real date" in en


def test_birth_date_in_the_future_is_refused():
    _, code, zh, _ = refusal(make_id("110105", date(2025, 7, 2), 1))
    assert code == "id_number_birth_date"
    assert "晚于今天" in zh


def test_error_names_the_field_the_caller_chose():
    with pytest.raises(DomainError) as caught:
        parse_id_number("123", today=TODAY, field="applicant.id_number")
    assert caught.value.errors[0].field == "applicant.id_number"


@given(valid_ids)
def test_generated_valid_numbers_always_pass(number):
    facts = parse_id_number(number, today=TODAY)
    assert facts.number == number
    assert facts.gender is (Gender.MALE if int(number[16]) % 2 else Gender.FEMALE)


@given(valid_ids, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=9))
def test_one_changed_digit_always_fails(number, position, shift):
    original = number[position]
    changed = str(shift) if original == "X" else str((int(original) + shift) % 10)
    with pytest.raises(DomainError):
        parse_id_number(number[:position] + changed + number[position + 1 :], today=TODAY)


def test_id_number_mask_keeps_area_code_and_last_four():
    assert mask_id_number(VALID_ID) == "110105********002X"


@pytest.mark.parametrize(
    "raw",
    ["13812341234", "138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "8613812341234"],
)
def test_mobile_numbers_are_normalised(raw):
    assert normalize_mobile(raw) == "13812341234"


@pytest.mark.parametrize(
    "raw", ["12812341234", "1381234123", "010-12345678", "+1 13812341234", "१३८१२३४१२३४"]
)
def test_invalid_mobile_numbers_are_refused_with_reason(raw):
    with pytest.raises(DomainError) as caught:
        normalize_mobile(raw)
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("phone", "phone_format")
    assert "11位" in error.message.zh
    assert "11-digit" in error.message.en


def test_mobile_mask():
    assert mask_mobile("13812341234") == "138****1234"
