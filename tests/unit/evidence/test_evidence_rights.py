import pytest

from domain.evidence import EvidenceRights, evidence_rights


def rights(
    *, member: bool = False, read: bool = False, upload: bool = False, delete: bool = False
) -> EvidenceRights:
    return evidence_rights(
        member_visible=member,
        read_anywhere=read,
        upload_anywhere=upload,
        delete_at_organizer=delete,
    )


def test_a_member_who_sees_the_activity_reads_and_adds_but_is_not_staff() -> None:
    member = rights(member=True)
    assert (member.can_read, member.can_upload, member.can_delete, member.staff) == (
        True,
        True,
        False,
        False,
    )


def test_staff_upload_grant_makes_staff_and_read_grant_alone_does_not() -> None:
    assert rights(upload=True).staff
    assert rights(upload=True).can_upload
    reader = rights(read=True)
    assert (reader.can_read, reader.can_upload, reader.staff) == (True, False, False)


def test_deleting_needs_the_organizers_grant() -> None:
    assert rights(delete=True).can_delete
    assert not rights(member=True, read=True, upload=True).can_delete


@pytest.mark.parametrize(
    ("who", "status", "mine", "sees"),
    [
        (rights(member=True), "attached", False, True),
        (rights(member=True), "pending", False, False),  # someone else's slot
        (rights(member=True), "pending", True, True),
        (rights(upload=True), "pending", False, True),
        (rights(), "attached", True, True),  # the uploader always sees their own file
        (rights(), "attached", False, False),
    ],
)
def test_pending_slots_are_the_uploaders_and_staffs_business(
    who: EvidenceRights, status: str, mine: bool, sees: bool
) -> None:
    assert who.sees(status, mine=mine) is sees


def test_confirming_is_for_the_uploader_or_staff() -> None:
    assert rights().may_confirm(mine=True)
    assert rights(upload=True).may_confirm(mine=False)
    assert not rights(member=True, read=True).may_confirm(mine=False)


def test_an_uploader_may_withdraw_only_their_own_pending_slot() -> None:
    member = rights(member=True)
    assert member.may_delete("pending", mine=True)
    assert not member.may_delete("attached", mine=True)
    assert not member.may_delete("pending", mine=False)
    assert rights(delete=True).may_delete("attached", mine=False)
