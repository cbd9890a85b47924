"""HTTP endpoints of the transfers context (组织关系转接): the workflow, the letter, the
directory of branches."""

from api.transfers import directory, letters, transfers

ROUTES = [*transfers.ROUTES, *letters.ROUTES, *directory.ROUTES]
__all__ = ["ROUTES"]
