"""Staff accounts (工作人员账号): the shape of their login identifiers."""

from __future__ import annotations

import re

from domain.shared.errors import FieldError
from domain.tenancy.messages import MESSAGES

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{2,39}")
_PHONE = re.compile(r"1[3-9][0-9]{9}")


def check_account_fields(username: str | None, phone: str | None) -> None:
    """A staff account's login identifiers: a username people can type, a mainland mobile."""
    errors: list[FieldError] = []
    if username is not None and not _USERNAME.fullmatch(username):
        errors.append(MESSAGES.field("username", "username_format"))
    if phone is not None and not _PHONE.fullmatch(phone):
        errors.append(MESSAGES.field("phone", "phone_format"))
    if errors:
        raise MESSAGES.error("user_invalid", code="validation_failed", errors=errors)
