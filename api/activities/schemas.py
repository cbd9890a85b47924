"""Request and response bodies of the activity endpoints (msgspec: strict and fast)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

KindName = Literal[
    "branch_congress",
    "committee_meeting",
    "group_meeting",
    "party_lecture",
    "theme_day",
    "org_life_meeting",
    "democratic_review",
    "heart_talk",
    "study",
    "volunteer",
    "other",
]
StatusName = Literal["planned", "ongoing", "finished", "archived", "cancelled"]
Title = Annotated[
    str, Meta(min_length=1, pattern=r"\S", max_length=200, examples=["2026年5月支部党员大会"])
]
Agenda = Annotated[str, Meta(max_length=5000, examples=["1. 学习党章；2. 讨论发展对象"])]
Place = Annotated[str, Meta(max_length=200, examples=["区委大楼3楼会议室"])]
Latitude = Annotated[float, Meta(ge=-90, le=90, examples=[22.5431], description="纬度 (GCJ-02)")]
Longitude = Annotated[
    float, Meta(ge=-180, le=180, examples=[114.0579], description="经度 (GCJ-02)")
]
Radius = Annotated[int, Meta(ge=10, le=10000, examples=[200], description="签到半径（米）")]
Window = Annotated[
    int,
    Meta(
        ge=0,
        le=240,
        examples=[30],
        description="活动开始前、结束后可签到的分钟数；不填用租户配置 checkin_grace_minutes",
    ),
]
Reason = Annotated[str, Meta(min_length=1, max_length=500, examples=["因公出差"])]
Note = Annotated[str, Meta(max_length=500, examples=["同意"])]
Token = Annotated[str, Meta(min_length=1, max_length=64, examples=["v1.59240123.3q2-7wEv…"])]
Accuracy = Annotated[float, Meta(ge=0, le=100000, examples=[15.0], description="定位精度（米）")]
MemberId = Annotated[
    uuid.UUID, Meta(examples=["0193a4b2-0000-7000-8000-00000000000a"], description="党员")
]
ClientId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        examples=["0193a4b2-7c1d-7e00-9f00-5a1b2c3d4e5f"],
        description="手机端生成的唯一编号；同一编号重复上传结果相同",
    ),
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class ActivityIn(Strict):
    """安排活动 Plan an activity; expected attendees come from the organizers' rosters."""

    kind: Annotated[KindName, Meta(examples=["branch_congress"])]
    organization_id: Annotated[
        uuid.UUID,
        Meta(description="主办党组织 Organizer", examples=["0193a4b2-0000-7000-8000-000000000002"]),
    ]
    title: Title
    starts_at: Annotated[datetime, Meta(examples=["2026-05-20T14:30:00+08:00"])]
    ends_at: Annotated[datetime, Meta(examples=["2026-05-20T16:30:00+08:00"])]
    joint_organization_ids: Annotated[
        list[uuid.UUID],
        Meta(
            max_length=20,
            description="联学联建的其他党组织 Joint organizers",
            examples=[["0193a4b2-7c1d-7e00-9f00-5a1b2c3d4e5f"]],
        ),
    ] = msgspec.field(default_factory=list)
    agenda: Agenda | None = None
    place: Place | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_m: Radius | None = None
    qr_required: Annotated[bool, Meta(description="本人签到须扫描现场二维码")] = True
    geofence_enabled: Annotated[bool, Meta(description="本人签到须在签到范围内")] = False
    window_minutes: Window | None = None


class ActivityPatch(Strict):
    """Only the fields sent change; `null` clears an optional field."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    agenda: Agenda | msgspec.UnsetType | None = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    place: Place | msgspec.UnsetType | None = msgspec.UNSET
    latitude: Latitude | msgspec.UnsetType | None = msgspec.UNSET
    longitude: Longitude | msgspec.UnsetType | None = msgspec.UNSET
    radius_m: Radius | msgspec.UnsetType | None = msgspec.UNSET
    qr_required: bool | msgspec.UnsetType = msgspec.UNSET
    geofence_enabled: bool | msgspec.UnsetType = msgspec.UNSET
    window_minutes: Window | msgspec.UnsetType | None = msgspec.UNSET


def sent_fields(data: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}


class CancelIn(Strict):
    reason: Annotated[Reason, Meta(description="取消原因（必填，留档）")]


class CheckinOptionsOut(msgspec.Struct):
    qr_required: bool
    geofence_enabled: bool
    window_minutes: int | None


class ActivityOut(msgspec.Struct):
    id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str
    kind_label: str
    title: str
    organization_id: uuid.UUID
    joint_organization_ids: list[uuid.UUID]
    starts_at: datetime
    ends_at: datetime
    agenda: str | None
    place: str | None
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    checkin: CheckinOptionsOut
    status: str
    cancel_reason: str | None
    expected_count: int
    created_at: datetime
    updated_at: datetime
    version: int


class AttendeeIn(Strict):
    member_id: MemberId


class AttendeeOut(msgspec.Struct):
    member_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    member_status: str
    is_committee_member: bool
    source: Annotated[str, Meta(description="roster（名册生成）或 manual（手动添加）")]


class CheckinTokenOut(msgspec.Struct):
    """The rotating code for the organizer's screen (show it as a QR code)."""

    token: str
    step_seconds: int
    expires_at: Annotated[datetime, Meta(description="此后扫描该码将被拒绝")]
    refresh_after: Annotated[datetime, Meta(description="此时起应换成新码")]


class CheckinIn(Strict):
    """本人签到（扫码/定位）或代签（member_id，须有 checkin:manage）."""

    member_id: Annotated[MemberId | None, Meta(description="代签对象；本人签到不填")] = None
    token: Token | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Accuracy | None = None


class CheckinOut(msgspec.Struct):
    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    source: Annotated[str, Meta(description="self / self_qr / secretary / offline_sync")]
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: Annotated[
        uuid.UUID,
        Meta(
            description="记录人：写下这条签到的用户账号。本人签到和离线同步为党员本人的账号，"
            "代签为书记等代签人的账号"
        ),
    ]
    client_id: str | None
    distance_m: float | None


class SyncItemIn(Strict):
    client_id: ClientId
    activity_id: Annotated[uuid.UUID, Meta(examples=["0193a4b2-0000-7000-8000-000000000001"])]
    occurred_at: Annotated[
        datetime, Meta(examples=["2026-05-20T14:31:07+08:00"], description="手机上签到的时刻")
    ]
    token: Token | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Accuracy | None = None


class SyncIn(Strict):
    """离线签到批量上传 A batch of offline check-ins (at most 500)."""

    items: Annotated[
        list[SyncItemIn],
        Meta(
            min_length=1,
            max_length=500,
            examples=[
                [
                    {
                        "client_id": "0193a4b2-7c1d-7e00-9f00-5a1b2c3d4e5f",
                        "activity_id": "0193a4b2-0000-7000-8000-000000000001",
                        "occurred_at": "2026-05-20T14:31:07+08:00",
                        "token": "v1.59240123.3q2-7wEvAAAAAAAAAAAAAA",
                    }
                ]
            ],
        ),
    ]


class SyncResultOut(msgspec.Struct):
    client_id: str
    activity_id: uuid.UUID
    outcome: Annotated[
        str,
        Meta(description="accepted / duplicate / rejected / withdrawn（已被书记更正撤销）"),
    ]
    code: Annotated[str, Meta(examples=["token_expired"])]
    message: str
    checkin_id: uuid.UUID | None = None


class SyncOut(msgspec.Struct):
    results: list[SyncResultOut]
    accepted: int
    duplicate: int
    rejected: int


class LeaveIn(Strict):
    reason: Reason
    member_id: Annotated[MemberId | None, Meta(description="代为登记时填写")] = None


class LeaveDecisionIn(Strict):
    note: Note | None = None


class LeaveOut(msgspec.Struct):
    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    reason: str
    status: str
    requested_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str | None


class AttendanceLineOut(msgspec.Struct):
    member_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    member_status: str
    is_committee_member: bool
    status: Annotated[str, Meta(description="present 出席 / on_leave 请假 / absent 缺席")]
    checked_in_at: datetime | None
    source: str | None


class QuorumOut(msgspec.Struct):
    """到会人数是否符合规定: met when 2 × present > base."""

    base: Annotated[int, Meta(description="应计人数（支部党员大会：有表决权的正式党员）")]
    present: int
    required: Annotated[int, Meta(description="过半所需最少到会人数")]
    met: bool


class AttendanceOut(msgspec.Struct):
    activity_id: uuid.UUID
    kind: str
    expected: int
    present: int
    on_leave: int
    absent: int
    rate: Annotated[float | None, Meta(description="出勤率 present/expected, 4 位小数")]
    rate_excluding_leave: float | None
    quorum: QuorumOut | None
    lines: list[AttendanceLineOut]


class PeriodOut(msgspec.Struct):
    period: Annotated[str, Meta(examples=["2026-05", "2026-Q2", "2026"])]
    first_day: date
    last_day: date
    status: Annotated[str, Meta(description="held 已开展 / due 待开展 / overdue 逾期")]
    held_count: int


class KindComplianceOut(msgspec.Struct):
    kind: str
    kind_label: str
    frequency: str
    held: int
    due: int
    overdue: int
    periods: list[PeriodOut]


class ComplianceOut(msgspec.Struct):
    organization_id: uuid.UUID
    name: str
    period: str
    first_day: date
    last_day: date
    obligations_from: Annotated[
        date,
        Meta(
            description="自此日起计算应开展的组织生活（此前各期不列出）：成立日期，未填成立"
            "日期时为在本系统中建立的日期 The day obligations start from"
        ),
    ]
    obligations_basis: Annotated[
        Literal["established_on", "created_at"],
        Meta(description="established_on 成立日期 / created_at 建立日期（成立日期未填）"),
    ]
    kinds: list[KindComplianceOut]


class OrgBrief(msgspec.Struct):
    id: uuid.UUID
    name: str


class KindRollupOut(msgspec.Struct):
    kind: str
    kind_label: str
    held: int
    due: int
    overdue: int
    not_held: Annotated[
        int, Meta(description="最近一期未开展的组织数（待开展 + 本期已过仍未开展）")
    ]
    due_organizations: list[OrgBrief]
    overdue_organizations: list[OrgBrief]


class ComplianceRollupOut(msgspec.Struct):
    period: str
    first_day: date
    last_day: date
    organizations: Annotated[int, Meta(description="统计范围内的党支部数")]
    kinds: list[KindRollupOut]
