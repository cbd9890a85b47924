"""Every sentence the transfers context shows to people, by code (zh-CN and en)."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "transfers",
    {
        "transfer_state_changed": Message(
            "该转接已是“{state}”状态，不能{action}",
            "The transfer is already {state_en}; it cannot be {action_en}",
        ),
        "transfer_open_exists": Message(
            "该党员已有一件未办结的组织关系转接",
            "The member already has an open transfer",
        ),
        "transfer_member_inactive": Message(
            "该党员当前状态（{status}）不能转接组织关系",
            "A member in this status ({status}) cannot be transferred",
        ),
        "transfer_probation_due": Message(
            "预备期已于 {ended} 届满，须先由支部讨论其转正，再转接组织关系",
            "Probation ended on {ended}: the branch must decide on full membership first",
        ),
        "transfer_dues_unpaid": Message(
            "党费未交清：尚欠 {months} 个月共 {amount} 元，交清后方可提交",
            "Dues unpaid: {months} months, {amount} yuan; pay them before submitting",
        ),
        "transfer_target_needed": Message(
            "转入本平台的党组织须选择目标党组织（organization_id）",
            "A transfer within the platform needs the target organization_id",
        ),
        "transfer_target_outside_needed": Message(
            "转出平台须填写接收党组织名称（outside_organization）",
            "A transfer out of the platform needs outside_organization",
        ),
        "transfer_target_kind": Message(
            "转接类型与目标党组织所在租户不符",
            "The transfer type does not match the target's tenant",
        ),
        "transfer_target_same": Message(
            "目标党组织就是该党员现在所在的党组织",
            "The target is the member's own organization",
        ),
        "transfer_target_not_branch": Message(
            "只能转入党支部（或临时党支部）",
            "A member can only be transferred to a branch",
        ),
        "transfer_not_your_level": Message(
            "本级审批须由第 {level} 级党组织（{domain}）办理",
            "This approval is due at level {level} ({domain})",
        ),
        "transfer_reason_needed": Message(
            "退回或不同意须说明理由", "Returning or rejecting needs a reason"
        ),
        "transfer_letter_none": Message(
            "该转接尚未开具介绍信", "No letter has been issued for this transfer"
        ),
        "transfer_receipt_outside_only": Message(
            "只有转出平台的转接由转出方登记纸质回执",
            "Only a transfer out of the platform closes on a recorded paper receipt",
        ),
        "mobile_certificate_period": Message(
            "流动党员活动证的有效期须从开始日起不超过六个月",
            "A mobile member's certificate lasts at most six months from its first day",
        ),
        "mobile_certificate_open": Message(
            "该党员已有一张未收回的流动党员活动证", "The member already holds an open certificate"
        ),
        "mobile_certificate_closed": Message(
            "该流动党员活动证已收回", "The certificate is already closed"
        ),
        "mobile_host_not_arrived": Message(
            "流入地党组织须先登记该党员报到，才能记录其组织生活、党费或鉴定意见",
            "The host records the member's arrival before anything else",
        ),
        "mobile_host_entry_date": Message(
            "记录日期须在活动证有效期内，且不晚于今天",
            "The date must lie within the certificate's period and not after today",
        ),
        "mobile_host_entry_dues": Message(
            "党费记录须填所属月份和金额，其他记录不填",
            "A dues entry needs its month and amount; other entries have neither",
        ),
        "mobile_host_entry_once": Message(
            "该活动证的这项记录已登记过", "This entry is already recorded for the certificate"
        ),
        "transfer_member_moved": Message(
            "接收失败：该党员已不在原党组织，转接未生效",
            "Acceptance failed: the member is no longer where the letter says",
        ),
    },
)
