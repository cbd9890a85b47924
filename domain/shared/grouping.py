"""Grouping a batch by a key: the relay hands handlers a tenant's events at once, the
webhook dispatcher records attempts per tenant and scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

_T = TypeVar("_T")
_K = TypeVar("_K")


def grouped(items: Iterable[_T], key: Callable[[_T], _K]) -> dict[_K, list[_T]]:
    """`items` by `key`, each group in the items' order."""
    groups: dict[_K, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
