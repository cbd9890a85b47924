import base64

import pytest

from infra.crypto import BlindIndex, CryptoError, FieldCipher, decode_key, generate_key, key_id_of

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(32, 64))
ID_COLUMN = "members.id_number"
PHONE_COLUMN = "members.phone"


def cipher(current: str = "k1", **keys: bytes) -> FieldCipher:
    return FieldCipher(keys or {"k1": OLD_KEY}, current)


def test_round_trip_and_fresh_nonce_each_time():
    c = cipher()
    first = c.encrypt(ID_COLUMN, "11010519491231002X")
    second = c.encrypt(ID_COLUMN, "11010519491231002X")
    assert first != second
    assert b"11010519491231002X" not in first
    assert c.decrypt(ID_COLUMN, first) == "11010519491231002X"
    assert c.decrypt(ID_COLUMN, second) == "11010519491231002X"


def test_layout_starts_with_version_and_key_id():
    blob = cipher().encrypt(PHONE_COLUMN, "13812341234")
    assert blob[:4] == b"\x01\x02k1"
    assert key_id_of(blob) == "k1"


def test_rotation_old_keys_still_decrypt_new_writes_use_the_current_key():
    old_blob = cipher("k1", k1=OLD_KEY).encrypt(PHONE_COLUMN, "13812341234")
    ring = cipher("k2", k1=OLD_KEY, k2=NEW_KEY)
    assert ring.decrypt(PHONE_COLUMN, old_blob) == "13812341234"
    assert ring.needs_rotation(old_blob)
    rotated = ring.rotate(PHONE_COLUMN, old_blob)
    assert key_id_of(rotated) == "k2"
    assert not ring.needs_rotation(rotated)
    assert ring.rotate(PHONE_COLUMN, rotated) is rotated
    assert ring.decrypt(PHONE_COLUMN, rotated) == "13812341234"


def test_retired_key_cannot_decrypt():
    old_blob = cipher("k1", k1=OLD_KEY).encrypt(PHONE_COLUMN, "13812341234")
    with pytest.raises(CryptoError, match="no key"):
        cipher("k2", k2=NEW_KEY).decrypt(PHONE_COLUMN, old_blob)


@pytest.mark.parametrize("position", [0, 1, 3, 10, -1])
def test_tampering_is_detected(position):
    c = cipher("k1", k1=OLD_KEY, k2=NEW_KEY)
    blob = bytearray(c.encrypt(ID_COLUMN, "11010519491231002X"))
    blob[position] ^= 0x01
    with pytest.raises(CryptoError):
        c.decrypt(ID_COLUMN, bytes(blob))


def test_truncated_ciphertext_is_refused():
    blob = cipher().encrypt(ID_COLUMN, "x")
    with pytest.raises(CryptoError):
        cipher().decrypt(ID_COLUMN, blob[:-20])


def test_ciphertext_cannot_move_to_another_column():
    c = cipher()
    blob = c.encrypt(ID_COLUMN, "11010519491231002X")
    with pytest.raises(CryptoError, match="another column"):
        c.decrypt(PHONE_COLUMN, blob)


def test_keys_come_from_base64_and_must_be_32_bytes():
    encoded = generate_key()
    assert len(decode_key(encoded)) == 32
    url_safe = base64.urlsafe_b64encode(NEW_KEY).decode()
    assert decode_key(url_safe) == NEW_KEY
    ring = FieldCipher.from_base64({"k1": encoded}, "k1")
    assert ring.decrypt(ID_COLUMN, ring.encrypt(ID_COLUMN, "v")) == "v"
    with pytest.raises(CryptoError):
        decode_key(base64.b64encode(b"short").decode())
    with pytest.raises(CryptoError):
        decode_key("not base64!")


def test_current_key_must_be_in_the_ring():
    with pytest.raises(CryptoError):
        FieldCipher({"k1": OLD_KEY}, "k2")


def test_blind_index_is_stable_and_distinct_per_key_and_column():
    index = BlindIndex(OLD_KEY)
    value = "11010519491231002X"
    digest = index.digest(ID_COLUMN, value)
    assert len(digest) == 32
    assert digest == BlindIndex.from_base64(base64.b64encode(OLD_KEY).decode()).digest(
        ID_COLUMN, value
    )
    assert digest != BlindIndex(NEW_KEY).digest(ID_COLUMN, value)
    assert digest != index.digest(PHONE_COLUMN, value)
    assert digest != index.digest(ID_COLUMN, "11010519491231002Y")
