"""The HTTP layer's own sentences, and the lookup of any catalogued one by its code."""

from __future__ import annotations

from domain.shared import Catalogue, Message
from domain.shared.catalogue import every_message

MESSAGES = Catalogue(
    "http",
    {
        "unauthenticated": Message("请先登录。", "Authentication is required."),
        "token_invalid": Message("登录凭证无效，请重新登录。", "The access token is invalid."),
        "token_expired": Message("登录已过期，请重新登录。", "The access token has expired."),
        "session_ended": Message(
            "登录会话已结束（已退出、账号停用、密码或角色变更），请重新登录。",
            "The session has ended (logout, account disabled, password or role changed); "
            "log in again.",
        ),
        "password_change_required": Message(
            "请先修改运维人员提供的一次性密码（POST /api/v1/me/password）。",
            "Change the one-time password an operator gave you first (POST /api/v1/me/password).",
        ),
        "forbidden": Message("您没有执行此操作的权限。", "You are not allowed to do this."),
        "validation_failed": Message(
            "提交的数据有误，请检查标出的字段。", "Some fields are invalid."
        ),
        "malformed_request": Message(
            "请求格式错误，无法解析。", "The request could not be parsed."
        ),
        "payload_too_large": Message("请求内容过大。", "The request body is too large."),
        "method_not_allowed": Message("不支持该请求方法。", "This method is not allowed here."),
        "unsupported_media_type": Message(
            "不支持该内容类型。", "This content type is not supported."
        ),
        "precondition_failed": Message(
            "资源已被他人修改，请刷新后重试。", "The resource changed since you read it; reload it."
        ),
        "conflict": Message("与现有数据冲突。", "This conflicts with existing data."),
        "rate_limited": Message(
            "请求过于频繁，请稍后再试。", "Too many requests; try again later."
        ),
        "internal_error": Message(
            "服务器内部错误，请稍后重试；如持续出现请联系管理员并提供请求编号。",
            "Internal error; try again later, or report the request id.",
        ),
        "service_unavailable": Message("服务暂不可用。", "The service is temporarily unavailable."),
    },
)


def sentence(code: str) -> Message:
    """The catalogued sentence for `code`, whichever context owns it."""
    found = every_message().get(code)
    return found[1] if found else MESSAGES.message("internal_error")
