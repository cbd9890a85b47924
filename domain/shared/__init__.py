"""Building blocks every bounded context shares: errors, identifiers, clocks."""

from domain.shared.errors import DomainError, FieldError, Message
from domain.shared.ids import new_id

__all__ = ["DomainError", "FieldError", "Message", "new_id"]
