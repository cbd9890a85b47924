"""Building blocks every bounded context shares: errors, identifiers, clocks."""

from domain.shared.errors import DomainError, FieldError, Message
from domain.shared.ids import new_id
from domain.shared.times import DISPLAY_ZONE, display_time

__all__ = ["DISPLAY_ZONE", "DomainError", "FieldError", "Message", "display_time", "new_id"]
