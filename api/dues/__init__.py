"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills, payments and their callbacks, receipts, reconciliation."""

from api.dues import bases, bills, payments, receipts, reconciliations, reliefs, standards

ROUTES = [
    *standards.ROUTES,
    *bases.ROUTES,
    *reliefs.ROUTES,
    *bills.ROUTES,
    *payments.ROUTES,
    *receipts.ROUTES,
    *reconciliations.ROUTES,
]
__all__ = ["ROUTES"]
