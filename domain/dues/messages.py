"""Every sentence the dues context shows to people, by code (zh-CN and en)."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "dues",
    {
        # rules, as the calculator names them
        "rule_fixed": Message(
            "{category}每月交纳 {amount} 元", "{category}: {amount} yuan a month"
        ),
        "rule_bracket_first": Message(
            "月收入 {up_to} 元以下（含）按 {rate}% 交纳",
            "Monthly income up to {up_to} yuan (inclusive): {rate}%",
        ),
        "rule_bracket": Message(
            "月收入 {above} 元以上至 {up_to} 元（含）按 {rate}% 交纳",
            "Monthly income above {above} up to {up_to} yuan (inclusive): {rate}%",
        ),
        "rule_bracket_last": Message(
            "月收入 {above} 元以上按 {rate}% 交纳", "Monthly income above {above} yuan: {rate}%"
        ),
        # calculator and standards
        "dues_income_needed": Message(
            "在职和离退休党员须填写每月收入（分，不小于 0）",
            "Employed and retired members need a monthly income in fen (0 or more)",
        ),
        "dues_income_not_used": Message(
            "该类别按固定金额交纳，不填写收入",
            "This category pays a fixed amount; leave the income out",
        ),
        "dues_standard_invalid": Message(
            "交纳标准不符合规则，请按提示修改", "The dues standard is invalid"
        ),
        "standard_brackets_missing": Message(
            "缺少该类别的收入档次", "Income brackets are missing for this category"
        ),
        "standard_category_not_bracketed": Message(
            "该类别按固定金额交纳，不设收入档次", "This category has no brackets"
        ),
        "standard_category_not_fixed": Message(
            "该类别按收入比例交纳，不设固定金额", "This category has no fixed amount"
        ),
        "standard_fixed_missing": Message(
            "须填写每月固定金额（分，至少 1 分）", "A fixed monthly amount in fen (≥ 1) is needed"
        ),
        "standard_rate_range": Message(
            "比例须在 1 到 10000 个万分点之间", "A rate is 1 to 10000 basis points"
        ),
        "standard_last_unbounded": Message(
            "最后一档不设上限（up_to_fen 为 null）", "The last bracket has no upper bound"
        ),
        "standard_bounds_rising": Message(
            "各档上限须逐档递增", "Upper bounds must rise from bracket to bracket"
        ),
        "dues_standard_exists": Message(
            "本租户在该日期已有生效的交纳标准版本", "A version already takes effect on that day"
        ),
        "dues_standard_forbidden": Message(
            "无权设置该租户的交纳标准", "You may not set this tenant's dues standard"
        ),
        # bases and reliefs
        "dues_base_invalid": Message(
            "党费基数不符合规则，请按提示修改", "The dues base is invalid"
        ),
        "base_income_kind_mismatch": Message(
            "收入类型与类别不符：在职为工资、年薪制或个体经营，离退休为离退休费",
            "The income kind does not fit the category",
        ),
        "dues_same_person": Message(
            "申报或提出人不能自己审批，请由另一位有权限的人员审批",
            "Whoever declared or proposed it cannot approve it",
        ),
        "dues_already_decided": Message(
            "已审批过（当前状态：{status}），不能再次审批", "Already decided ({status})"
        ),
        "dues_relief_invalid": Message("减免申请不符合规则，请按提示修改", "The relief is invalid"),
        "relief_amount_needed": Message(
            "减交须填写每月应交金额（分）", "A reduction needs the monthly amount in fen"
        ),
        "relief_amount_not_used": Message("免交不填写金额", "An exemption has no amount"),
        "relief_period": Message(
            "结束月份不能早于开始月份，且期限不超过 {most} 个月",
            "The period runs forward and lasts at most {most} months",
        ),
        "relief_next_level": Message(
            "减免须由党支部的上级党组织审批", "A relief is approved by the branch's next level"
        ),
        "dues_member_inactive": Message(
            "该党员不在党籍（已停止党籍或除名），不交纳党费",
            "This member is not in good standing and pays no dues",
        ),
        # bills
        "dues_bill_month_future": Message(
            "不能为以后的月份生成缴费单", "Bills are not made for future months"
        ),
        "dues_prepay_too_far": Message(
            "最多可预交到 {last}（经支部同意可预交的月数见租户设置 dues_months_ahead）",
            "Dues may be paid ahead up to {last} (the tenant's dues_months_ahead)",
        ),
        "dues_prepay_not_billable": Message(
            "{month} 无法预先生成缴费单（{reason}）",
            "No bill can be made ahead for {month} ({reason})",
        ),
        # payments
        "payment_mismatch": Message(
            "支付结果与订单不符（{fields}），未作任何变更",
            "The payment does not match its order ({fields}); nothing changed",
        ),
        "payment_signature_invalid": Message(
            "支付通知的签名无效，未作任何变更", "The notification's signature is invalid"
        ),
        "payment_serial_unknown": Message(
            "支付通知的平台证书序列号未知", "The notification names an unknown certificate"
        ),
        "payment_callback_stale": Message(
            "支付通知的时间戳超出允许范围（可能是重放）",
            "The notification's timestamp is out of range (a replay?)",
        ),
        "payment_resource_invalid": Message(
            "支付通知的加密内容无法解密或格式不对",
            "The notification's resource cannot be decrypted or read",
        ),
        "payment_order_unknown": Message(
            "支付通知所指的订单不存在，未作任何变更", "The notification names no known order"
        ),
        "dues_payment_months": Message(
            "一次可交 1 到 {most} 个月的党费", "A payment covers 1 to {most} months"
        ),
        "dues_bill_not_payable": Message(
            "该缴费单已结清或已免交，无需再交", "This bill is paid or exempted already"
        ),
        "dues_payment_months_missing": Message(
            "要交 {months} 个月，但从该月起只有 {found} 张未交的缴费单",
            "{months} months were asked, only {found} unpaid bills follow from this one",
        ),
        "dues_payment_in_flight": Message(
            "该缴费单正在支付中（订单 {payment_id}），请完成或等待其过期后再试",
            "A payment of this bill is in flight ({payment_id}); finish or let it expire",
        ),
        "dues_pay_own": Message(
            "只能由党员本人在线交纳自己的党费（不得垫交）",
            "Members pay their own dues online; nobody pays for another",
        ),
        "dues_receipt_missing": Message(
            "该缴费单尚未交纳，没有收据", "This bill is not paid; it has no receipt"
        ),
        "dues_idempotency_key_required": Message(
            "涉及资金的请求必须带 Idempotency-Key 请求头",
            "Requests that move money need an Idempotency-Key header",
        ),
        "dues_statement_invalid": Message(
            "对账单第 {line} 行无法读取（应为支付渠道的交易账单 CSV）",
            "Line {line} of the statement cannot be read (a provider's trade bill CSV)",
        ),
        "dues_difference_resolved": Message(
            "该差异已处理过，不能再次处理", "This difference has been resolved already"
        ),
        "dues_credit_none": Message(
            "该笔支付没有可退的多交金额", "This payment has no credit to refund"
        ),
        # arrears and voluntary payments
        "dues_voluntary_invalid": Message(
            "自愿多交党费不符合规则，请按提示修改", "The voluntary payment is invalid"
        ),
        "voluntary_amount": Message("金额须至少 1 分", "The amount is at least 1 fen"),
        # the monthly close
        "dues_month_exists": Message(
            "该月已开始收缴（状态：{status}）", "This month is already open ({status})"
        ),
        "dues_month_closed": Message(
            "该月已结账，数字不再改变；更正记入当月",
            "This month is closed and its figures are final; corrections go to the current month",
        ),
        "dues_month_not_billed": Message(
            "该月还没有缴费单，请先生成缴费单", "This month has no bills yet; run its bills first"
        ),
        "dues_branch_not_ready": Message(
            "还有 {count} 张缴费单未交清、未缓交也未免交，不能上报",
            "{count} bills are neither paid, deferred nor exempted: the month cannot be reported",
        ),
        "dues_branch_reported": Message(
            "该党组织已上报本月", "This organization has already reported the month"
        ),
        "dues_branch_no_bills": Message(
            "该党组织本月没有缴费单，无须上报", "This organization has no bills this month"
        ),
        "dues_month_unreported": Message(
            "还有 {count} 个党组织未上报本月，不能结账",
            "{count} organizations have not reported the month: it cannot be closed",
        ),
        "dues_bill_settled": Message(
            "该缴费单已交清或已免交，无须缓交", "This bill is settled and needs no deferral"
        ),
        "dues_bill_deferred": Message("该缴费单已缓交", "This bill is already deferred"),
        # summaries
        "dues_summary_range": Message(
            "月份范围不对：起始月份不晚于结束月份，最多 {most} 个月",
            "The months run forward, at most {most} of them",
        ),
    },
)
