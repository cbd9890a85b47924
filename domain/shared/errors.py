"""Errors the domain raises; the API layer turns them into RFC 9457 problems.

Every error carries a stable machine `code` and a message in both zh-CN and en, so the
HTTP layer only picks a language and never invents wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(eq=False)
class DomainError(Exception):
    """A business rule refused the request.

    `status` is a hint for the HTTP layer (422 for invalid input, 409 for conflicts,
    404 for things that do not exist for this caller).
    """

    code: str
    message: Message
    status: int = 422
    errors: list[FieldError] = field(default_factory=list)
    retry_after: int | None = None
    """Seconds after which asking again may succeed (a 429 says it in `Retry-After`)."""

    def __post_init__(self) -> None:
        Exception.__init__(self, self.code)
