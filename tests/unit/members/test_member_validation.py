import dataclasses
from datetime import date
from uuid import uuid4

import pytest
from member_builders import TODAY, make_id

from domain.members import (
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    adulthood,
    check_status_transition,
    party_seniority,
    validate_member,
)
from domain.shared import ErrorKind
from domain.shared.errors import DomainError

BORN = date(1990, 5, 17)
ID_MALE = make_id("110105", BORN, 13)


def draft(**changes: object) -> MemberDraft:
    base = MemberDraft(
        name=" 张三 ",
        id_number=ID_MALE.lower(),
        status=MemberStatus.FULL,
        admitted_on=date(2015, 7, 1),
        full_member_on=date(2016, 7, 1),
        organization_id=uuid4(),
        phone="+86 138-1234-1234",
        education=Education.BACHELOR,
    )
    return dataclasses.replace(base, **changes)


def errors_of(member: MemberDraft, **kwargs: object) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        validate_member(member, today=TODAY, **kwargs)
    error = caught.value
    assert (error.code, error.kind) == ("validation_failed", ErrorKind.INVALID)
    for item in error.errors:
        assert item.message.zh
        assert item.message.en
    return {item.field: item.code for item in error.errors}


def test_valid_record_is_normalised_and_completed_from_id_number():
    member = validate_member(draft(tags=(" 骨干 ", "骨干", "", "老党员")), today=TODAY)
    assert member.name == "张三"
    assert member.id_number == ID_MALE
    assert member.phone == "13812341234"
    assert (member.gender, member.birth_date) == (Gender.MALE, BORN)
    assert member.tags == ("骨干", "老党员")


def test_every_problem_is_reported_at_once():
    fields = errors_of(
        draft(
            name="",
            phone="12345",
            gender=Gender.FEMALE,
            birth_date=date(1991, 1, 1),
            admitted_on=date(2016, 7, 1),
            full_member_on=date(2015, 7, 1),
            organization_id=None,
        )
    )
    assert fields == {
        "name": "required",
        "phone": "phone_format",
        "gender": "mismatch_id_number",
        "birth_date": "mismatch_id_number",
        "full_member_on": "before_admission",
        "organization_id": "required",
    }


def test_mismatch_messages_say_what_the_id_number_says():
    with pytest.raises(DomainError) as caught:
        validate_member(draft(gender=Gender.FEMALE), today=TODAY)
    (error,) = caught.value.errors
    assert "性别与身份证号不一致" in error.message.zh
    assert "男" in error.message.zh
    assert "does not match the ID number" in error.message.en


def test_id_number_errors_are_collected_with_the_others():
    assert errors_of(draft(id_number="110105199005170131", name="")) == {
        "id_number": "id_number_check_digit",
        "name": "required",
    }


def test_admission_before_18th_birthday_is_refused():
    assert errors_of(draft(admitted_on=date(2008, 5, 16))) == {"admitted_on": "before_adulthood"}
    assert validate_member(draft(admitted_on=date(2008, 5, 17)), today=TODAY).admitted_on


def test_leap_day_births_come_of_age_on_first_of_march():
    assert adulthood(date(2004, 2, 29)) == date(2022, 3, 1)
    assert adulthood(date(2000, 2, 29)) == date(2018, 3, 1)
    assert adulthood(date(1996, 2, 29)) == date(2014, 3, 1)
    assert adulthood(date(1986, 2, 28)) == date(2004, 2, 28)


def test_dates_in_the_future_are_refused():
    assert errors_of(draft(admitted_on=date(2025, 7, 2), full_member_on=None)) == {
        "admitted_on": "in_future",
        "full_member_on": "required",
    }
    assert errors_of(draft(full_member_on=date(2025, 7, 2))) == {"full_member_on": "in_future"}


def test_admission_date_is_required():
    assert errors_of(draft(admitted_on=None)) == {"admitted_on": "required"}


def test_full_member_needs_full_membership_date_and_probationary_must_not_have_one():
    assert errors_of(draft(full_member_on=None)) == {"full_member_on": "required"}
    assert errors_of(draft(status=MemberStatus.PROBATIONARY)) == {"full_member_on": "not_allowed"}
    probationary = draft(status=MemberStatus.PROBATIONARY, full_member_on=None)
    assert validate_member(probationary, today=TODAY).status is MemberStatus.PROBATIONARY


def test_organization_by_name_is_enough_for_imports():
    member = draft(organization_id=None, organization_name=" 第一党支部 ")
    assert validate_member(member, today=TODAY).organization_name == "第一党支部"


def test_mobile_member_needs_mobile_details():
    assert errors_of(draft(member_class=MemberClass.MOBILE)) == {"mobile": "required"}
    details = MobileDetails(" ", "", date(2024, 3, 1), date(2024, 2, 1))
    assert errors_of(draft(member_class=MemberClass.MOBILE, mobile=details)) == {
        "mobile.host_organization_name": "required",
        "mobile.activity_card_number": "required",
        "mobile.period_end": "before_start",
    }
    valid = MobileDetails("深圳市某公司党支部", "LD2024001", date(2024, 3, 1))
    assert validate_member(draft(member_class=MemberClass.MOBILE, mobile=valid), today=TODAY)


def test_mobile_details_on_a_non_mobile_member_are_refused():
    details = MobileDetails("深圳市某公司党支部", "LD2024001", date(2024, 3, 1))
    assert errors_of(draft(mobile=details)) == {"mobile": "not_mobile_member"}


@pytest.mark.parametrize("status", [MemberStatus.SUSPENDED, MemberStatus.REMOVED])
def test_suspended_and_removed_need_a_reason(status):
    assert errors_of(draft(status=status, status_reason="  ")) == {
        "status_reason": "reason_required"
    }
    assert validate_member(draft(status=status, status_reason="失联超过6个月"), today=TODAY)


def test_removed_is_final():
    with pytest.raises(DomainError) as caught:
        check_status_transition(MemberStatus.REMOVED, MemberStatus.FULL, reason="恢复")
    assert (caught.value.code, caught.value.kind) == (
        "status_transition_refused",
        ErrorKind.CONFLICT,
    )
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("status", "status_final")
    assert "已除名" in error.message.zh


def test_full_member_cannot_become_probationary_again():
    fields = errors_of(
        draft(status=MemberStatus.PROBATIONARY, full_member_on=None),
        previous_status=MemberStatus.FULL,
    )
    assert fields == {"status": "status_transition"}


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (MemberStatus.PROBATIONARY, MemberStatus.FULL),
        (MemberStatus.FULL, MemberStatus.SUSPENDED),
        (MemberStatus.SUSPENDED, MemberStatus.FULL),
        (MemberStatus.FULL, MemberStatus.REMOVED),
        (MemberStatus.FULL, MemberStatus.FULL),
    ],
)
def test_allowed_transitions(current, new):
    check_status_transition(current, new, reason="支部大会决定")


def test_transition_to_suspended_without_reason_is_refused():
    with pytest.raises(DomainError) as caught:
        check_status_transition(MemberStatus.FULL, MemberStatus.SUSPENDED, reason=None)
    assert [e.code for e in caught.value.errors] == ["reason_required"]


def test_party_seniority_counts_whole_years_from_the_end_of_probation():
    assert party_seniority(date(2016, 7, 1), today=date(2025, 6, 30)) == 8
    assert party_seniority(date(2016, 7, 1), today=date(2025, 7, 1)) == 9
    assert party_seniority(date(2025, 7, 1), today=date(2025, 7, 1)) == 0
