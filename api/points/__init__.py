"""HTTP endpoints of the points context: rules, ledgers, awards, star ratings."""

from api.points import awards, ledger, rules, star_schemes, stars

ROUTES = [*rules.ROUTES, *ledger.ROUTES, *awards.ROUTES, *stars.ROUTES, *star_schemes.ROUTES]
__all__ = ["ROUTES"]
