"""Dues adapters (党费). This package is the context's public module: other modules import
from here, never from its modules.

Use cases, one module each: `standards` (versions in force, publishing, the calculator),
`bases` (dues bases, maker–checker), `reliefs` (reductions and exemptions approved by the
next level); `seats` says where a member sits, `visibility` what a caller's lists show.
"""

from infra.dues.bases import Declaration, decide_base, declare_base, list_bases
from infra.dues.clock import today
from infra.dues.reliefs import Proposal, decide_relief, list_reliefs, propose_relief
from infra.dues.standards import (
    Calculation,
    PublishedStandard,
    calculate,
    list_standards,
    publish_standard,
    standards_chain,
)
from infra.dues.tables import DuesBaseRow, DuesReliefRow

__all__ = [
    "Calculation",
    "Declaration",
    "DuesBaseRow",
    "DuesReliefRow",
    "Proposal",
    "PublishedStandard",
    "calculate",
    "decide_base",
    "decide_relief",
    "declare_base",
    "list_bases",
    "list_reliefs",
    "list_standards",
    "propose_relief",
    "publish_standard",
    "standards_chain",
    "today",
]
