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
        # star ratings (星级评定)
        "star_scheme_invalid": Message(
            "星级评定方案不符合要求，请按各字段的提示修改",
            "The star scheme is invalid; see each field",
        ),
        "star_band_repeated": Message("同一星级只能定义一次", "Each star count is defined once"),
        "star_band_min_missing": Message(
            "按分数线评定时每一档需填写最低分", "A threshold band needs its minimum score"
        ),
        "star_band_share_missing": Message(
            "按比例评定时每一档需填写比例（%）", "A share band needs its share in percent"
        ),
        "star_shares_over_100": Message("各档比例之和超过 100%", "The shares add up to over 100 %"),
        "star_thresholds_not_descending": Message(
            "星级越高，分数线应越高", "A higher star needs a higher minimum score"
        ),
        "star_indicators_for_members": Message(
            "党员星级按积分评定，不设指标", "Member stars are graded on points, without indicators"
        ),
        "star_excluded_classes_for_branches": Message(
            "按人员类别不参评只适用于党员星级", "Only member stars leave classes out"
        ),
        "star_scheme_changed": Message(
            "评定方案刚被修改，请重新读取后再改", "The scheme just changed; read it and try again"
        ),
        "star_indicator_repeated": Message("指标重复", "The indicator is listed twice"),
        "star_indicator_unknown": Message(
            "未知的指标 {indicator}；人工评分的指标请标明 manual",
            "Unknown indicator {indicator}; mark manually scored ones as manual",
        ),
        "star_requirement_unknown": Message(
            "五星条件须是方案中的指标", "The five-star requirement must be one of the indicators"
        ),
        "star_run_exists": Message(
            "该期间已有评定（{run}）", "This period has been rated already ({run})"
        ),
        "star_appeal_not_own": Message(
            "只能对本人的星级提出申诉", "Only the rated member appeals their rating"
        ),
        "star_appeal_not_open": Message(
            "公示尚未开始，暂不能申诉", "The notice period has not begun; no appeal yet"
        ),
        "star_appeal_closed": Message(
            "公示期已过，评定结果已生效", "The notice period is over; the rating stands"
        ),
        "star_appeal_repeated": Message(
            "该评定已提出过申诉", "This rating has been appealed already"
        ),
        "star_appeal_invalid": Message("申诉或决定不符合要求", "The appeal or decision is invalid"),
        "star_reason_missing": Message("请填写理由", "Give a reason"),
        "star_upheld_needs_stars": Message(
            "支持申诉时请给出改定的星级", "Upholding an appeal names the new stars"
        ),
        "star_appeal_decide_own": Message("不能决定本人的申诉", "Nobody decides their own appeal"),
        "star_appeal_none_open": Message("没有待决定的申诉", "There is no open appeal"),
        "star_score_not_manual": Message(
            "{indicator} 不是人工评分的指标", "{indicator} is not a manually scored indicator"
        ),
        "star_score_next_level": Message(
            "人工评分项由上一级党组织评定", "Manual items are scored by the next level up"
        ),
        "star_score_over_weight": Message(
            "评分不能超过该项分值 {weight}", "The score may not exceed the item's weight {weight}"
        ),
        "star_score_invalid": Message("评分不符合要求", "The score is invalid"),
        "star_branch_only": Message(
            "只有党支部参加星级党支部评定", "Only branches are rated as branches"
        ),
    },
)
