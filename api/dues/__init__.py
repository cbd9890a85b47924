"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills, payments and their callbacks, receipts, reconciliation, arrears and
voluntary payments, the monthly close and summaries."""

from api.dues import (
    arrears,
    bases,
    bills,
    close,
    payments,
    receipts,
    reconciliations,
    reliefs,
    standards,
    summary,
)

ROUTES = [
    *standards.ROUTES,
    *bases.ROUTES,
    *reliefs.ROUTES,
    *bills.ROUTES,
    *payments.ROUTES,
    *receipts.ROUTES,
    *reconciliations.ROUTES,
    *arrears.ROUTES,
    *close.ROUTES,
    *summary.ROUTES,
]
__all__ = ["ROUTES"]
