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
        "scope:applicants:read": Message(
            "读取入党申请人及其发展档案（敏感字段脱敏）", "Read applicants and their files (masked)"
        ),
        "scope:applicants:write": Message(
            "登记入党申请人和党支部办理的发展步骤", "Register applicants and record branch steps"
        ),
        "scope:applicants:sensitive:read": Message(
            "读取入党申请人身份证号和手机号明文（每次读取记入审计）",
            "Read applicants' 身份证号 and phone in clear (every read is audited)",
        ),
        "scope:dues:read": Message(
            "读取党费标准、基数、减免和缴费单", "Read dues standards, bases, reliefs and bills"
        ),
        "scope:dues:write": Message(
            "申报党费基数、提出减免、生成缴费单", "Declare dues bases, propose reliefs, make bills"
        ),
        "scope:transfers:read": Message(
            "读取组织关系转接及其介绍信、流动党员活动证",
            "Read membership transfers, their letters and mobile members' certificates",
        ),
        "scope:events:read": Message(
            "读取本范围的事件（事件流和 Webhook）", "Read the events in scope (feed, webhooks)"
        ),
        "scope:webhooks:write": Message(
            "管理本客户端的 Webhook 订阅并查看投递记录",
            "Manage this client's webhook subscriptions and read their deliveries",
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
        # webhooks
        "webhook_invalid": Message("Webhook 订阅的设置不符合规则", "The webhook is invalid"),
        "webhook_url_invalid": Message(
            "地址应为 http(s) 网址，且不含用户名、密码和 # 片段",
            "The URL must be http(s) without credentials or a fragment",
        ),
        "webhook_url_private": Message(
            "不能推送到本机、内网或链路本地地址",
            "The URL may not point to a loopback, private or link-local address",
        ),
        "webhook_event_type_unknown": Message("未知的事件类型 {type}", "Unknown event type {type}"),
        "webhook_event_types_empty": Message(
            "至少需要订阅一种事件类型", "Subscribe to at least one event type"
        ),
        "webhook_clients_only": Message(
            "只有持有 webhooks:write 授权范围的接口客户端才能管理 Webhook",
            "Only an API client with the webhooks:write scope manages webhooks",
        ),
        "webhook_redeliver_range": Message(
            "请给出 event_id，或 since 与 until（until 晚于 since，跨度不超过 {days} 天）",
            "Give event_id, or since and until (until after since, at most {days} days apart)",
        ),
        "webhook_disabled_now": Message(
            "该 Webhook 已停用，请先启用再重新投递",
            "The webhook is disabled: enable it before redelivering",
        ),
        # the event feed
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
