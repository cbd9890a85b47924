"""Evidence (佐证材料): upload slots, verification of stored objects, downloads.

What the rest of the app may use is re-exported here: the storage it opens at start and
the housekeeping it schedules.
"""

from infra.evidence.schedules import register_schedules
from infra.evidence.storage import open_storage

__all__ = ["open_storage", "register_schedules"]
