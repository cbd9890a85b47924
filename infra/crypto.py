"""Field encryption for sensitive personal data (身份证号, phone) and blind indexes for lookup.

Ciphertext layout (all lengths in bytes):

    version (1, = 0x01) | key-id length n (1) | key id (n, ASCII) | nonce (12) | AES-GCM ct+tag

The associated data is the whole header (version, key id) plus the column name, so a
ciphertext moved to another column, or relabelled with another key id, fails to decrypt.
Keys are handed in by the caller (settings), never read from the environment here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_KEY_ID_BYTES = 32
_AD_PREFIX = b"zhibu.field.v1\x00"
_INDEX_PREFIX = b"zhibu.blind-index.v1\x00"


class CryptoError(Exception):
    """A key is malformed, or a ciphertext cannot be read with the keys we hold."""


def decode_key(encoded: str) -> bytes:
    """A 32-byte key from its base64 form (standard or URL-safe alphabet)."""
    try:
        key = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise CryptoError(f"key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def generate_key() -> str:
    """A fresh random key in base64, for operators setting up or rotating keys."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _check_key_id(key_id: str) -> bytes:
    if not key_id.isascii() or not 1 <= len(key_id) <= MAX_KEY_ID_BYTES:
        raise CryptoError(f"key id must be 1 to {MAX_KEY_ID_BYTES} ASCII characters")
    return key_id.encode("ascii")


class FieldCipher:
    """AES-256-GCM over one column value, with a key ring for rotation.

    New ciphertexts use `current_key_id`; older ones still decrypt with the key named in
    their header until `needs_rotation` says they have been rewritten.
    """

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise CryptoError(f"current key id {current_key_id!r} is not in the key ring")
        self._keys: dict[str, AESGCM] = {}
        for key_id, key in keys.items():
            _check_key_id(key_id)
            if len(key) != KEY_BYTES:
                raise CryptoError(f"key {key_id!r} must be {KEY_BYTES} bytes")
            self._keys[key_id] = AESGCM(key)
        self.current_key_id = current_key_id
        # (header, associated data) per (key id, column): encrypting is hot in bulk imports,
        # and both are the same for every value of a column
        self._sealing: dict[tuple[str, str], tuple[bytes, bytes]] = {}

    @classmethod
    def from_base64(cls, keys: Mapping[str, str], current_key_id: str) -> FieldCipher:
        return cls({key_id: decode_key(key) for key_id, key in keys.items()}, current_key_id)

    def encrypt(self, column: str, plaintext: str) -> bytes:
        current = self.current_key_id
        sealing = self._sealing.get((current, column))
        if sealing is None:
            key_id = _check_key_id(current)
            header = bytes([VERSION, len(key_id)]) + key_id
            sealing = self._sealing[current, column] = (header, _associated_data(header, column))
        header, associated = sealing
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[current].encrypt(nonce, plaintext.encode("utf-8"), associated)
        return header + nonce + sealed

    def decrypt(self, column: str, ciphertext: bytes) -> str:
        header, key_id, nonce, sealed = _split(ciphertext)
        aead = self._keys.get(key_id)
        if aead is None:
            raise CryptoError(f"no key with id {key_id!r} in the key ring")
        try:
            plaintext = aead.decrypt(nonce, sealed, _associated_data(header, column))
        except InvalidTag:
            raise CryptoError("ciphertext was altered or belongs to another column") from None
        return plaintext.decode("utf-8")

    def needs_rotation(self, ciphertext: bytes) -> bool:
        """True when the value was written with a key other than the current one."""
        return key_id_of(ciphertext) != self.current_key_id

    def rotate(self, column: str, ciphertext: bytes) -> bytes:
        """Re-encrypt with the current key (a no-op copy when it already uses it)."""
        if not self.needs_rotation(ciphertext):
            return ciphertext
        return self.encrypt(column, self.decrypt(column, ciphertext))


def key_id_of(ciphertext: bytes) -> str:
    """The id of the key a ciphertext was written with."""
    return _split(ciphertext)[1]


def _associated_data(header: bytes, column: str) -> bytes:
    return _AD_PREFIX + header + column.encode("utf-8")


def _split(ciphertext: bytes) -> tuple[bytes, str, bytes, bytes]:
    if len(ciphertext) < 2 or ciphertext[0] != VERSION:
        raise CryptoError("unknown ciphertext version")
    key_id_end = 2 + ciphertext[1]
    nonce_end = key_id_end + NONCE_BYTES
    if ciphertext[1] == 0 or len(ciphertext) < nonce_end + TAG_BYTES:
        raise CryptoError("ciphertext is truncated")
    try:
        key_id = ciphertext[2:key_id_end].decode("ascii")
    except UnicodeDecodeError:
        raise CryptoError("ciphertext key id is not ASCII") from None
    return (
        ciphertext[:key_id_end],
        key_id,
        ciphertext[key_id_end:nonce_end],
        ciphertext[nonce_end:],
    )


class BlindIndex:
    """HMAC-SHA256 of a normalised value, for exact lookups without decrypting.

    The key is separate from the encryption keys; the column name is mixed in so equal
    values in different columns do not share an index. Callers pass the domain's
    canonical form (`normalize_id_number`, `normalize_mobile`), or equal values will not
    meet.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise CryptoError(f"blind-index key must be {KEY_BYTES} bytes")
        self._key = key
        # HMAC state after the per-column prefix, copied for each value
        self._prefixed: dict[str, hmac.HMAC] = {}

    @classmethod
    def from_base64(cls, key: str) -> BlindIndex:
        return cls(decode_key(key))

    def digest(self, column: str, normalized_value: str) -> bytes:
        prefixed = self._prefixed.get(column)
        if prefixed is None:
            prefix = _INDEX_PREFIX + column.encode("utf-8") + b"\x00"
            prefixed = self._prefixed[column] = hmac.new(self._key, prefix, hashlib.sha256)
        mac = prefixed.copy()
        mac.update(normalized_value.encode())
        return mac.digest()
