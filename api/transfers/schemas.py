"""Request and response bodies of the transfer endpoints (组织关系转接; msgspec, strict)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

KindName = Literal["within_tenant", "across_tenants", "outside_platform"]
ReasonName = Literal["work_change", "residence_change", "study", "other"]
StateName = Literal[
    "draft", "pending_approval", "sent", "accepted", "returned", "rejected", "cancelled", "expired"
]
SideName = Literal["sending", "receiving"]
Note = Annotated[str, Meta(min_length=1, max_length=500, examples=["工作调动到南山区"])]
Short = Annotated[str, Meta(min_length=1, max_length=60, examples=["0755-83000000"])]


def _meta(example: str) -> Meta:
    return Meta(min_length=1, max_length=200, examples=[example])


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields."""


class TransferSenderContact(Strict, kw_only=True):
    """转出方基层党委的通信地址、电话、传真、邮编（印在介绍信上）."""

    address: Annotated[str, _meta("深圳市福田区福中三路1号")] | None = None
    phone: Short | None = None
    fax: Short | None = None
    postcode: Annotated[str, Meta(pattern=r"^[0-9]{6}$")] | None = None


class TransferIn(Strict, kw_only=True):
    """发起组织关系转接 Start a transfer. Within the platform the target is a branch from
    `GET /transfer-directory`; out of the platform, the receiving organization's name."""

    member_id: uuid.UUID
    kind: Annotated[
        KindName,
        Meta(
            description="within_tenant 本租户内、across_tenants 跨租户、"
            "outside_platform 转出平台（纸质介绍信）"
        ),
    ]
    reason: Annotated[
        ReasonName,
        Meta(
            description="work_change 工作变动、residence_change 居住地变动、study 学习、other 其他"
        ),
    ]
    reason_note: Note | None = None
    target_tenant_code: Annotated[str, Meta(pattern=r"^[0-9]{6}$", examples=["440305"])] | None = (
        None
    )
    target_organization_id: uuid.UUID | None = None
    outside_organization: Annotated[str, _meta("某省某单位党委")] | None = None
    sender_contact: Annotated[
        TransferSenderContact | None,
        Meta(examples=[{"address": "深圳市福田区福中三路1号", "postcode": "518000"}]),
    ] = None


class TransferDecisionIn(Strict, kw_only=True):
    """意见 Why: required to reject or return, optional otherwise."""

    reason: Note | None = None


class TransferHoldOut(msgspec.Struct, kw_only=True):
    """暂缓原因 What holds a draft: dues owed up to this month."""

    code: str
    open_months: list[str]
    shortfall_fen: int


class TransferOut(msgspec.Struct, kw_only=True):
    """组织关系转接, as the caller's side sees it. The receiving side sees the letter's
    member fields only, and the member's new record (`member_id`) and the points carried
    once it has accepted."""

    id: uuid.UUID
    side: SideName
    kind: KindName
    reason: ReasonName
    reason_note: str | None
    state: StateName
    member_id: uuid.UUID | None
    from_tenant_id: uuid.UUID
    from_tenant_name: str
    from_organization_id: uuid.UUID | None
    from_organization_name: str
    to_tenant_id: uuid.UUID | None
    to_tenant_name: str | None
    to_organization_id: uuid.UUID | None
    to_organization_name: str
    approvals_required: int | None
    approvals_done: int | None
    hold: TransferHoldOut | None
    letter_number: str | None
    validity_days: int
    expires_at: datetime | None
    member_name: str
    member_gender: str
    member_birth_date: date
    member_ethnicity: str | None
    member_status: str
    member_id_number: Annotated[str, Meta(description="身份证号（脱敏） masked")]
    member_phone: Annotated[str | None, Meta(description="手机号（脱敏） masked")]
    dues_paid_to: Annotated[str | None, Meta(description="党费交至 YYYY-MM")]
    points_carried: int | None
    sent_at: datetime | None
    updated_at: datetime


class TransferStepOut(msgspec.Struct, kw_only=True):
    """转接记录 One step: who, when, why."""

    action: str
    from_state: StateName | None
    to_state: StateName
    level: int | None
    actor_name: str | None
    reason: str | None
    at: datetime


class TransferLetterMember(msgspec.Struct, kw_only=True):
    name: str
    gender: str
    age: int
    ethnicity: str | None
    status: str
    id_number: Annotated[
        str,
        Meta(
            description="转出方有 member:read_sensitive 者为全号（每次读取均记审计），其余为脱敏号"
        ),
    ]
    phone: str | None


class TransferSenderContactOut(msgspec.Struct, kw_only=True):
    address: str | None = None
    phone: str | None = None
    fax: str | None = None
    postcode: str | None = None


class TransferLetterOut(msgspec.Struct, kw_only=True):
    """中国共产党党员组织关系介绍信 The letter: stub, letter and receipt carry these fields."""

    transfer_id: uuid.UUID
    side: SideName
    state: StateName
    number: Annotated[str, Meta(examples=["2026-00000042"])]
    verification_code: Annotated[str, Meta(examples=["ABCD-EFGH-JKLM"])]
    issued_on: date
    valid_until: date
    validity_days: int
    member: TransferLetterMember
    from_tenant_name: str
    from_organization_name: str
    to_tenant_name: str | None
    to_organization_name: str
    paid_to: Annotated[str, Meta(description="党费交至，大写（贰零贰陆年伍月）")]
    paid_to_month: str | None
    sender_contact: TransferSenderContactOut


class TransferLetterVerifyIn(Strict, kw_only=True):
    """核验介绍信 The fields as printed on the letter, and its verification code."""

    number: Annotated[str, _meta("2026-00000042")]
    verification_code: Annotated[
        str, Meta(min_length=1, max_length=40, examples=["ABCD-EFGH-JKLM"])
    ]
    member_name: Annotated[str, _meta("张三")]
    member_id_number: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=40,
            description="脱敏身份证号，如印",
            examples=["4403**********1233"],
        ),
    ]
    from_organization_name: Annotated[str, _meta("区档案馆党支部")]
    to_organization_name: Annotated[str, _meta("区图书馆党支部")]
    paid_to: Annotated[str, _meta("贰零贰陆年拾贰月")]
    valid_until: date


class TransferLetterVerifyOut(msgspec.Struct, kw_only=True):
    valid: bool
    state: StateName | None


class TransferDirectoryEntryOut(msgspec.Struct, kw_only=True):
    """可转入的党支部（仅名称） A branch a membership may go to: names only."""

    tenant_id: uuid.UUID
    tenant_name: str
    tenant_code: str
    organization_id: uuid.UUID
    organization_name: str
    organization_kind: str


class TransferQueueRow(msgspec.Struct, kw_only=True):
    """One tenant's side of the queues."""

    tenant_id: uuid.UUID
    side: SideName
    to_do: int
    in_progress: int
    overdue: int


class TransferQueueOut(msgspec.Struct, kw_only=True):
    """待办、在办、逾期 The queues of the caller's subtree, in all and per tenant."""

    to_do: int
    in_progress: int
    overdue: int
    items: list[TransferQueueRow]


class MobileCertificateIn(Strict, kw_only=True):
    """开具流动党员活动证 Issue a certificate: the host from `GET /transfer-directory`, or
    named when it is not on the platform; at most six months."""

    member_id: uuid.UUID
    host_tenant_code: Annotated[str, Meta(pattern=r"^[0-9]{6}$", examples=["440305"])] | None = None
    host_organization_id: uuid.UUID | None = None
    host_organization_name: Annotated[str, _meta("某市某单位党支部")] | None = None
    valid_from: Annotated[date, Meta(examples=["2026-12-01"])]
    valid_until: Annotated[date, Meta(examples=["2027-05-31"])]
    reason: Note | None = None


class MobileCertificateOut(msgspec.Struct, kw_only=True):
    """流动党员活动证 A certificate: where the member takes part, and for how long. The host
    organization sees it too, with the card's fields only (copied at issue)."""

    id: uuid.UUID
    side: Annotated[
        Literal["issuing", "host"],
        Meta(description="调用者是开具方（党员所在支部）还是流入地党组织"),
    ]
    number: Annotated[str, Meta(examples=["LD-00000007"])]
    member_id: uuid.UUID
    member_name: str
    member_gender: str
    member_status: str
    member_phone: Annotated[str | None, Meta(description="手机号（脱敏） masked")]
    organization_id: uuid.UUID
    from_tenant_name: str
    from_organization_name: str
    host_tenant_id: uuid.UUID | None
    host_organization_id: uuid.UUID | None
    host_organization_name: str
    valid_from: date
    valid_until: date
    reason: str | None
    state: Literal["issued", "closed"]
    issued_by_name: str
    issued_at: datetime
    closed_by_name: str | None
    closed_at: datetime | None
    close_note: str | None


HostEntryKindName = Literal["arrival", "activity", "dues", "opinion"]


class MobileHostEntryIn(Strict, kw_only=True):
    """流入地党组织的记录 What the host records of a mobile member: 报到 (arrival, first),
    参加组织生活 (activity), 交纳党费 (dues, with month and amount), 鉴定意见 (opinion)."""

    kind: HostEntryKindName
    on: Annotated[date, Meta(examples=["2026-12-05"], description="报到、活动、交费或鉴定之日")]
    month: (
        Annotated[
            str,
            Meta(
                pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
                examples=["2026-12"],
                description="党费所属月份（仅 dues）",
            ),
        ]
        | None
    ) = None
    amount_fen: (
        Annotated[int, Meta(ge=1, le=100_000_000, description="党费金额，分（仅 dues）")] | None
    ) = None
    note: Annotated[str, Meta(min_length=1, max_length=1000, examples=["参加主题党日"])] | None = (
        None
    )


class MobileHostEntryOut(msgspec.Struct, kw_only=True):
    """One record of the host organization, as both sides read it."""

    id: uuid.UUID
    certificate_id: uuid.UUID
    kind: HostEntryKindName
    on: date
    month: Annotated[str | None, Meta(examples=["2026-12"])]
    amount_fen: int | None
    note: str | None
    recorded_by_name: str
    recorded_at: datetime
