"""The letter: its fields (domain-rules §2), numbering from a sequence, the verification
code that rejects a tampered letter, the printable page and the PDF."""

from __future__ import annotations

from typing import Any

from domain.shared import new_id
from tests.integration.transfers.helpers import V1, Place, act, ok, refused, start
from tests.pdf_text import pdf_text


async def _letter_pair(
    futian_place: Place, nanshan_place: Place
) -> tuple[dict[str, Any], dict[str, Any]]:
    member = await futian_place.member(name="赵信函", phone="13800138000")
    started = await start(
        futian_place.admin,
        member,
        nanshan_place,
        kind="across_tenants",
        sender_contact={
            "address": "深圳市福田区福中三路",
            "phone": "0755-1234567",
            "postcode": "518000",
        },
    )
    refused(
        await futian_place.admin.get(f"{V1}/transfers/{started['id']}/letter"),
        422,
        "transfer_letter_not_issued",
    )
    ok(await act(futian_place.admin, started["id"], "approve"))
    sending = ok(await futian_place.admin.get(f"{V1}/transfers/{started['id']}/letter"))
    receiving = ok(await nanshan_place.admin.get(f"{V1}/transfers/{started['id']}/letter"))
    return sending, receiving


def _printed(letter: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "number": letter["number"],
        "verification_code": letter["verification_code"],
        "member_name": letter["member"]["name"],
        "member_id_number": letter["member"]["id_number"],
        "from_organization_name": letter["from_organization_name"],
        "to_organization_name": letter["to_organization_name"],
        "paid_to": letter["paid_to"],
        "valid_until": letter["valid_until"],
        **changes,
    }


async def test_the_letter_carries_the_rules_fields_on_both_sides(
    futian_place: Place, nanshan_place: Place
) -> None:
    sending, receiving = await _letter_pair(futian_place, nanshan_place)
    assert sending["side"] == "sending"
    assert receiving["side"] == "receiving"
    for field in ("number", "verification_code", "issued_on", "valid_until", "paid_to"):
        assert sending[field] == receiving[field]
    assert sending["validity_days"] == 90
    assert sending["paid_to"] == "无欠缴记录"
    assert sending["member"]["name"] == "赵信函"
    assert len(sending["member"]["id_number"]) == 18
    assert "*" not in sending["member"]["id_number"]
    assert "*" in receiving["member"]["id_number"]
    assert sending["member"]["phone"] == "13800138000"
    assert sending["member"]["age"] > 18
    assert sending["member"]["status"] == "full"
    assert sending["sender_contact"]["postcode"] == "518000"
    assert receiving["sender_contact"] == {
        "address": None,
        "phone": None,
        "fax": None,
        "postcode": None,
    }


async def test_letters_are_numbered_from_a_sequence(
    futian_place: Place, nanshan_place: Place
) -> None:
    first, _ = await _letter_pair(futian_place, nanshan_place)
    second, _ = await _letter_pair(futian_place, nanshan_place)
    year, number = first["number"].split("-")
    assert year == first["issued_on"][:4]
    assert int(second["number"].split("-")[1]) > int(number)


async def test_the_code_checks_the_printed_fields(
    futian_place: Place, nanshan_place: Place
) -> None:
    _, letter = await _letter_pair(futian_place, nanshan_place)
    check = f"{V1}/transfer-letters/verify"
    assert ok(await nanshan_place.admin.post(check, json=_printed(letter))) == {
        "valid": True,
        "state": "sent",
    }
    lowered = letter["verification_code"].lower().replace("-", " ")
    valid = ok(
        await nanshan_place.admin.post(check, json=_printed(letter, verification_code=lowered))
    )
    assert valid["valid"] is True
    for tampered in (
        {"paid_to": "贰零贰柒年壹月"},
        {"member_name": "钱改名"},
        {"to_organization_name": "别的党支部"},
        {"valid_until": "2099-01-01"},
        {"verification_code": "AAAA-BBBB-CCCC"},
    ):
        verdict = ok(await nanshan_place.admin.post(check, json=_printed(letter, **tampered)))
        assert verdict == {"valid": False, "state": None}, tampered


async def test_the_printable_letter_has_three_parts(
    futian_place: Place, nanshan_place: Place
) -> None:
    sending, _ = await _letter_pair(futian_place, nanshan_place)
    r = await futian_place.admin.get(f"{V1}/transfers/{sending['transfer_id']}/letter/html")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    for part in ("存根", "中国共产党党员组织关系介绍信", "回执联", sending["number"], "无欠缴记录"):
        assert part in r.text


async def test_the_pdf_letter_has_three_parts_and_what_verification_needs(
    futian_place: Place, nanshan_place: Place
) -> None:
    sending, receiving = await _letter_pair(futian_place, nanshan_place)
    path = f"{V1}/transfers/{sending['transfer_id']}/letter/pdf"
    r = await futian_place.admin.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    for part in ("存根", "中国共产党党员组织关系介绍信", "回执联", "党费交至", "无欠缴记录"):
        assert part in text
    assert text.count(sending["number"]) >= 3  # on each part
    assert sending["verification_code"] in text
    assert sending["member"]["id_number"] in text  # in full for the sending side's officer
    assert receiving["member"]["id_number"] in text  # masked, as typed into the check
    assert "518000" in text
    theirs = pdf_text((await nanshan_place.admin.get(path)).content)
    assert receiving["verification_code"] in theirs
    assert sending["member"]["id_number"] not in theirs
    other = f"{V1}/transfers/{new_id()}/letter/pdf"
    refused(await futian_place.admin.get(other), 404, "transfer_not_found")
