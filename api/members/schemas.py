"""Request and response bodies of the member registry (党员信息) endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

StatusName = Literal["probationary", "full", "suspended", "removed"]
ActiveStatus = Literal["probationary", "full"]
GenderName = Literal["male", "female"]
EducationName = Literal[
    "postgraduate",
    "bachelor",
    "junior_college",
    "secondary_vocational",
    "high_school",
    "junior_high_or_below",
]
ClassName = Literal["backbone", "ordinary", "mobile", "special"]
SortName = Literal["name", "-name", "admitted_on", "-admitted_on", "created", "-created"]

Name = Annotated[str, Meta(max_length=50, examples=["张三"], description="姓名")]
IdNumber = Annotated[
    str,
    Meta(
        max_length=30,
        examples=["11010519491231002X"],
        description="身份证号（18位，GB 11643 校验） Citizen ID number",
    ),
]
PhoneText = Annotated[
    str, Meta(max_length=20, examples=["13800138000"], description="大陆手机号 Mobile number")
]
ShortText = Annotated[str, Meta(max_length=100)]
Tag = Annotated[str, Meta(max_length=40, examples=["青年党员"])]
Reason = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=500,
        examples=["经支部大会讨论，报上级党委批准"],
        description="原因 Reason",
    ),
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class MobileIn(Strict):
    """流动党员信息 Where a mobile member takes part in branch life away from home."""

    host_organization_name: Annotated[
        str, Meta(max_length=100, examples=["上海市浦东新区某街道党工委"], description="流入党组织")
    ]
    activity_card_number: Annotated[
        str, Meta(max_length=50, examples=["LD2026-0001"], description="流动党员活动证编号")
    ]
    period_start: Annotated[date, Meta(description="外出开始日期")]
    period_end: Annotated[date | None, Meta(description="外出结束日期（可空）")] = None


class MobileOut(msgspec.Struct):
    host_organization_name: str
    activity_card_number: str
    period_start: date
    period_end: date | None


class MemberIn(Strict):
    """新建党员 A member record. Gender and birth date may be left out: the 身份证号 gives them."""

    organization_id: Annotated[uuid.UUID, Meta(description="所在党支部或党小组")]
    name: Name
    id_number: IdNumber
    status: Annotated[ActiveStatus, Meta(description="预备党员 / 正式党员")]
    admitted_on: Annotated[date | None, Meta(description="入党时间")] = None
    full_member_on: Annotated[date | None, Meta(description="转正时间（正式党员必填）")] = None
    gender: GenderName | None = None
    birth_date: date | None = None
    ethnicity: Annotated[str, Meta(max_length=20, examples=["汉族"])] | None = None
    phone: PhoneText | None = None
    education: EducationName | None = None
    work_unit: Annotated[str, Meta(max_length=100, examples=["福田区委办公室"])] | None = None
    post: Annotated[str, Meta(max_length=100, examples=["科员"])] | None = None
    member_class: Annotated[ClassName, Meta(description="人员类别：骨干/普通/流动/特殊")] = (
        "ordinary"
    )
    mobile: MobileIn | None = None
    tags: Annotated[list[Tag], Meta(max_length=20)] = []


MEMBER_IN_EXAMPLE = {
    "organization_id": "01936d77-0000-7000-8000-000000000001",
    "name": "张三",
    "id_number": "11010519491231002X",
    "status": "full",
    "admitted_on": "1975-07-01",
    "full_member_on": "1976-07-01",
    "ethnicity": "汉族",
    "phone": "13800138000",
    "education": "bachelor",
    "member_class": "ordinary",
    "tags": ["老党员"],
}


class MemberPatch(Strict):
    """Only the fields sent change; `null` clears an optional field. Status: use /status."""

    organization_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    id_number: IdNumber | msgspec.UnsetType = msgspec.UNSET
    admitted_on: date | msgspec.UnsetType = msgspec.UNSET
    full_member_on: date | msgspec.UnsetType | None = msgspec.UNSET
    gender: GenderName | msgspec.UnsetType = msgspec.UNSET
    birth_date: date | msgspec.UnsetType = msgspec.UNSET
    ethnicity: Annotated[str, Meta(max_length=20)] | msgspec.UnsetType | None = msgspec.UNSET
    phone: PhoneText | msgspec.UnsetType | None = msgspec.UNSET
    education: EducationName | msgspec.UnsetType | None = msgspec.UNSET
    work_unit: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    post: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    member_class: ClassName | msgspec.UnsetType = msgspec.UNSET
    mobile: MobileIn | msgspec.UnsetType | None = msgspec.UNSET
    tags: Annotated[list[Tag], Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    user_id: (
        Annotated[
            uuid.UUID | None,
            Meta(description="关联的登录账号（需 user:update 权限）；null 解除关联"),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


class StatusIn(Strict):
    """状态变更: 转正 (full), 停止党籍 (suspended), 除名 (removed), or restoring a member."""

    status: StatusName
    reason: Reason
    full_member_on: Annotated[date | None, Meta(description="转正时间（转为正式党员时必填）")] = (
        None
    )


class MemberTransferOut(msgspec.Struct):
    """转接中: the member's open transfer (组织关系转接); the sending organization stays
    responsible for them until the receiving side accepts."""

    transfer_id: uuid.UUID
    state: Annotated[
        str, Meta(examples=["sent"], description="draft / pending_approval / sent / returned")
    ]


class MemberOut(msgspec.Struct):
    """党员信息. `id_number` and `phone` are masked unless `sensitive_revealed` is true."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str | None
    user_id: uuid.UUID | None
    name: str
    name_pinyin: str
    gender: str
    ethnicity: str | None
    birth_date: date
    id_number: Annotated[str, Meta(examples=["110105********002X"])]
    phone: Annotated[str | None, Meta(examples=["138****8000"])]
    sensitive_revealed: bool
    education: str | None
    work_unit: str | None
    post: str | None
    status: str
    status_reason: str | None
    admitted_on: date
    full_member_on: date | None
    party_seniority: Annotated[int | None, Meta(description="党龄（自转正之日起，整年）")]
    member_class: str
    mobile: MobileOut | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int
    in_transfer: Annotated[
        MemberTransferOut | None,
        Meta(description="转接中：未办结的组织关系转接 The open transfer, if any"),
    ]


class ChangeOut(msgspec.Struct):
    old: Any
    new: Any


class HistoryOut(msgspec.Struct):
    """One version of a member record: who changed what, when (sensitive values masked)."""

    version: int
    action: Annotated[str, Meta(examples=["update"], description="create / update / status")]
    changed_at: datetime
    changed_by: uuid.UUID | None
    changed_by_name: str | None
    changes: dict[str, ChangeOut]


class CountsOut(msgspec.Struct):
    """党员统计. `total` and every breakdown except `by_status` count current members
    (probationary and full); `by_status` counts every record. Unknown values count under ""."""

    total: int
    by_status: dict[str, int]
    by_class: dict[str, int]
    by_gender: dict[str, int]
    by_ethnicity: dict[str, int]
    by_age_band: Annotated[
        dict[str, int], Meta(description="党内统计公报年龄段：up_to_30, 31_35 … over_60")
    ]
    by_education: dict[str, int]


class OrganizationStatsOut(msgspec.Struct):
    organization_id: uuid.UUID
    organization_name: str
    as_of: date
    counts: CountsOut


class TenantCountsOut(msgspec.Struct):
    tenant_id: uuid.UUID
    code: str
    name: str
    counts: CountsOut


class TenantStatsOut(msgspec.Struct):
    """Rolled up over the tenant subtree; `own` is the tenant's own organizations;
    `children` each direct child tenant with its whole subtree."""

    tenant_id: uuid.UUID
    code: str
    name: str
    as_of: date
    total: CountsOut
    own: CountsOut
    children: list[TenantCountsOut]


def sent_fields(data: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
