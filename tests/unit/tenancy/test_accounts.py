import pytest

from domain.shared.errors import DomainError
from domain.tenancy import check_account_fields


@pytest.mark.parametrize("username", ["abc", "futian_admin", "Li.Wei-2", "a" * 40])
def test_usernames_people_can_type(username: str) -> None:
    check_account_fields(username, None)


@pytest.mark.parametrize(
    "username", ["ab", "1admin", "_admin", "a" * 41, "张三丰", "admin\n", "ad min"]
)
def test_usernames_refused(username: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_account_fields(username, None)
    assert exc.value.code == "validation_failed"
    assert [(e.field, e.code) for e in exc.value.errors] == [("username", "username_format")]


@pytest.mark.parametrize(
    "phone", ["12800138000", "1380013800", "138001380000", "１３８００１３８０００"]
)
def test_phone_must_be_a_mainland_mobile(phone: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_account_fields(None, phone)
    assert [(e.field, e.code) for e in exc.value.errors] == [("phone", "phone_format")]


def test_both_fields_reported_at_once() -> None:
    check_account_fields("futian_admin", "13800138000")
    with pytest.raises(DomainError) as exc:
        check_account_fields("x", "110")
    assert [e.field for e in exc.value.errors] == ["username", "phone"]
