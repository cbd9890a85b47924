"""Building blocks every bounded context shares: errors, identifiers, clocks."""

from domain.shared.errors import DomainError, FieldError, Message
from domain.shared.formulas import neutralise_formula, restore_formula
from domain.shared.ids import new_id
from domain.shared.times import DISPLAY_ZONE, display_time

__all__ = [
    "DISPLAY_ZONE",
    "DomainError",
    "FieldError",
    "Message",
    "display_time",
    "neutralise_formula",
    "new_id",
    "restore_formula",
]
