"""Errors the domain raises; the API layer turns them into RFC 9457 problems.

Every error carries a stable machine `code`, a message in both zh-CN and en, and the kind
of refusal it is. Only the HTTP layer knows statuses: it maps each kind to one, so the
rules never speak HTTP and the HTTP layer never invents wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Message:
    """A user-facing sentence in Chinese (default) and English."""

    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True, slots=True)
class FieldError:
    """Why one input field was refused."""

    field: str
    code: str
    message: Message


class ErrorKind(StrEnum):
    """What sort of refusal an error is; the API maps each kind to one status."""

    INVALID = "invalid"  # the input breaks a rule
    MALFORMED = "malformed"  # the input cannot be read at all
    CONFLICT = "conflict"  # the input clashes with the current state
    NOT_FOUND = "not_found"  # nothing such exists for this caller
    FORBIDDEN = "forbidden"  # the caller may not do this
    UNAUTHENTICATED = "unauthenticated"  # who calls is not established
    LIMITED = "limited"  # too many attempts for now
    TOO_LARGE = "too_large"  # more than the service takes at once
    UNAVAILABLE = "unavailable"  # the service cannot do it right now


@dataclass(eq=False)
class DomainError(Exception):
    """A business rule refused the request."""

    code: str
    message: Message
    kind: ErrorKind = ErrorKind.INVALID
    errors: list[FieldError] = field(default_factory=list)
    retry_after: int | None = None
    """Seconds after which asking again may succeed (a 429 says it in `Retry-After`)."""
    extra: dict[str, object] = field(default_factory=dict)
    """Machine-readable members the problem carries besides `errors` (a refused step's
    `rule` and `possible_from`)."""

    def __post_init__(self) -> None:
        Exception.__init__(self, self.code)
