"""Staff accounts (工作人员账号): the shape of their login identifiers."""

from __future__ import annotations

import re

from domain.shared.errors import DomainError, FieldError, Message

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{2,39}")
_PHONE = re.compile(r"1[3-9][0-9]{9}")


def check_account_fields(username: str | None, phone: str | None) -> None:
    """A staff account's login identifiers: a username people can type, a mainland mobile."""
    errors: list[FieldError] = []
    if username is not None and not _USERNAME.fullmatch(username):
        errors.append(
            FieldError(
                "username",
                "username_format",
                Message(
                    "用户名须为3至40位字母、数字、点、横线或下划线，以字母开头。",
                    "3-40 letters, digits, dot, dash or underscore, starting with a letter.",
                ),
            )
        )
    if phone is not None and not _PHONE.fullmatch(phone):
        errors.append(
            FieldError(
                "phone",
                "phone_format",
                Message(
                    "手机号应为11位中国大陆手机号码。", "Use an 11-digit mainland mobile number."
                ),
            )
        )
    if errors:
        raise DomainError(
            "validation_failed", Message("用户信息有误。", "Invalid user."), errors=errors
        )
