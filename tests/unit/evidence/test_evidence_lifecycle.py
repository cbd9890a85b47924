import pytest

from domain.evidence import ensure_open_for_evidence
from domain.shared.errors import DomainError


@pytest.mark.parametrize("status", ["planned", "ongoing", "finished"])
def test_evidence_may_be_added_until_the_record_is_frozen(status: str) -> None:
    ensure_open_for_evidence(status)


@pytest.mark.parametrize("status", ["cancelled", "archived"])
def test_cancelled_or_archived_activities_take_no_more_evidence(status: str) -> None:
    with pytest.raises(DomainError) as raised:
        ensure_open_for_evidence(status)
    assert raised.value.code == "activity_closed_for_evidence"
