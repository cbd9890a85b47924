"""HTTP endpoints of the points context: rules, ledgers, awards, star ratings."""

from api.points import awards, ledger, rules, stars

ROUTES = [*rules.ROUTES, *ledger.ROUTES, *awards.ROUTES, *stars.ROUTES]
__all__ = ["ROUTES"]
