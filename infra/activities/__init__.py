"""Activities adapters: tables and use cases for 三会一课 and other activities, check-in, leave.

What other contexts may use: who the caller is and whether they may see an activity.
"""

from infra.activities.visibility import Caller, load_access

__all__ = ["Caller", "load_access"]
