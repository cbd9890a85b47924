"""Star ratings (星级评定): one engine for members and branches.

A scheme grades scores into 1–5 stars either by thresholds (a score at or above a band's
minimum earns its stars) or by target shares (about 10 % five stars, 30 % four …, in
score order). The tie rule, the same for both: equal scores always get equal stars and
share a rank ("1224" competition ranking); where a share boundary cuts through a group
of equal scores, the whole group takes the higher band, so a share may be exceeded but a
tie is never split. Subjects of equal score are listed by their id, which decides
nothing. A five-star band may require an indicator (a branch's innovation project).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from domain.points.messages import MESSAGES
from domain.shared.errors import ErrorKind, FieldError


class StarMethod(StrEnum):
    THRESHOLDS = "thresholds"
    SHARES = "shares"


class Subject(StrEnum):
    MEMBER = "member"  # 星级党员
    BRANCH = "branch"  # 星级党支部


@dataclass(frozen=True, slots=True)
class Band:
    """What earns `stars` (2–5; below every band is one star): a minimum score, or a
    share in percent of those rated."""

    stars: int
    min_score: float | None = None
    share: float | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A branch indicator and its weight; `manual` ones are scored by the next level up,
    the others are measured from records (a value from 0 to 1, times the weight)."""

    code: str
    weight: float
    manual: bool = False


@dataclass(frozen=True, slots=True)
class StarScheme:
    method: StarMethod
    bands: tuple[Band, ...]
    notice_days: int = 5
    five_star_requires: str | None = None
    indicators: tuple[Indicator, ...] = ()
    excluded_classes: tuple[str, ...] = ()
    """Member classes not rated at all (the tenant's own, e.g. 特殊); members the point
    rules exclude (aged 70+, long ill) and members no longer active are never rated."""


MEMBER_DEFAULT = StarScheme(
    StarMethod.SHARES,
    (Band(5, share=10), Band(4, share=30), Band(3, share=40), Band(2, share=15)),
)
"""About 10 % five stars, 30 % four, 40 % three, 15 % two, the rest one (domain-rules §6)."""

BRANCH_DEFAULT = StarScheme(
    StarMethod.THRESHOLDS,
    (Band(5, min_score=90), Band(4, min_score=80), Band(3, min_score=70), Band(2, min_score=60)),
    five_star_requires="innovation",
    indicators=(
        Indicator("meeting_compliance", 40),
        Indicator("attendance_rate", 30),
        Indicator("evidence_completeness", 20),
        Indicator("innovation", 10, manual=True),
        Indicator("conduct", 10, manual=True),
    ),
)
"""The 110-point example of domain-rules §6: ≥ 90 with an innovation project five stars,
80–90 four, 70–80 three, 60–70 two, below 60 one."""


def scheme_to_json(scheme: StarScheme) -> dict[str, Any]:
    return {
        "method": scheme.method.value,
        "bands": [
            {"stars": b.stars, "min_score": b.min_score, "share": b.share} for b in scheme.bands
        ],
        "notice_days": scheme.notice_days,
        "five_star_requires": scheme.five_star_requires,
        "indicators": [
            {"code": i.code, "weight": i.weight, "manual": i.manual} for i in scheme.indicators
        ],
        "excluded_classes": list(scheme.excluded_classes),
    }


def scheme_of_json(data: Mapping[str, Any]) -> StarScheme:
    return StarScheme(
        method=StarMethod(data["method"]),
        bands=tuple(Band(b["stars"], b.get("min_score"), b.get("share")) for b in data["bands"]),
        notice_days=data.get("notice_days", 5),
        five_star_requires=data.get("five_star_requires"),
        indicators=tuple(
            Indicator(i["code"], i["weight"], i.get("manual", False))
            for i in data.get("indicators", ())
        ),
        excluded_classes=tuple(data.get("excluded_classes", ())),
    )


def validate_scheme(
    scheme: StarScheme, subject: Subject, *, measurable: Collection[str]
) -> StarScheme:
    """The scheme, or every field error at once; `measurable` are the registered
    indicators a branch scheme may weigh."""
    errors: list[FieldError] = []
    stars = [b.stars for b in scheme.bands]
    if len(set(stars)) != len(stars):
        errors.append(MESSAGES.field("scheme.bands", "star_band_repeated"))
    for i, band in enumerate(scheme.bands):
        if scheme.method is StarMethod.THRESHOLDS and band.min_score is None:
            errors.append(MESSAGES.field(f"scheme.bands[{i}].min_score", "star_band_min_missing"))
        if scheme.method is StarMethod.SHARES and band.share is None:
            errors.append(MESSAGES.field(f"scheme.bands[{i}].share", "star_band_share_missing"))
    if scheme.method is StarMethod.SHARES and sum(b.share or 0 for b in scheme.bands) > 100:
        errors.append(MESSAGES.field("scheme.bands", "star_shares_over_100"))
    ordered = sorted(scheme.bands, key=lambda b: -b.stars)
    minima = [b.min_score for b in ordered if b.min_score is not None]
    if scheme.method is StarMethod.THRESHOLDS and minima != sorted(minima, reverse=True):
        errors.append(MESSAGES.field("scheme.bands", "star_thresholds_not_descending"))
    codes = [i.code for i in scheme.indicators]
    if subject is Subject.MEMBER and scheme.indicators:
        errors.append(MESSAGES.field("scheme.indicators", "star_indicators_for_members"))
    if subject is Subject.BRANCH and scheme.excluded_classes:
        errors.append(
            MESSAGES.field("scheme.excluded_classes", "star_excluded_classes_for_branches")
        )
    for i, ind in enumerate(scheme.indicators):
        if codes.index(ind.code) != i:
            errors.append(MESSAGES.field(f"scheme.indicators[{i}].code", "star_indicator_repeated"))
        elif not ind.manual and ind.code not in measurable:
            errors.append(
                MESSAGES.field(
                    f"scheme.indicators[{i}].code", "star_indicator_unknown", indicator=ind.code
                )
            )
    if scheme.five_star_requires and scheme.five_star_requires not in codes:
        errors.append(MESSAGES.field("scheme.five_star_requires", "star_requirement_unknown"))
    if errors:
        raise MESSAGES.error("star_scheme_invalid", errors=errors)
    return scheme


class Scored(NamedTuple):
    """A subject's score (tuples: a run grades half a million of them)."""

    subject_id: uuid.UUID
    score: float
    meets_requirement: bool = True


class Graded(NamedTuple):
    subject_id: uuid.UUID
    score: float
    stars: int
    rank: int


def grade(scheme: StarScheme, scored: Sequence[Scored]) -> list[Graded]:
    """Stars and ranks for every subject, best first (see the module's tie rule)."""
    order = sorted(scored, key=lambda s: (-s.score, s.subject_id.int))
    ranks: list[int] = []
    previous, rank = None, 0
    for i, s in enumerate(order, start=1):
        if s.score != previous:
            previous, rank = s.score, i
        ranks.append(rank)
    if scheme.method is StarMethod.THRESHOLDS:
        stars = [_by_threshold(scheme.bands, s.score) for s in order]
    else:
        stars = _by_share(scheme.bands, len(order), ranks)
    if scheme.five_star_requires:
        stars = [
            4 if n == 5 and not s.meets_requirement else n
            for s, n in zip(order, stars, strict=True)
        ]
    return [
        Graded(s.subject_id, s.score, n, r) for s, n, r in zip(order, stars, ranks, strict=True)
    ]


class ScoreGroup(NamedTuple):
    """Subjects sharing a score (and whether they meet the five-star requirement): what a
    run over half a million members grades, a few hundred groups instead of them all."""

    score: float
    meets_requirement: bool
    subjects: int


def grade_groups(
    scheme: StarScheme, groups: Sequence[ScoreGroup]
) -> dict[tuple[float, bool], tuple[int, int]]:
    """(score, meets) → (stars, rank): the same as `grade` gives each of the subjects
    the groups stand for, since the tie rule never looks past a subject's score (and
    the requirement only takes a fifth star away)."""
    by_score: dict[float, int] = {}
    for g in groups:
        by_score[g.score] = by_score.get(g.score, 0) + g.subjects
    scores = sorted(by_score, reverse=True)
    total = sum(by_score.values())
    starts, position = [], 0
    for score in scores:
        starts.append(position)
        position += by_score[score]
    if scheme.method is StarMethod.THRESHOLDS:
        stars = [_by_threshold(scheme.bands, score) for score in scores]
    else:
        stars = _share_of_groups(scheme.bands, total, starts)
    index = {score: i for i, score in enumerate(scores)}
    graded: dict[tuple[float, bool], tuple[int, int]] = {}
    for g in groups:
        i = index[g.score]
        n = stars[i]
        if scheme.five_star_requires and n == 5 and not g.meets_requirement:
            n = 4
        graded[(g.score, g.meets_requirement)] = (n, starts[i] + 1)
    return graded


def _share_of_groups(bands: Sequence[Band], total: int, starts: Sequence[int]) -> list[int]:
    """`_by_share` over groups of equal score starting at `starts`: a band's edge that
    falls inside a group moves to the group's end."""
    stars = [1] * len(starts)
    placed = 0
    for band in sorted(bands, key=lambda b: -b.stars):
        until = min(total, placed + int(total * (band.share or 0) / 100))
        for i, start in enumerate(starts):
            if placed <= start < until:
                stars[i] = band.stars
                end = starts[i + 1] if i + 1 < len(starts) else total
                until = max(until, end)
        placed = max(placed, until)
    return stars


def _by_threshold(bands: Sequence[Band], score: float) -> int:
    earned = [b.stars for b in bands if b.min_score is not None and score >= b.min_score]
    return max(earned, default=1)


def _by_share(bands: Sequence[Band], total: int, ranks: Sequence[int]) -> list[int]:
    """From five stars down, each band takes the next `n × share` places (floor), extended
    over the rest of a tie at its edge."""
    stars = [1] * total
    placed = 0
    for band in sorted(bands, key=lambda b: -b.stars):
        until = min(total, placed + int(total * (band.share or 0) / 100))
        while 0 < until < total and ranks[until] == ranks[until - 1]:
            until += 1
        for i in range(placed, until):
            stars[i] = band.stars
        placed = max(placed, until)
    return stars


def weighted_score(
    indicators: Sequence[Indicator],
    measured: Mapping[str, float],
    manual: Mapping[str, float],
) -> tuple[float, dict[str, dict[str, float]]]:
    """A branch's score and its breakdown: a measured value (0–1) times its weight, a
    manual score as given, capped at its weight; a missing one counts nothing."""
    breakdown: dict[str, dict[str, float]] = {}
    for ind in indicators:
        if ind.manual:
            value = min(max(manual.get(ind.code, 0.0), 0.0), ind.weight)
            breakdown[ind.code] = {"weight": ind.weight, "points": round(value, 2)}
        else:
            share = min(max(measured.get(ind.code, 0.0), 0.0), 1.0)
            breakdown[ind.code] = {
                "weight": ind.weight,
                "value": round(share, 4),
                "points": round(share * ind.weight, 2),
            }
    return round(sum(b["points"] for b in breakdown.values()), 2), breakdown


class RatingStatus(StrEnum):
    SCHEDULED = "scheduled"  # the notice has not begun: the member does not see it yet
    DRAFT = "draft"  # in the notice period (公示期): open to appeal
    APPEALED = "appealed"  # an appeal awaits the branch's decision
    STANDING = "standing"  # the notice ran out with no appeal open


def rating_status(
    *, published_at: datetime, stands_at: datetime, appeal_open: bool, now: datetime
) -> RatingStatus:
    if now < published_at:
        return RatingStatus.SCHEDULED
    if appeal_open:
        return RatingStatus.APPEALED
    return RatingStatus.DRAFT if now < stands_at else RatingStatus.STANDING


def check_appeal(*, status: RatingStatus, own: bool, appealed_before: bool, reason: str) -> None:
    """A member appeals their own rating once, during the notice period, with a reason."""
    if not own:
        raise MESSAGES.error("star_appeal_not_own", ErrorKind.FORBIDDEN)
    if status is RatingStatus.SCHEDULED:
        raise MESSAGES.error("star_appeal_not_open", ErrorKind.CONFLICT)
    if appealed_before:
        raise MESSAGES.error("star_appeal_repeated", ErrorKind.CONFLICT)
    if status is RatingStatus.STANDING:
        raise MESSAGES.error("star_appeal_closed", ErrorKind.CONFLICT)
    if not reason.strip():
        raise MESSAGES.error(
            "star_appeal_invalid", errors=[MESSAGES.field("reason", "star_reason_missing")]
        )


def check_decision(
    *, appeal_open: bool, own: bool, upheld: bool, stars: int | None, reason: str
) -> None:
    """The branch decides an open appeal, not the appellant; upholding names the new stars."""
    if own:
        raise MESSAGES.error("star_appeal_decide_own", ErrorKind.FORBIDDEN)
    if not appeal_open:
        raise MESSAGES.error("star_appeal_none_open", ErrorKind.CONFLICT)
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(MESSAGES.field("reason", "star_reason_missing"))
    if upheld and stars is None:
        errors.append(MESSAGES.field("stars", "star_upheld_needs_stars"))
    if errors:
        raise MESSAGES.error("star_appeal_invalid", errors=errors)


def movement(previous: int | None, stars: int) -> str:
    """A branch's rating against its last period's: up, down, same, or new."""
    if previous is None:
        return "new"
    return "up" if stars > previous else "down" if stars < previous else "same"
