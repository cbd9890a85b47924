"""HTTP endpoints of evidence (佐证材料): upload slots, confirmation, listing, downloads."""

from api.evidence.controllers import ROUTES

__all__ = ["ROUTES"]
