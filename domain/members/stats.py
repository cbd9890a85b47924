"""Age bands (年龄结构) for member statistics.

The bands are those of the 中国共产党党内统计公报 (the annual statistics the 中组部
publishes since about 2017): 30 and under, 31–35, 36–40, 41–45, 46–50, 51–55, 56–60,
61 and over. They nest into the older, coarser grouping (35 and under, 36–45, 46–60,
61 and over) and into the "35 and under" youth figure, so a report asking for either is
a sum of these bands, never a recount.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from domain.members.model import completed_years


class AgeBand(StrEnum):
    """One 公报 age band; `max_age` is the oldest age inside it (None: no limit)."""

    max_age: int | None
    label: str

    def __new__(cls, value: str, max_age: int | None, label: str) -> Self:
        band = str.__new__(cls, value)
        band._value_ = value
        band.max_age = max_age
        band.label = label
        return band

    UP_TO_30 = "up_to_30", 30, "30岁及以下"
    FROM_31_TO_35 = "31_35", 35, "31至35岁"
    FROM_36_TO_40 = "36_40", 40, "36至40岁"
    FROM_41_TO_45 = "41_45", 45, "41至45岁"
    FROM_46_TO_50 = "46_50", 50, "46至50岁"
    FROM_51_TO_55 = "51_55", 55, "51至55岁"
    FROM_56_TO_60 = "56_60", 60, "56至60岁"
    OVER_60 = "over_60", None, "61岁及以上"


def age_on(birth_date: date, *, today: date) -> int:
    """Age in completed years (周岁)."""
    return completed_years(birth_date, today)


def age_band(birth_date: date, *, today: date) -> AgeBand:
    """The 公报 band a member born on `birth_date` falls in on `today`."""
    age = age_on(birth_date, today=today)
    for band in AgeBand:
        if band.max_age is not None and age <= band.max_age:
            return band
    return AgeBand.OVER_60
