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
        "endpoint_sunset": Message(
            "该接口已停用，请改用 successor 所指的接口（见响应头 Link）。",
            "This operation is gone; use its successor (see the Link header).",
        ),
        "person_only": Message(
            "此操作只供本人账号使用（密码、两步验证、党员身份），接口客户端不能调用。",
            "Only a person's own account may do this (password, two factors, member record);"
            " an API client may not.",
        ),
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
        # Field errors of strict input; `{f}` is the field's path.
        "input.body_missing": Message("缺少请求体（JSON）。", "The request needs a JSON body."),
        "input.boolean": Message("{f} 应为 true 或 false。", "{f} must be true or false."),
        "input.integer": Message("{f} 应为整数。", "{f} must be an integer."),
        "input.number": Message("{f} 应为数字。", "{f} must be a number."),
        "input.at_most": Message("{f} 不能大于 {value}。", "{f} must be at most {value}."),
        "input.less_than": Message("{f} 须小于 {value}。", "{f} must be less than {value}."),
        "input.at_least": Message("{f} 不能小于 {value}。", "{f} must be at least {value}."),
        "input.greater_than": Message("{f} 须大于 {value}。", "{f} must be greater than {value}."),
        "input.too_long_str": Message(
            "{f} 过长，最多 {value} 个字符。", "{f} is too long: at most {value} characters."
        ),
        "input.too_long_array": Message(
            "{f} 过长，最多 {value} 项。", "{f} is too long: at most {value} item(s)."
        ),
        "input.too_long_object": Message(
            "{f} 过长，最多 {value} 项。", "{f} is too long: at most {value} entry(ies)."
        ),
        "input.too_short_str": Message(
            "{f} 过短，至少 {value} 个字符。", "{f} is too short: at least {value} characters."
        ),
        "input.too_short_array": Message(
            "{f} 过短，至少 {value} 项。", "{f} is too short: at least {value} item(s)."
        ),
        "input.too_short_object": Message(
            "{f} 过短，至少 {value} 项。", "{f} is too short: at least {value} entry(ies)."
        ),
        "input.empty": Message("{f} 不能为空。", "{f} must not be empty."),
        "input.blank": Message("{f} 不能为空白。", "{f} must not be blank."),
        "input.format": Message(
            "{f} 格式不正确（须匹配 {regex}）。", "{f} is not in the expected format ({regex})."
        ),
        "input.time": Message(
            "{f} 须为带时区偏移的 RFC 3339 时间，如 {example}。",
            "{f} must be an RFC 3339 time with an offset, e.g. {example}.",
        ),
        "input.missing": Message("缺少必填字段 {f}。", "{f} is required."),
        "input.unknown_field": Message(
            "不认识的字段 {f}，请检查拼写。", "{f} is not a known field; check its spelling."
        ),
        "input.date": Message("{f} 须为日期，格式 YYYY-MM-DD。", "{f} must be a date, YYYY-MM-DD."),
        "input.uuid": Message("{f} 须为 UUID。", "{f} must be a UUID."),
        "input.wrong_type": Message(
            "{f} 应为{want_zh}，收到的是{got_zh}。", "{f} must be {want_en}, not {got_en}."
        ),
        "input.out_of_range": Message("{f} 超出范围。", "{f} is out of range."),
        "input.invalid": Message("{f} 的值无效。", "{f} is not valid."),
        "input.choice_any": Message("{f} 的取值无效。", "{f} is not one of the allowed values."),
        "input.choice": Message(
            "{f} 的取值无效，可选：{listed}。", "{f} must be one of: {listed}."
        ),
    },
)


def sentence(code: str) -> Message:
    """The catalogued sentence for `code`, whichever context owns it."""
    found = every_message().get(code)
    return found[1] if found else MESSAGES.message("internal_error")
