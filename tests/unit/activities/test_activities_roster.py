import uuid

from domain.activities import credited_organization, on_path


def test_a_member_counts_for_the_nearest_organization_above_them() -> None:
    committee, branch, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    orgs = [(committee, "o1"), (branch, "o1.o2"), (other, "o1.o3")]
    assert credited_organization("o1.o2.o9", orgs) == branch
    assert credited_organization("o1.o2", orgs) == branch
    assert credited_organization("o1.o4", orgs) == committee
    assert credited_organization("o5", orgs) is None


def test_a_path_is_on_its_own_and_its_ancestors_paths_only() -> None:
    assert on_path("o1.o2", "o1")
    assert on_path("o1.o2", "o1.o2")
    assert not on_path("o1.o20", "o1.o2")
    assert not on_path("o1", "o1.o2")
