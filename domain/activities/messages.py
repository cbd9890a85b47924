"""Every sentence the activities context says to its users, by key (usually the error code).

Keys that would clash with another context's (`token_expired` of a login token, a generic
`member_not_found`) are prefixed here; the code clients see is given where raised.
"""

from __future__ import annotations

from domain.shared import Catalogue, Message

MESSAGES = Catalogue(
    "activities",
    {
        # planning an activity
        "activity_timezone_required": Message("时间必须带时区。", "Times must include an offset."),
        "ends_before_start": Message("结束时间应晚于开始时间。", "The end must follow the start."),
        "activity_coordinates_incomplete": Message(
            "经纬度须同时提供。", "Give both latitude and longitude."
        ),
        "geofence_needs_place": Message(
            "开启签到范围须提供活动地点坐标和半径。",
            "A geofence needs the place's coordinates and a radius.",
        ),
        "invalid_coordinates": Message("坐标超出有效范围。", "Coordinates are out of range."),
        "invalid_geofence": Message(
            "签到范围半径必须大于零。", "The geofence radius must be positive."
        ),
        "activity_organization_not_found": Message(
            "党组织不存在或不可见。", "The organization does not exist or is not visible."
        ),
        "joint_organization_other_tenant": Message(
            "联合开展的党组织须属于同一机关工委。",
            "Joint organizations must belong to the same tenant.",
        ),
        "organization_required": Message(
            "活动至少要有一个主办党组织。", "An activity needs an organizer organization."
        ),
        # lifecycle
        "activity_invalid_transition": Message(
            "活动状态不能从“{current}”变为“{target}”。",
            "An activity cannot go from {current_code} to {target_code}.",
        ),
        "cancel_reason_required": Message(
            "取消活动须填写原因。", "Cancelling an activity needs a reason."
        ),
        "activity_closed": Message(
            "已归档或已取消的活动不能修改。", "Archived or cancelled activities are final."
        ),
        "activity_closed_for_corrections": Message(
            "已归档的活动不能更正签到。", "Archived activities are final."
        ),
        "activity_closed_for_leave": Message(
            "活动已归档或已取消，不能请假。", "The activity is archived or cancelled."
        ),
        "activity_has_records": Message(
            "只有尚无签到记录的计划中活动可以删除；其他情况请取消活动并说明原因。",
            "Only a planned activity without check-ins can be deleted; cancel it instead.",
        ),
        "activity_has_evidence": Message(
            "该活动已有佐证材料等记录，请取消活动并说明原因。",
            "The activity has records (evidence); cancel it instead.",
        ),
        # expected attendees
        "already_expected": Message(
            "该党员已在应到人员名单中。", "This member is already expected."
        ),
        "not_expected": Message(
            "该党员不在应到人员名单中。", "This member is not on the expected list."
        ),
        "attendee_not_in_tenant": Message(
            "党员不存在，或不属于本活动的机关工委。", "No such member in this activity's tenant."
        ),
        "attendee_member_inactive": Message(
            "该党员已停止党籍或已除名，不能列为应到人员。",
            "Suspended or removed members cannot be expected.",
        ),
        # check-in
        "not_on_roster": Message(
            "您不在本次活动的应到人员名单中。", "You are not on this activity's attendee list."
        ),
        "activity_not_open": Message(
            "活动当前不接受签到（未开始、已取消或已归档）。",
            "The activity is not open for check-in (not started, cancelled or archived).",
        ),
        "outside_window": Message(
            "不在签到时间内。", "Check-in is outside the allowed time window."
        ),
        "outside_geofence": Message(
            "当前位置不在活动签到范围内。", "You are outside the activity's check-in area."
        ),
        "location_required": Message(
            "本次活动签到需要提供位置。", "This activity needs your location to check in."
        ),
        "token_required": Message(
            "请扫描现场签到二维码。", "Scan the check-in code on display at the activity."
        ),
        "checkin_token_expired": Message(
            "签到二维码已过期，请扫描现场最新的二维码。",
            "The check-in code has expired; scan the code currently on display.",
        ),
        "checkin_token_invalid": Message(
            "签到二维码无效，请扫描本次活动现场的二维码。",
            "This check-in code is not valid for this activity.",
        ),
        "occurred_in_future": Message(
            "签到时间晚于服务器时间，请校准手机时间后重试。",
            "The check-in time is in the future; correct the phone's clock and retry.",
        ),
        "sync_too_late": Message(
            "离线签到上传过晚，已超过活动结束后的补传期限。",
            "This offline check-in was uploaded after the deadline following the activity.",
        ),
        "self_checkin_required": Message(
            "本单位要求党员本人签到，不能代签。",
            "This organization requires members to check in themselves.",
        ),
        "occurred_at_timezone_required": Message(
            "签到时间必须带时区。", "occurred_at must include a UTC offset."
        ),
        "checked_in": Message("签到成功。", "Checked in."),
        "already_checked_in": Message("您已签到。", "You have already checked in."),
        "checkin_withdrawn": Message(
            "这条签到已被更正撤销，不再计入。",
            "This check-in was withdrawn by a correction; it does not count.",
        ),
        "client_id_conflict": Message(
            "该客户端编号已用于另一条签到。",
            "This client_id was already used for another check-in.",
        ),
        "sync_activity_not_found": Message(
            "活动不存在，或您不在该活动的范围内。", "No such activity, or it is not one of yours."
        ),
        "batch_too_large": Message(
            "每批最多同步 {limit} 条签到。", "A batch holds at most {limit} check-ins."
        ),
        "checkin_member_not_found": Message("党员不存在。", "No such member."),
        "not_a_member_to_check_in": Message(
            "您的账号未关联党员信息，不能本人签到；代签请指定 member_id。",
            "Your account is not linked to a member record; give member_id to mark someone else.",
        ),
        "not_a_member_to_sync": Message(
            "您的账号未关联党员信息，不能同步签到。", "Your account has no member record."
        ),
        # leave
        "not_a_member_to_ask_leave": Message(
            "您的账号未关联党员信息。", "Your account has no member record."
        ),
        "leave_not_on_roster": Message(
            "该党员不在本次活动的应到人员名单中。", "Not on this activity's list."
        ),
        "leave_reason_required": Message("请假须填写事由。", "A leave request needs a reason."),
        "leave_already_requested": Message(
            "已有待审批或已批准的请假申请。", "A leave request is already open."
        ),
        "leave_already_decided": Message(
            "该请假申请已处理，不能再次变更。", "This leave request is already {status}."
        ),
        # compliance
        "compliance_invalid_period": Message(
            "期间格式应为 2026、2026-05、2026-Q2 或 2026-H1。",
            "The period is like 2026, 2026-05, 2026-Q2 or 2026-H1.",
        ),
        "compliance_invalid_year": Message("年份超出范围。", "The year is out of range."),
        "invalid_frequency_setting": Message(
            "活动频次设置有误。", "The activity frequency settings are invalid."
        ),
        "unknown_activity_kind": Message(
            "未知的活动类型：{name}。", "Unknown activity kind: {name}."
        ),
        "unknown_frequency": Message("未知的频次：{value}。", "Unknown frequency: {value}."),
    },
)
