"""Protection of 身份证号 and phones: AEAD ciphertext, blind index, masked copy.

Shared kernel: members' 身份证号 and phone and staff accounts' phone are sealed with the
same keys, and tenancy also seals TOTP secrets and indexes lockout subjects with them, so
one protector per process serves every context (built in the composition root, handed to
handlers as `protector: Protector`). Keys come from settings (generated under the data
directory for zero-setup runs); `ZHIBU_OLD_FIELD_KEYS` ("id=base64,id=base64") keeps
retired keys able to decrypt. The column names are part of every ciphertext and index:
never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.masking import mask_id_number, mask_mobile
from infra.crypto import BlindIndex, FieldCipher
from infra.settings import Settings

ID_NUMBER = "member.id_number"
PHONE = "member.phone"
STAFF_PHONE = "app_user.phone"


@dataclass(frozen=True, slots=True)
class Protected:
    ciphertext: bytes
    blind_index: bytes
    masked: str


class FieldProtector:
    """The field keys: seal, index and reveal one kind of value each."""

    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index

    @classmethod
    def from_settings(cls, settings: Settings) -> FieldProtector:
        keys = {settings.field_key_id: settings.secrets["field_key"]}
        for pair in filter(None, settings.old_field_keys.split(",")):
            key_id, _, value = pair.partition("=")
            keys.setdefault(key_id.strip(), value.strip())
        return cls(
            FieldCipher.from_base64(keys, settings.field_key_id),
            BlindIndex.from_base64(settings.secrets["blind_index_key"]),
        )

    def id_number(self, normalized: str) -> Protected:
        return Protected(
            self.cipher.encrypt(ID_NUMBER, normalized),
            self.index.digest(ID_NUMBER, normalized),
            mask_id_number(normalized),
        )

    def phone(self, normalized: str) -> Protected:
        return Protected(
            self.cipher.encrypt(PHONE, normalized),
            self.index.digest(PHONE, normalized),
            mask_mobile(normalized),
        )

    def staff_phone(self, normalized: str) -> Protected:
        """A staff account's phone: its own column name, so its index never meets members'."""
        return Protected(
            self.cipher.encrypt(STAFF_PHONE, normalized),
            self.index.digest(STAFF_PHONE, normalized),
            mask_mobile(normalized),
        )

    def staff_phone_index(self, normalized: str) -> bytes:
        return self.index.digest(STAFF_PHONE, normalized)

    def reveal_staff_phone(self, ciphertext: bytes) -> str:
        return self.cipher.decrypt(STAFF_PHONE, ciphertext)

    def id_number_index(self, normalized: str) -> bytes:
        return self.index.digest(ID_NUMBER, normalized)

    def phone_index(self, normalized: str) -> bytes:
        return self.index.digest(PHONE, normalized)

    def reveal_id_number(self, ciphertext: bytes) -> str:
        return self.cipher.decrypt(ID_NUMBER, ciphertext)

    def reveal_phone(self, ciphertext: bytes) -> str:
        return self.cipher.decrypt(PHONE, ciphertext)
