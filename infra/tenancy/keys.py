"""The field keys tenancy needs, as a port: the composition root hands in the one protector.

Staff phones, TOTP secrets, recovery codes and lockout subjects are sealed or indexed with
the same keys as members' fields; tenancy names only what it uses, so it does not depend
on the members context where the protector lives.
"""

from __future__ import annotations

from typing import Protocol

from infra.crypto import BlindIndex, FieldCipher


class SealedPhone(Protocol):
    @property
    def ciphertext(self) -> bytes: ...

    @property
    def blind_index(self) -> bytes: ...

    @property
    def masked(self) -> str: ...


class FieldKeys(Protocol):
    @property
    def cipher(self) -> FieldCipher: ...

    @property
    def index(self) -> BlindIndex: ...

    def staff_phone(self, normalized: str) -> SealedPhone: ...

    def staff_phone_index(self, normalized: str) -> bytes: ...

    def reveal_staff_phone(self, ciphertext: bytes) -> str: ...
