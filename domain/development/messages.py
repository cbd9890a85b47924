"""Every sentence the development context shows to people, by code (zh-CN and en)."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

_M = Message

MESSAGES = Catalogue(
    "development",
    {
        # refused steps: `rule:<rule>` is the sentence of the rule that refused
        "rule:not_in_future": _M(
            "不能登记今天（{today}）以后的步骤", "A step cannot be dated after today ({today})"
        ),
        "rule:after_previous_step": _M(
            "日期不能早于上一步骤（{previous}）",
            "The date cannot precede the previous step ({previous})",
        ),
        "rule:file_closed": _M(
            "该发展档案已办结，不能再登记步骤", "This file is closed; no step can be recorded"
        ),
        "rule:step_order": _M(
            "应先办理第 {expected} 步“{expected_zh}”，不能跳步",
            "Step {expected} comes next; steps cannot be skipped",
        ),
        "rule:public_notice_running": _M(
            "公示期至 {ends_on} 结束，公示期满后才能办理下一步",
            "The public notice runs until {ends_on}; the next step follows it",
        ),
        "rule:public_notice": _M(
            "公示不少于 {days} 个工作日：自开始之日起至少公示到 {earliest}",
            "The notice must run {days} working days: until {earliest} at least",
        ),
        "rule:adult_age": _M(
            "年满十八周岁（{earliest}）才能申请入党", "Applicants must be 18 (from {earliest})"
        ),
        "rule:talk_within": _M(
            "应在收到入党申请后规定期限内（最迟 {deadline}）派人谈话，已超期",
            "The talk was due within the period after the application (by {deadline})",
        ),
        "rule:activist_after_application": _M(
            "递交入党申请满规定期限后（{earliest} 起）才能确定为入党积极分子",
            "An applicant becomes an activist only after the set period ({earliest} on)",
        ),
        "rule:candidate_after_activist": _M(
            "经过一年以上培养教育和考察（{earliest} 起）才能列为发展对象",
            "An activist becomes a candidate after at least a year ({earliest} on)",
        ),
        "rule:review_interval": _M(
            "每半年应考察一次：上次考察后最迟 {deadline} 应有考察记录，已中断",
            "A review was due every half year (by {deadline}); the chain is broken",
        ),
        "rule:training_minimum": _M(
            "集中培训不少于 {days} 天或 {hours} 学时",
            "Training must last {days} days or {hours} hours at least",
        ),
        "rule:leaving_unit_soon": _M(
            "发展对象三个月内将离开工作单位，一般不予接收",
            "A candidate leaving their unit within three months is generally not admitted",
        ),
        "rule:approval_within": _M(
            "上级党委应在支部大会后三个月内审批（最迟 {deadline}），已超期；特殊情况请注明",
            "Approval was due within three months of the meeting (by {deadline})",
        ),
        "rule:approval_within_special": _M(
            "特殊情况下审批也不得超过六个月（最迟 {deadline}）",
            "Even in special cases approval is due within six months (by {deadline})",
        ),
        "rule:probation": _M(
            "预备期满（{earliest}）才能办理转正",
            "转正 is possible when probation ends ({earliest})",
        ),
        # a step's input
        "development_step_invalid": _M(
            "该步骤的登记内容有 {count} 处问题", "The step has {count} problem(s)"
        ),
        "development_decision_not_allowed": _M(
            "该步骤不能作出这一决定", "This step cannot take that decision"
        ),
        "development_decision_computed": _M(
            "表决结果由票数计算，不能填写", "A vote's outcome is computed from the counts"
        ),
        "development_documents_missing": _M(
            "缺少该步骤要求的材料：{kinds}", "Documents the step needs are missing: {kinds}"
        ),
        "development_document_not_found": _M(
            "找不到该佐证材料，或尚未确认上传", "No such confirmed evidence"
        ),
        "development_meeting_required": _M(
            "该步骤须在会议上办理，请填写会议（{kind}）", "The step needs its meeting ({kind})"
        ),
        "development_meeting_kind": _M("会议类型不符，应为 {kind}", "The meeting must be a {kind}"),
        "development_meeting_day": _M(
            "步骤日期应为会议召开当天", "The step is dated the day of its meeting"
        ),
        "development_meeting_elsewhere": _M(
            "会议应由申请人所在党支部召开", "The meeting must be one of the applicant's branch"
        ),
        "development_step_unknown": _M("没有这个步骤（1–25）", "No such step (1–25)"),
        "development_vote_required": _M("请填写表决票数", "The vote counts are needed"),
        "development_vote_not_taken": _M("该步骤不表决", "This step takes no vote"),
        "development_vote_negative": _M("票数不能为负", "Counts cannot be negative"),
        "development_vote_nobody": _M(
            "应到会有表决权的正式党员人数不能为零", "Someone must be entitled to vote"
        ),
        "development_vote_too_many": _M("实到人数不能多于应到人数", "More present than entitled"),
        "development_vote_more_ballots": _M(
            "赞成、反对、弃权票之和不能多于实到人数", "More ballots than members present"
        ),
        "development_people_not_named": _M("该步骤不指定人员", "This step names no one"),
        "development_mentors_count": _M(
            "应指定 {least} 至 {most} 名培养联系人", "Name {least} to {most} mentors"
        ),
        "development_sponsors_count": _M("应确定 {least} 名入党介绍人", "Name {least} sponsors"),
        "development_not_full_member": _M(
            "只能由本平台的正式党员担任", "Must be a full member registered here"
        ),
        "development_extended_once": _M(
            "预备期只能延长一次", "Probation can be extended only once"
        ),
        "development_extension_range": _M(
            "延长预备期 {least} 至 {most} 个月", "Extend probation by {least} to {most} months"
        ),
        "development_notice_required": _M(
            "该步骤须公示，请填写公示起止日期", "The step needs its public notice dates"
        ),
        "development_notice_dates": _M(
            "公示应在该步骤当天或之后开始，且结束不早于开始",
            "The notice starts on or after the step and ends after it starts",
        ),
        "development_training_required": _M(
            "请填写培训天数或学时", "Give the training's days or hours"
        ),
        # who approves
        "development_no_approver": _M(
            "该党支部上级没有具有审批权的基层党委，无法审批",
            "No party committee with approval authority above this branch",
        ),
        "development_not_approver": _M(
            "{name}没有审批发展党员的权限", "{name} has no authority to approve admissions"
        ),
        # applicants
        "development_applicant_invalid": _M(
            "入党申请人信息有 {count} 处问题", "The applicant has {count} problem(s)"
        ),
        "development_name_required": _M("请填写姓名", "The name is required"),
        "development_name_too_long": _M("姓名不能超过 {limit} 个字", "At most {limit} characters"),
        "development_branch_only": _M(
            "入党申请人应由党支部受理，{kind}不能受理",
            "Only a branch takes applicants, not a {kind}",
        ),
        "development_organization_not_found": _M("找不到该党组织", "No such organization"),
        "development_duplicate_applicant": _M(
            "该身份证号已登记为入党申请人", "This 身份证号 is already registered as an applicant"
        ),
        # the standard forms (入党志愿书, 政审, 培养考察) and the archive
        "development_form_invalid": _M(
            "材料填写有误（{count} 处）", "The form has {count} fault(s)"
        ),
        "development_form_not_yet": _M(
            "发展档案办理到第 {step} 步后才能填写{form}", "This form follows step {step}"
        ),
        "development_form_exists": _M(
            "该发展档案已有{form}，不能重复填写", "The file already holds this form"
        ),
        "development_form_in_future": _M(
            "日期不能晚于今天（{today}）", "Cannot be after today ({today})"
        ),
        "development_form_period_reversed": _M(
            "结束日期不能早于开始日期", "The end cannot precede the start"
        ),
        "development_form_after_filled": _M(
            "经历不能晚于填写日期", "Cannot begin after the form was filled in"
        ),
        "development_form_after_recorded": _M(
            "考察期不能晚于记录日期", "The period cannot end after the record's date"
        ),
        "development_step_needs_form": _M(
            "第 {step} 步须先填写{form}", "Step {step} needs the form recorded first"
        ),
        "development_vetting_unqualified": _M(
            "政治审查结论为不合格，不能列为发展对象继续办理",
            "The political review concluded unqualified",
        ),
        "development_form_repeated": _M("不能重复", "Listed twice"),
        "development_scan_not_found": _M("找不到该扫描件，或尚未上传完成", "No such attached scan"),
        "development_archive_not_ready": _M(
            "归档文件尚未生成（{status}）", "The archive is not ready ({status})"
        ),
        # reasons the member record keeps
        "development_reason_full": _M(
            "支部大会讨论通过，上级党委批准按期转正", "Full membership approved"
        ),
        "development_reason_revoked": _M(
            "支部大会讨论，上级党委批准取消预备党员资格", "Probation revoked"
        ),
        # time rules a tenant sets
        "development_rules_invalid": _M("发展党员时间规则设置有误", "The time rules are invalid"),
        "development_rule_unknown": _M("未知的时间规则", "Unknown time rule"),
        "development_rule_negative": _M("不能为负数", "Cannot be negative"),
        "development_rule_looser_min": _M(
            "只能从严：不得少于全国规定的 {national}（{unit}）",
            "May only tighten: at least the national {national} ({unit})",
        ),
        "development_rule_looser_max": _M(
            "只能从严：不得多于全国规定的 {national}（{unit}）",
            "May only tighten: at most the national {national} ({unit})",
        ),
    },
)
