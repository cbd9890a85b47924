"""Every sentence the points context (积分) shows to people, by code (zh-CN and en)."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "points",
    {
        # rule sets (积分规则)
        "point_rules_invalid": Message(
            "积分规则不符合要求，请按各字段的提示修改",
            "The point rules are invalid; see each field",
        ),
        "point_item_source_missing": Message(
            "请选择该积分项的来源（出席活动、请假、缺席、上传佐证、志愿服务时长或人工奖扣）",
            "Choose what earns this item (attendance, leave, absence, evidence, volunteer hours "
            "or a manual award)",
        ),
        "point_item_kind_missing": Message(
            "出席活动类积分项需指明活动类型", "An attendance item needs an activity kind"
        ),
        "point_item_kind_unknown": Message("未知的活动类型 {kind}", "Unknown activity kind {kind}"),
        "point_item_category_missing": Message(
            "人工奖扣类积分项需指明类别", "A manual award item needs a category"
        ),
        "point_item_points_zero": Message("分值不能为 0", "Points may not be 0"),
        "point_item_cap_below_award": Message(
            "每期上限 {cap} 低于单次分值 {points}，一次也记不满",
            "A cap of {cap} per period is below one award of {points}",
        ),
        "point_item_code_repeated": Message(
            "积分项编码 {item} 重复", "The item code {item} is used twice"
        ),
        "point_class_unknown": Message(
            "未定义的党员类别 {klass}，请先在 classes 中定义", "Undefined member class {klass}"
        ),
        "point_class_repeated": Message(
            "党员类别 {klass} 重复", "The class {klass} is listed twice"
        ),
        "point_exclusion_age_missing": Message(
            "按年龄排除需填写年龄（岁）", "An age exclusion needs the age in years"
        ),
        "point_exclusion_condition_missing": Message(
            "按情形排除需填写情形（如 long_illness）",
            "A condition exclusion needs the condition (e.g. long_illness)",
        ),
        "point_version_overlaps": Message(
            "新版本须晚于已有版本 {version} 的生效日期 {start}",
            "A new version must start after version {version}, which starts on {start}",
        ),
        "point_condition_invalid": Message(
            "情形应为 1 到 40 个字符（如 long_illness）",
            "A condition has 1 to 40 characters (e.g. long_illness)",
        ),
        "point_rules_none": Message(
            "本租户及其上级均未设置积分规则", "Neither this tenant nor any above it has point rules"
        ),
        "point_period_invalid": Message(
            "期间应写作 2026、2026-Q2 或 2026-05", "Write the period as 2026, 2026-Q2 or 2026-05"
        ),
        # manual awards (人工奖扣)
        "point_award_invalid": Message("奖扣申请不符合要求", "The award is invalid"),
        "point_award_own": Message(
            "不能审批自己提出的奖扣，也不能审批给自己的奖扣",
            "Nobody approves their own proposal or an award for themselves",
        ),
        "point_award_for_self": Message(
            "不能为自己申请奖扣", "Nobody proposes an award for themselves"
        ),
        "point_award_decided": Message(
            "该奖扣已经审批（{status}）", "The award has been decided already ({status})"
        ),
        "point_award_same_level": Message(
            "奖扣须由上一级党组织审批", "An award is decided by the next level up"
        ),
        "point_award_reason_missing": Message("请填写理由", "Give a reason"),
        "point_award_points_zero": Message("分值不能为 0", "Points may not be 0"),
        "point_member_not_active": Message(
            "只能为在册党员（预备或正式）记积分", "Only probationary or full members earn points"
        ),
    },
)
