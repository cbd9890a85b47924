from datetime import date

import pytest

from domain.members import AgeBand, age_band, age_on

TODAY = date(2025, 7, 1)


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (date(1994, 7, 2), AgeBand.UP_TO_30),  # 30 until tomorrow
        (date(1994, 7, 1), AgeBand.FROM_31_TO_35),  # 31 today
        (date(1989, 7, 2), AgeBand.FROM_31_TO_35),
        (date(1989, 7, 1), AgeBand.FROM_36_TO_40),
        (date(1980, 1, 1), AgeBand.FROM_41_TO_45),
        (date(1975, 1, 1), AgeBand.FROM_46_TO_50),
        (date(1970, 1, 1), AgeBand.FROM_51_TO_55),
        (date(1964, 7, 2), AgeBand.FROM_56_TO_60),
        (date(1964, 7, 1), AgeBand.OVER_60),
        (date(1921, 7, 1), AgeBand.OVER_60),
    ],
)
def test_age_bands_follow_the_statistics_bulletin(birth, band):
    assert age_band(birth, today=TODAY) is band


def test_age_counts_completed_years():
    assert age_on(date(2000, 2, 29), today=date(2025, 2, 28)) == 24
    assert age_on(date(2000, 2, 29), today=date(2025, 3, 1)) == 25


def test_bands_have_bulletin_labels():
    assert [band.label for band in AgeBand][:2] == ["30岁及以下", "31至35岁"]
    assert AgeBand.OVER_60.label == "61岁及以上"
