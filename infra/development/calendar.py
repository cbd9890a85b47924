"""Working days (工作日) for public-notice periods: the State Council's holiday table.

`chinese-calendar` knows statutory holidays and the weekend days worked in exchange (调休)
for the years it has data for; outside them a working day is Monday to Friday (the domain's
fallback), so a notice is never refused for want of a table.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar

from domain.development import weekday_working_day


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return weekday_working_day(day)
