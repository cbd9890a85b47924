"""HTTP endpoints of evidence (佐证材料): upload slots, confirmation, listing, downloads."""

from api.evidence import reading, removal, uploads

ROUTES = [*uploads.ROUTES, *reading.ROUTES, *removal.ROUTES]

__all__ = ["ROUTES"]
