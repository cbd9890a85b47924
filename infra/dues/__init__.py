"""Dues adapters (党费). This package is the context's public module: other modules import
from here, never from its modules.

Use cases, one module each: `standards` (versions in force, publishing, the calculator).
"""

from infra.dues.clock import today
from infra.dues.standards import (
    Calculation,
    PublishedStandard,
    calculate,
    list_standards,
    publish_standard,
    standards_chain,
)

__all__ = [
    "Calculation",
    "PublishedStandard",
    "calculate",
    "list_standards",
    "publish_standard",
    "standards_chain",
    "today",
]
