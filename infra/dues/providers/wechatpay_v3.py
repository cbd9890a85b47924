"""The WeChat Pay API v3 notification format, for the sandbox and a future WeChat adapter.

A notification's headers carry the platform certificate's serial, a timestamp, a nonce
and an RSA-SHA256 (PKCS#1 v1.5) signature, base64, over `timestamp\\nnonce\\nbody\\n`; the
body's `resource` is AEAD_AES_256_GCM ciphertext under the merchant's API v3 key with its
nonce and associated data. The signature covers the whole body, the encrypted amount
included, so no field can be changed without the platform's private key.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.dues import MESSAGES, Notification, TradeState, Transaction
from domain.shared import ErrorKind

SERIAL = "Wechatpay-Serial"
TIMESTAMP = "Wechatpay-Timestamp"
NONCE = "Wechatpay-Nonce"
SIGNATURE = "Wechatpay-Signature"
ALGORITHM = "AEAD_AES_256_GCM"
MAX_SKEW_SECONDS = 300
"""A notification older or newer than this is refused: a replay, or a wrong clock."""


def signing_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(key: rsa.RSAPrivateKey, timestamp: str, nonce: str, body: bytes) -> str:
    signature = key.sign(
        signing_message(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode()


def signature_holds(
    key: rsa.RSAPublicKey, timestamp: str, nonce: str, body: bytes, signature: str
) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(
            raw, signing_message(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def encrypt_resource(api_v3_key: bytes, plaintext: bytes, associated_data: str) -> dict[str, str]:
    nonce = secrets.token_urlsafe(9)[:12]
    ciphertext = AESGCM(api_v3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return {
        "algorithm": ALGORITHM,
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def decrypt_resource(api_v3_key: bytes, resource: Mapping[str, Any]) -> bytes:
    try:
        if resource["algorithm"] != ALGORITHM:
            raise ValueError(resource["algorithm"])
        return AESGCM(api_v3_key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(resource["ciphertext"], validate=True),
            str(resource.get("associated_data", "")).encode(),
        )
    except (InvalidTag, KeyError, TypeError, ValueError):
        raise _refused("payment_resource_invalid") from None


def _refused(key: str) -> Exception:
    return MESSAGES.error(key, ErrorKind.FORBIDDEN)


@dataclass(frozen=True, slots=True)
class Verifier:
    """Checks notifications signed by the platform keys it knows, by serial."""

    platform_keys: Mapping[str, rsa.RSAPublicKey]
    api_v3_key: bytes

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        lowered = {k.lower(): v for k, v in headers.items()}
        serial = lowered.get(SERIAL.lower(), "")
        timestamp = lowered.get(TIMESTAMP.lower(), "")
        nonce = lowered.get(NONCE.lower(), "")
        signature = lowered.get(SIGNATURE.lower(), "")
        key = self.platform_keys.get(serial)
        if key is None:
            raise _refused("payment_serial_unknown")
        if not signature_holds(key, timestamp, nonce, body, signature):
            raise _refused("payment_signature_invalid")
        if not timestamp.isdigit() or abs(int(now.timestamp()) - int(timestamp)) > MAX_SKEW_SECONDS:
            raise _refused("payment_callback_stale")
        return _notification(body, self.api_v3_key)


def _notification(body: bytes, api_v3_key: bytes) -> Notification:
    try:
        envelope = json.loads(body)
        plain = json.loads(decrypt_resource(api_v3_key, envelope["resource"]))
        amount = plain["amount"]
        success = plain.get("success_time")
        transaction = Transaction(
            out_trade_no=str(plain["out_trade_no"]),
            transaction_id=plain.get("transaction_id"),
            trade_state=TradeState(plain["trade_state"]),
            amount_fen=_whole(amount["total"]),
            currency=str(amount["currency"]),
            success_time=datetime.fromisoformat(success) if success else None,
            attach=str(plain.get("attach") or ""),
        )
        return Notification(str(envelope["id"]), str(envelope["event_type"]), transaction)
    except (KeyError, TypeError, ValueError):
        raise _refused("payment_resource_invalid") from None


def _whole(value: object) -> int:
    if type(value) is not int:
        raise ValueError(value)
    return value
