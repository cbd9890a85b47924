"""The pipeline as data (发展党员流程): the 25 steps and the time rules in force."""

from __future__ import annotations

from litestar import get

from api.context import Ctx
from api.development import schemas as s
from api.openapi_common import errors
from domain.development import RULES, STEPS
from infra.development import time_rules_of


@get(
    "/development/pipeline",
    summary="发展党员流程 The pipeline",
    description=(
        "五个阶段二十五个步骤：办理主体、所需材料、会议、表决、可作的决定、培养联系人和"
        "入党介绍人人数、公示；以及调用者所在租户现行的时间规则（2014年细则的默认值，"
        "经本租户及上级租户从严调整）。"
    ),
    tags=["Development"],
    operation_id="getDevelopmentPipeline",
    responses=errors(401),
)
async def pipeline(ctx: Ctx) -> s.PipelineOut:
    async with ctx.uow() as uow:
        rules = await time_rules_of(uow, ctx.principal.tenant_id)
    return s.PipelineOut(
        steps=[
            s.StepInfo(
                number=step.number,
                code=step.code,
                name=step.zh,
                stage=int(step.stage),
                stage_name=step.stage.zh,
                body=step.body.value,
                documents=[d.value for d in step.documents],
                meeting=step.meeting.value if step.meeting else None,
                vote=step.vote,
                decisions=[d.value for d in step.decisions],
                mentors=list(step.mentors) if step.mentors else None,
                sponsors=list(step.sponsors) if step.sponsors else None,
                public_notice=step.public_notice,
                repeatable=step.repeatable,
            )
            for step in STEPS
        ],
        time_rules=[
            s.TimeRuleInfo(
                code=rule.code,
                bound=rule.bound.value,
                unit=rule.unit.value,
                value=rules[rule.code],
                default=rule.default,
                national=rule.national,
            )
            for rule in RULES.values()
        ],
    )


ROUTES = [pipeline]
