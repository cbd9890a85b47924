"""One catalogue of user-facing sentences, kept per context and checked as a whole.

Each context lists its sentences once, by code, in its own `messages.py`; code raises
errors by code and never writes a sentence inline, so wording is reviewed, translated
and changed in one place. Codes are unique across every context's catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from domain.shared.errors import DomainError, ErrorKind, FieldError, Message

_ALL: dict[str, tuple[str, Message]] = {}


class Catalogue:
    """One context's sentences by code; templates take `{name}` placeholders."""

    def __init__(self, context: str, entries: Mapping[str, Message]) -> None:
        for code, message in entries.items():
            owner = _ALL.get(code)
            if owner is not None and owner[0] != context:
                raise ValueError(f"message code {code!r} is in both {owner[0]} and {context}")
            _ALL[code] = (context, message)
        self.context = context
        self._entries = dict(entries)

    def message(self, key: str, /, **params: object) -> Message:
        found = self._entries[key]
        if not params:
            return found
        return Message(found.zh.format(**params), found.en.format(**params))

    def error(
        self,
        key: str,
        kind: ErrorKind = ErrorKind.INVALID,
        /,
        *,
        code: str | None = None,
        errors: Iterable[FieldError] = (),
        retry_after: int | None = None,
        **params: object,
    ) -> DomainError:
        """The error `key` names; `code` when the stable code differs from the key."""
        return DomainError(
            code or key,
            self.message(key, **params),
            kind=kind,
            errors=list(errors),
            retry_after=retry_after,
        )

    def field(
        self, field: str, key: str, /, *, code: str | None = None, **params: object
    ) -> FieldError:
        return FieldError(field, code or key, self.message(key, **params))


def every_message() -> Mapping[str, tuple[str, Message]]:
    """Every registered code with its context and sentence (tests read the whole)."""
    return MappingProxyType(_ALL)
