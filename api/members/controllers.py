"""Member registry endpoints (党员信息管理). Thin: parse, call the use case, present."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Response, get, patch, post
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter, Parameter

from api.admission import PERSON_ONLY
from api.context import Ctx
from api.deps import Protector
from api.errors import ProblemError
from api.etag import etag_of
from api.members import presenters as present
from api.members import schemas as s
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page
from api.times import ApiResponse, encode_json
from domain.members import (
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    normalize_query,
)
from domain.shared import decode_cursor, encode_cursor, invalid_cursor
from infra.db.session import UnitOfWork
from infra.members import listing, queries, registry, today
from infra.members.loading import MemberRecord
from infra.members.registry import Precondition
from infra.members.reveal import reveal_member
from infra.members.tables import Member
from infra.transfers import TransferMark, members_in_transfer, transfer_marks

MEMBERS = ["Members"]

IF_MATCH = HeaderParameter(
    name="If-Match",
    required=False,
    description=(
        '乐观并发控制：填 GET 返回的 ETag，或 `"v<version>"`（如 `"v3"`）；'
        "记录已被他人修改时返回 412。Optimistic concurrency: the ETag of the default "
        '(masked) representation, or the record version as "v<version>".'
    ),
    examples=[Example(value='"v3"')],
)
IfMatch = Annotated[str | None, IF_MATCH]


def _mobile(data: s.MobileIn | None) -> MobileDetails | None:
    if data is None:
        return None
    return MobileDetails(
        host_organization_name=data.host_organization_name,
        activity_card_number=data.activity_card_number,
        period_start=data.period_start,
        period_end=data.period_end,
    )


def _draft(data: s.MemberIn) -> MemberDraft:
    return MemberDraft(
        name=data.name,
        id_number=data.id_number,
        status=MemberStatus(data.status),
        admitted_on=data.admitted_on,
        organization_id=data.organization_id,
        gender=Gender(data.gender) if data.gender else None,
        birth_date=data.birth_date,
        ethnicity=data.ethnicity,
        phone=data.phone,
        education=Education(data.education) if data.education else None,
        work_unit=data.work_unit,
        post=data.post,
        full_member_on=data.full_member_on,
        member_class=MemberClass(data.member_class),
        mobile=_mobile(data.mobile),
        tags=tuple(data.tags),
    )


_ENUMS: dict[str, Any] = {
    "gender": Gender,
    "education": Education,
    "member_class": MemberClass,
}


def _changes(data: s.MemberPatch) -> dict[str, Any]:
    changes = s.sent_fields(data)
    for name, enum in _ENUMS.items():
        if changes.get(name) is not None:
            changes[name] = enum(changes[name])
    if "mobile" in changes:
        changes["mobile"] = _mobile(changes["mobile"])
    return changes


def _masked_etag(record: MemberRecord, transfer: TransferMark | None) -> str:
    return etag_of(encode_json(present.record_out(record, today=today(), transfer=transfer)))


async def _mark(uow: UnitOfWork, member_id: uuid.UUID) -> TransferMark | None:
    """转接中, from the transfers context (the registry never reads its tables)."""
    return (await transfer_marks(uow, [member_id])).get(member_id)


def _precondition(if_match: str | None, transfer: TransferMark | None) -> Precondition | None:
    """412 unless If-Match names the current version or the current masked representation."""
    if not if_match:
        return None
    candidates = {c.strip().removeprefix("W/") for c in if_match.split(",")}

    def check(record: MemberRecord) -> None:
        if "*" in candidates or f'"v{record.member.version}"' in candidates:
            return
        if _masked_etag(record, transfer) in candidates:
            return
        raise ProblemError(412, "precondition_failed")

    return check


def _with_etag(out: s.MemberOut) -> Response[s.MemberOut]:
    return ApiResponse(
        out,
        headers={"ETag": etag_of(encode_json(out))} if not out.sensitive_revealed else {},
    )


# ---------------------------------------------------------------- cursor


def _encode_cursor(member: Member, sort: queries.SortKey) -> str:
    return encode_cursor(id=str(member.id), s=sort.value, k=queries.sort_value(member, sort))


def _decode_cursor(cursor: str | None, sort: queries.SortKey) -> queries.Keyset | None:
    """The keyset a cursor of this sort order names; refused if it is of another order."""
    if not cursor:
        return None
    keys = decode_cursor(cursor)
    try:
        if keys.get("s", sort.value) != sort.value:
            raise ValueError("cursor of another sort order")
        value = keys.get("k")
        if value is not None and not isinstance(value, str):
            raise ValueError("bad sort value")
        if sort is queries.SortKey.ADMITTED_ON and value is not None:
            date.fromisoformat(value)
        return queries.Keyset(uuid.UUID(str(keys["id"])), value)
    except (ValueError, KeyError) as exc:
        raise invalid_cursor() from exc


# Versions are PostgreSQL integers; a cursor beyond them was not issued by us.
_MAX_VERSION = 2**31 - 1


def _version_before(cursor: str | None) -> int | None:
    """The version a history cursor names."""
    if not cursor:
        return None
    before = decode_cursor(cursor).get("v")
    if not isinstance(before, int) or isinstance(before, bool) or not 1 <= before <= _MAX_VERSION:
        raise invalid_cursor()
    return before


# ---------------------------------------------------------------- endpoints


@post(
    "/members",
    summary="新建党员 Create a member",
    description=(
        "在党支部或党小组中登记党员。身份证号按 GB 11643 校验，性别和出生日期可由身份证号推出；"
        "所有字段错误一次返回。同一身份证号在平台内只能登记一次（409 "
        "`member_duplicate_id_number`，仅在调用者可见时指出登记单位，否则指引办理组织关系转接）。"
        "与管辖范围外的登记重复时，双方单位均记入审计日志；每个用户每天至多 20 次，"
        "此后当天登记新身份证号一律答 429 `identity_check_limited`（带 `Retry-After`）。"
        "需要所在党组织的 `member:write` 权限。"
    ),
    tags=MEMBERS,
    operation_id="createMember",
    responses=WRITE,
)
async def create_member(
    ctx: Ctx,
    protector: Protector,
    data: Annotated[
        s.MemberIn, Body(examples=[Example(summary="正式党员", value=s.MEMBER_IN_EXAMPLE)])
    ],
) -> Response[s.MemberOut]:
    async with ctx.uow() as uow:
        record = await registry.create_member(uow, ctx, protector, _draft(data), today=today())
        out = present.record_out(record, today=today())
    response = _with_etag(out)
    response.status_code = 201
    return response


@get(
    "/members",
    summary="党员列表与查找 List and search members",
    description=(
        "列表中身份证号和手机号始终脱敏。可按党组织（含下级）、状态、人员类别、入党年份、"
        "是否流动党员筛选；`q` 可填姓名（片段）、全拼或首字母（`zhangsan`、`zs` 找到张三）、"
        "完整手机号或完整身份证号（精确匹配）。未指定党组织时需本租户的 `member:read` 权限。"
    ),
    tags=MEMBERS,
    operation_id="listMembers",
    responses=errors(400, 401, 403, 404, 422),
)
async def list_members(
    ctx: Ctx,
    protector: Protector,
    limit: Limit = 50,
    cursor: Cursor = None,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="党组织 Organization")
    ] = None,
    include_descendants: Annotated[
        bool, Parameter(description="含下级党组织 Include the organization's subtree")
    ] = True,
    tenant_id: Annotated[
        uuid.UUID | None, Parameter(description="限定租户子树 Tenant subtree")
    ] = None,
    status: s.StatusName | None = None,
    member_class: s.ClassName | None = None,
    admitted_from: Annotated[
        int | None, Parameter(ge=1921, le=2100, description="入党年份起 Admitted from year")
    ] = None,
    admitted_to: Annotated[
        int | None, Parameter(ge=1921, le=2100, description="入党年份止 Admitted to year")
    ] = None,
    is_mobile: Annotated[bool | None, Parameter(description="是否流动党员")] = None,
    in_transfer: Annotated[
        bool | None, Parameter(description="是否转接中（有未办结的组织关系转接）")
    ] = None,
    q: Annotated[
        str | None,
        Parameter(
            max_length=50,
            description="姓名、拼音/首字母、手机号或身份证号 Name, pinyin, phone or ID number",
            examples=[Example(value="zs"), Example(value="张三")],
        ),
    ] = None,
    sort: Annotated[
        s.SortName, Parameter(description="排序：name（拼音）、admitted_on、created；前缀 - 倒序")
    ] = "name",
) -> Page[s.MemberOut]:
    key = queries.SortKey(sort.removeprefix("-"))
    filters = queries.MemberFilter(
        status=status,
        member_class=member_class,
        admitted_from_year=admitted_from,
        admitted_to_year=admitted_to,
        is_mobile=is_mobile,
        query=normalize_query(q) if q is not None else None,
        in_transfer=None if in_transfer is None else (in_transfer, members_in_transfer()),
    )
    async with ctx.uow() as uow:
        rows = await listing.list_members(
            uow,
            ctx,
            protector,
            organization_id=organization_id,
            include_descendants=include_descendants,
            tenant_id=tenant_id,
            filters=filters,
            sort=key,
            descending=sort.startswith("-"),
            after=_decode_cursor(cursor, key),
            limit=limit,
        )
        marks = await transfer_marks(uow, [r.member.id for r in rows[:limit]])
    day = today()
    next_cursor = _encode_cursor(rows[limit - 1].member, key) if len(rows) > limit else None
    return Page(
        items=[
            present.record_out(r, today=day, transfer=marks.get(r.member.id)) for r in rows[:limit]
        ],
        next_cursor=next_cursor,
    )


@get(
    "/members/{member_id:uuid}",
    summary="党员详情 Get a member",
    description=(
        "默认脱敏。`reveal=true` 显示完整身份证号和手机号，需 `member:read_sensitive` 权限"
        "（否则 403），每次读取都写入审计日志（`member.read_sensitive`）。党员本人可查看"
        "自己的记录（脱敏）。"
    ),
    tags=MEMBERS,
    operation_id="getMember",
    responses=READ,
)
async def get_member(
    ctx: Ctx,
    protector: Protector,
    member_id: uuid.UUID,
    reveal: Annotated[
        bool, Parameter(description="显示完整敏感信息 Show ID number and phone in full")
    ] = False,
) -> Response[s.MemberOut]:
    async with ctx.uow() as uow:
        if reveal:
            record, revealed = await reveal_member(uow, ctx, protector, member_id)
            # full 身份证号 and phone must not stay in any cache on the way
            return ApiResponse(
                present.record_out(
                    record, today=today(), revealed=revealed, transfer=await _mark(uow, member_id)
                ),
                headers={"Cache-Control": "no-store"},
            )
        record = await registry.read_member(uow, ctx, member_id, viewer_id=ctx.principal.user_id)
        return ApiResponse(
            present.record_out(record, today=today(), transfer=await _mark(uow, member_id))
        )


@patch(
    "/members/{member_id:uuid}",
    summary="修改党员信息 Update a member",
    description=(
        "只修改提交的字段，所有字段错误一次返回；每次修改保存一个历史版本。`If-Match` 可带 "
        'GET 返回的 ETag 或 `"v<version>"`，记录已变更时返回 412。`user_id` 关联登录账号'
        "（需 `user:update` 权限）。状态变更请用 `/members/{id}/status`。"
    ),
    tags=MEMBERS,
    operation_id="updateMember",
    responses=errors(400, 401, 403, 404, 409, 412, 422),
)
async def update_member(
    ctx: Ctx,
    protector: Protector,
    member_id: uuid.UUID,
    data: Annotated[
        s.MemberPatch,
        Body(
            examples=[
                Example(
                    summary="修改工作单位和手机号",
                    value={"work_unit": "区财政局", "phone": "13900001111"},
                ),
                Example(
                    summary="关联登录账号",
                    value={"user_id": "01936d77-0000-7000-8000-000000000009"},
                ),
                Example(
                    summary="登记为流动党员",
                    value={
                        "member_class": "mobile",
                        "mobile": {
                            "host_organization_name": "上海市浦东新区某街道党工委",
                            "activity_card_number": "LD2026-0001",
                            "period_start": "2026-03-01",
                        },
                        "tags": ["流动党员"],
                    },
                ),
            ]
        ),
    ],
    if_match: IfMatch = None,
) -> Response[s.MemberOut]:
    async with ctx.uow() as uow:
        mark = await _mark(uow, member_id)
        record = await registry.update_member(
            uow,
            ctx,
            protector,
            member_id,
            _changes(data),
            today=today(),
            precondition=_precondition(if_match, mark),
        )
        out = present.record_out(record, today=today(), transfer=mark)
    return _with_etag(out)


@post(
    "/members/{member_id:uuid}/status",
    summary="变更党员状态 Change a member's status",
    description=(
        "转正（full，须填转正时间）、停止党籍（suspended）、除名（removed，不可逆）或恢复"
        "停止党籍的党员；必须填写原因，原因记入历史。记录永不删除。"
    ),
    tags=MEMBERS,
    operation_id="changeMemberStatus",
    status_code=200,
    responses=errors(400, 401, 403, 404, 409, 412, 422),
)
async def change_member_status(
    ctx: Ctx, protector: Protector, member_id: uuid.UUID, data: s.StatusIn, if_match: IfMatch = None
) -> Response[s.MemberOut]:
    async with ctx.uow() as uow:
        mark = await _mark(uow, member_id)
        record = await registry.change_status(
            uow,
            ctx,
            protector,
            member_id,
            status=MemberStatus(data.status),
            reason=data.reason,
            full_member_on=data.full_member_on,
            today=today(),
            precondition=_precondition(if_match, mark),
        )
        out = present.record_out(record, today=today(), transfer=mark)
    return _with_etag(out)


@get(
    "/members/{member_id:uuid}/history",
    summary="党员信息变更历史 Member history",
    description="每次变更一个版本：谁、何时、改了什么。身份证号和手机号只显示脱敏后的新旧值。",
    tags=MEMBERS,
    operation_id="listMemberHistory",
    responses=READ,
)
async def member_history(
    ctx: Ctx, member_id: uuid.UUID, limit: Limit = 50, cursor: Cursor = None
) -> Page[s.HistoryOut]:
    before = _version_before(cursor)
    async with ctx.uow() as uow:
        rows = await registry.member_history(
            uow, ctx, member_id, limit=limit, before_version=before
        )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(v=rows[-1].version)
    return Page(items=[present.history_out(h) for h in rows], next_cursor=next_cursor)


@get(
    "/me/member",
    summary="我的党员信息 My member record",
    description="当前登录账号关联的党员记录（脱敏）。未关联时返回 404 `member_not_linked`。",
    tags=MEMBERS,
    operation_id="getMyMember",
    opt={PERSON_ONLY: True},
    responses=errors(401, 403, 404),
)
async def my_member(ctx: Ctx) -> s.MemberOut:
    p = ctx.principal
    ctx.require("profile", "read")
    async with ctx.uow() as uow:
        record = await registry.own_member(uow, user_id=p.user_id, tenant_id=p.tenant_id)
        return present.record_out(
            record, today=today(), transfer=await _mark(uow, record.member.id)
        )


ROUTES = [
    create_member,
    list_members,
    get_member,
    update_member,
    change_member_status,
    member_history,
    my_member,
]
__all__ = ["LIST", "ROUTES"]
