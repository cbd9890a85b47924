"""The shared kernel every bounded context uses: errors and their wording, the caller's
guard, cursors, identifiers, clocks."""

from domain.shared.access import Guard, conflict, not_found, require_scopes
from domain.shared.catalogue import Catalogue
from domain.shared.cursor import decode_cursor, encode_cursor, invalid_cursor
from domain.shared.errors import DomainError, ErrorKind, FieldError, Message
from domain.shared.formulas import neutralise_formula, restore_formula
from domain.shared.grouping import grouped
from domain.shared.ids import new_id
from domain.shared.times import DISPLAY_ZONE, display_time

__all__ = [
    "DISPLAY_ZONE",
    "Catalogue",
    "DomainError",
    "ErrorKind",
    "FieldError",
    "Guard",
    "Message",
    "conflict",
    "decode_cursor",
    "display_time",
    "encode_cursor",
    "grouped",
    "invalid_cursor",
    "neutralise_formula",
    "new_id",
    "not_found",
    "require_scopes",
    "restore_formula",
]
