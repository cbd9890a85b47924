"""Shared OpenAPI pieces: the problem body and the error responses operations document."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example


class FieldProblem(msgspec.Struct):
    field: str
    code: str
    message: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details with Zhibu's stable `code` and per-field `errors`."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


_DESCRIPTIONS = {
    400: ("malformed_request", "请求无法解析 Malformed request"),
    401: ("unauthenticated", "未登录或凭证无效 Not authenticated"),
    403: ("forbidden", "无权限 Forbidden"),
    404: ("not_found", "不存在或不可见 Not found"),
    409: ("conflict", "与现有数据冲突 Conflict"),
    410: ("endpoint_sunset", "已过停用日期，改用替代接口 Gone: use its successor"),
    412: ("precondition_failed", "资源已变更 Precondition failed"),
    413: ("payload_too_large", "内容超出限制 Content too large"),
    422: ("validation_failed", "业务规则校验失败 Validation failed"),
    429: ("rate_limited", "请求过多或登录失败过多，见 Retry-After Too many requests"),
    503: ("server_busy", "服务器繁忙，见 Retry-After Busy, try again"),
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    specs: dict[int, ResponseSpec] = {}
    for status in statuses:
        code, description = _DESCRIPTIONS[status]
        example: dict[str, Any] = {
            "type": f"https://zhibu.example/problems/{code}",
            "title": code.replace("_", " "),
            "status": status,
            "code": code,
            "detail": description.split(" ")[0],
            "instance": "/api/v1/…",
            "request_id": "9f1c2e…",
        }
        specs[status] = ResponseSpec(
            data_container=Problem,
            description=description,
            media_type="application/problem+json",
            examples=[Example(summary=code, value=example)],
            generate_examples=False,
        )
    return specs


READ = errors(400, 401, 403, 404)
WRITE = errors(400, 401, 403, 404, 409, 422)
LIST = errors(400, 401, 403)
