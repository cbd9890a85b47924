"""The one field protector reads what the members context's protector wrote: same keys,
same column names, same ciphertext layout and blind indexes (values frozen from before the
move to the shared kernel)."""

from __future__ import annotations

import pytest

from infra.crypto import BlindIndex, CryptoError, FieldCipher
from infra.protection import FieldProtector

# (kind, plaintext, ciphertext, blind index, masked) written under key id "k1" by
# infra/members/protect.py at 6256722.
SEALED = [
    (
        "id_number",
        "11010519491231002X",
        "01026b3193e380d4a6d6530511b67a4d9ad81c47d5bf67a093eea063198c6ff0"
        "d6456790ff9d2228840b621534c5882cbf27",
        "28f3b72671cd4e0edb728de3f47bab2a9710d14e90100f72e4288ff51f4906d0",
        "110105********002X",
    ),
    (
        "phone",
        "13812341234",
        "01026b31bf45ac37b4cc5a4784029a33cf9cb88715e458d570abf6892eaa31137dece0332cd229f32f2a99",
        "835c40295a71058f8383694f5b76a6191dac5fe1b32fde46adb363319bc9a204",
        "138****1234",
    ),
    (
        "staff_phone",
        "13900001111",
        "01026b31ab469867e3d9cba152ef51b072f11b292134c1861bd0f73516634e8b311715ba26496df6a335df",
        "00068b121a9f2b7fe51a2e4462e3cfd8b13e7bb637fe2c486787091c6f1e811f",
        "139****1111",
    ),
]


def _protector() -> FieldProtector:
    return FieldProtector(
        FieldCipher({"k1": bytes(range(32))}, "k1"), BlindIndex(bytes(range(32, 64)))
    )


@pytest.mark.parametrize(("kind", "plain", "sealed", "index", "masked"), SEALED)
def test_values_sealed_before_the_move_read_and_index_the_same(
    kind: str, plain: str, sealed: str, index: str, masked: str
) -> None:
    protector = _protector()
    assert getattr(protector, f"reveal_{kind}")(bytes.fromhex(sealed)) == plain
    assert getattr(protector, f"{kind}_index")(plain).hex() == index
    fresh = getattr(protector, kind)(plain)
    assert (fresh.blind_index.hex(), fresh.masked) == (index, masked)
    assert getattr(protector, f"reveal_{kind}")(fresh.ciphertext) == plain


def test_a_value_sealed_for_one_column_does_not_read_as_another() -> None:
    protector = _protector()
    phone = bytes.fromhex(SEALED[1][2])
    with pytest.raises(CryptoError):
        protector.reveal_staff_phone(phone)
