"""Every sentence the integration context shows to people, by code (zh-CN and en)."""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "integration",
    {
        # scopes
        "scope:organizations:read": Message(
            "读取本范围的租户和党组织", "Read the tenants and organizations in scope"
        ),
        "scope:members:read": Message("读取党员信息（敏感字段脱敏）", "Read members (masked)"),
        "scope:members:write": Message("新增和修改党员信息", "Create and update members"),
        "scope:members:sensitive:read": Message(
            "读取党员身份证号和手机号明文（每次读取记入审计）",
            "Read members' 身份证号 and phone in clear (every read is audited)",
        ),
        "scope:activities:read": Message(
            "读取组织生活活动及签到记录", "Read activities and their check-ins"
        ),
        "scope:checkins:write": Message("为党员签到", "Check members in"),
        "scope:points:read": Message(
            "读取积分规则、积分明细和奖扣（个人积分受租户公开设置限制）",
            "Read point rules, ledgers and awards (individual points as the tenant allows)",
        ),
        "scope:events:read": Message(
            "读取本范围的事件（事件流和 Webhook）", "Read the events in scope (feed, webhooks)"
        ),
        "api_client_invalid": Message("接口客户端的设置不符合规则", "The API client is invalid"),
        "api_scope_unknown": Message("未知的授权范围 {scope}", "Unknown scope {scope}"),
        "api_scopes_empty": Message("至少需要一个授权范围", "At least one scope is needed"),
        "api_scope_escalation": Message(
            "不能授予自己没有的权限：{missing}",
            "A scope may not exceed what you hold: {missing}",
        ),
        "api_scope_not_held": Message("你在该范围内没有此权限", "You do not hold it there"),
        "api_overlap_range": Message(
            "过渡期应在 0 到 {most} 秒之间", "The overlap must be 0 to {most} seconds"
        ),
        "api_client_revoked": Message("接口客户端已吊销", "The API client is revoked"),
        # the event feed
        "event:member.created": Message("党员记录已建立", "A member record was created"),
        "event:member.updated": Message("党员记录已修改", "A member record was changed"),
        "event:member.status_changed": Message("党员状态已变更", "A member's status changed"),
        "event:checkin.recorded": Message("已签到", "A check-in was recorded"),
        "event:evidence.attached": Message("佐证材料已上传", "Evidence was attached"),
        "event:evidence.deleted": Message("佐证材料已删除", "Evidence was deleted"),
        "event_types_not_readable": Message(
            "没有读取这些事件类型的权限", "You may not read these event types"
        ),
        "event_type_not_readable": Message(
            "读取 {type} 事件需要 {permission} 权限",
            "Reading {type} events needs {permission}",
        ),
        "event_types_none_readable": Message(
            "你的授权范围不能读取任何事件类型（如 members:read、activities:read）",
            "Your scopes read no event type (e.g. members:read, activities:read)",
        ),
        "events_tenant_wide": Message(
            "事件流按租户提供；只限于某党组织的接口客户端不能读取",
            "The event feed is per tenant; a client confined to one organization cannot read it",
        ),
        # OAuth2 token endpoint (RFC 6749 §5.2 error_description)
        "oauth_invalid_request": Message(
            "请求缺少参数或参数重复：{detail}",
            "The request is missing or repeats a parameter: {detail}",
        ),
        "oauth_invalid_client": Message("客户端认证失败", "Client authentication failed"),
        "oauth_unsupported_grant_type": Message(
            "只支持 client_credentials", "Only client_credentials is supported"
        ),
        "oauth_invalid_scope": Message(
            "请求的授权范围超出客户端的授权：{scope}",
            "The scope asked for exceeds the client's: {scope}",
        ),
    },
)
