"""HTTP endpoints of the points context: rules, ledgers, awards."""

from api.points import awards, ledger, rules

ROUTES = [*rules.ROUTES, *ledger.ROUTES, *awards.ROUTES]
__all__ = ["ROUTES"]
