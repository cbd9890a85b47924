"""Masked copies of sensitive numbers, so that lists never show them whole.

Shared: the field protector stores a masked copy beside every sealed value, whichever
context owns the column (members' 身份证号 and phone, staff accounts' phone).
"""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    """Show the area code and the last four characters only: 110105********002X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(number: str) -> str:
    """Show the carrier prefix and the last four digits only: 138****1234."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
