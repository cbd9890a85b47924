"""A version of a member record lists each tracked field that changed, old and new."""

from domain.members import TRACKED_FIELDS, changes_between, creation_changes_of


def values(**changed: object) -> dict[str, object]:
    base: dict[str, object] = dict.fromkeys(TRACKED_FIELDS)
    base.update(name="张三", id_number="1101**********002X", status="full", tags=[])
    base.update(changed)
    return base


def test_a_change_records_only_the_fields_that_differ() -> None:
    before = values(work_unit="区财政局")
    after = values(work_unit="区审计局", phone="139****1111")
    assert changes_between(before, after) == {
        "phone": {"old": None, "new": "139****1111"},
        "work_unit": {"old": "区财政局", "new": "区审计局"},
    }
    assert changes_between(before, before) == {}


def test_a_creation_records_every_field_that_is_set() -> None:
    assert creation_changes_of(values()) == {
        "name": {"old": None, "new": "张三"},
        "id_number": {"old": None, "new": "1101**********002X"},
        "status": {"old": None, "new": "full"},
    }
