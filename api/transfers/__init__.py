"""HTTP endpoints of the transfers context (组织关系转接): the workflow, the letter, the
directory of branches, the 流动党员活动证."""

from api.transfers import directory, letters, mobile, transfers

ROUTES = [*transfers.ROUTES, *letters.ROUTES, *directory.ROUTES, *mobile.ROUTES]
__all__ = ["ROUTES"]
