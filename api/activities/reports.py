"""Report endpoints: one activity's attendance, an organization's compliance and the
roll-up over a subtree."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from litestar import get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.activities import presenters as present
from api.activities import schemas as s
from api.activities.params import (
    CHECKINS,
    COMPLIANCE,
    PeriodParam,
    YearParam,
    caller_of,
)
from api.context import Ctx
from api.openapi_common import LIST, READ
from infra.activities import (
    attendance,
    compliance,
    visibility,
)


@get(
    "/activities/{activity_id:uuid}/attendance",
    summary="出勤情况 Attendance and quorum",
    description="每位应到人员为出席、请假或缺席；出勤率；支部党员大会和支委会给出到会人数是否过半"
    "（支部党员大会以有表决权的正式党员为基数，预备党员不计）。",
    tags=CHECKINS,
    operation_id="getActivityAttendance",
    responses=READ,
)
async def get_attendance(ctx: Ctx, activity_id: uuid.UUID) -> s.AttendanceOut:
    async with ctx.uow() as uow:
        view = await attendance.attendance_of(uow, ctx, caller_of(ctx), activity_id)
    return present.attendance_out(view)


@get(
    "/organizations/{organization_id:uuid}/compliance",
    summary="组织生活落实情况 Compliance calendar",
    description="按租户配置的频次（meeting_frequencies），逐期列出各类组织生活已开展、待开展、逾期。"
    "完全由活动记录推算，无需填报。义务自党组织成立日期（未填时为建立日期）所在的一期起计算，"
    "见 obligations_from。",
    tags=COMPLIANCE,
    operation_id="getOrganizationCompliance",
    responses=READ,
)
async def get_compliance(
    ctx: Ctx, organization_id: uuid.UUID, year: YearParam = None, period: PeriodParam = None
) -> s.ComplianceOut:
    async with ctx.uow() as uow:
        result, rng = await compliance.organization_compliance(
            uow, ctx, organization_id, year=year, period=period, today=_today()
        )
    return present.compliance_out(result, rng)


def _today() -> date:
    return datetime.now(visibility.SHANGHAI).date()


@get(
    "/stats/compliance",
    summary="组织生活落实汇总 Compliance roll-up",
    description="租户子树（或某党组织之下）各党支部按类别汇总：最近一期已开展、待开展、"
    "有逾期的支部，例如“本月有多少支部未开支委会”。",
    tags=COMPLIANCE,
    operation_id="getComplianceRollup",
    responses=LIST,
)
async def get_compliance_rollup(
    ctx: Ctx,
    tenant_id: Annotated[uuid.UUID | None, Parameter(description="默认本租户")] = None,
    organization_id: Annotated[uuid.UUID | None, Parameter(description="只统计该组织之下")] = None,
    kind: Annotated[
        s.KindName | None, Parameter(examples=[Example(value="committee_meeting")])
    ] = None,
    year: YearParam = None,
    period: PeriodParam = None,
) -> s.ComplianceRollupOut:
    async with ctx.uow() as uow:
        view = await compliance.compliance_rollup(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            tenant_id=tenant_id,
            organization_id=organization_id,
            kind=kind,
            year=year,
            period=period,
            today=_today(),
        )
    return present.rollup_out(view)


ROUTES = [
    get_attendance,
    get_compliance,
    get_compliance_rollup,
]
