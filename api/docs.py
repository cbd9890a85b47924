"""The published contract: OpenAPI settings, the JSON document and Swagger UI under /docs.

Organs run Zhibu on intranets without internet access, so the docs page loads nothing from
outside: Swagger UI's assets come from the pinned `swagger-ui-bundle-v2` package and are
served by the API itself under /docs/assets. Both the JSON and the page show the finished
document (`api.openapi_finish`), which is also what `make openapi` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request, Router
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, Schema, SecurityScheme, Tag
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition
from swagger_ui_bundle import swagger_ui_path

from api.input_errors import CODES as FIELD_ERROR_CODES
from api.openapi_finish import TAG_NAMES_ZH, finish

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

API_VERSION = "1.0.0"
ASSETS = "/docs/assets"
DESCRIPTION = """Zhibu（支部）机关党建多租户 API。

- 认证：`POST /api/v1/auth/login` 取得 Bearer 访问令牌。管理员（及租户要求的全体工作人员）
  使用双因素认证：登录返回 `mfa_required` 和 `challenge`，再以动态验证码调用
  `POST /api/v1/auth/login/mfa`；尚未绑定的先 `POST /api/v1/auth/mfa/enroll`、
  `POST /api/v1/auth/mfa/confirm`。
- 错误：RFC 9457 `application/problem+json`，含稳定的 `code` 字段；
  `Accept-Language: en` 返回英文说明。
- 列表：游标分页（`limit`、`cursor`，响应中的 `next_cursor`）。
- 时间：请求中的时间须为带时区偏移的 RFC 3339 字符串（查询参数中的 `+` 须写作 `%2B`）；
  响应中的所有时间均为 RFC 3339，带 Asia/Shanghai 的 `+08:00` 偏移，如
  `2026-05-20T14:30:00+08:00`。Times in: RFC 3339 with an offset; out: always `+08:00`.
- 输入严格按本文档校验：字符串不当作数字或布尔值，未知字段、空白名称均被拒绝；
  400 的 `errors` 逐项给出字段路径（如 `items[3].occurred_at`）、`code` 与说明；`code` 取值：
  {FIELD_ERROR_CODES}。
- 需登录的操作先认证：未登录或令牌无效时一律 401，不读取请求内容。
- 租户隔离：每个请求只能看到调用者所在租户子树的数据（PostgreSQL 行级安全保证）。
""".replace("{FIELD_ERROR_CODES}", "、".join(f"`{code}`" for code in FIELD_ERROR_CODES))
TAG_DESCRIPTIONS = {
    "Auth": "登录、刷新、当前用户",
    "Tenants": "省、市、县机关工委",
    "Organizations": "党委、党总支、党支部、党小组",
    "Users": "登录账号",
    "Members": "党员信息：登记、查找、变更历史、敏感信息保护",
    "Statistics": "由业务记录实时汇总的统计，不需填报",
    "Activities": "三会一课、主题党日等组织生活：安排、应到人员、状态",
    "Check-in": "扫码签到、代签、离线同步、请假、出勤与法定人数",
    "Compliance": "按频次推算的已开展、待开展、逾期，及子树汇总",
    "Roles": "角色、权限目录与授权",
    "Audit": "只追加的审计日志",
    "Jobs": "导入等长任务的进度",
    "Evidence": "会议记录、照片、签到表等活动佐证材料",
    "Storage": "本地存储的签名上传与下载（未配置 S3 时）",
    "API clients": "第三方系统的客户端、授权范围与密钥（OAuth2 客户端凭证）",
    "Points": "积分规则、积分明细与人工奖扣（个人积分默认不公开）",
    "Webhooks": "按 Standard Webhooks 签名推送事件：订阅、投递记录、重新投递",
    "Development": "发展党员：入党申请人、五个阶段二十五个步骤、时间规则、表决与审批",
    "Dues": "党费：交纳标准与计算、党费基数、减免、缴费单与台账",
    "Transfers": "组织关系转接：发起、逐级审批、接收或退回、介绍信与在线核验、可转入党支部目录",
    "Events": "本范围的事件流（按提交先后、游标不漏）与事件类型目录",
    "Operations": "健康与就绪检查",
}


class StrictStructSchemas(StructSchemaPlugin):
    """Struct schemas that say what the decoder enforces. Litestar asks app plugins first.

    Litestar's own struct plugin leaves out `additionalProperties: false` for structs that
    refuse unknown fields, and drops bounds equal to zero (`ge=0` loses its `minimum`), so
    clients and fuzzers send values the server refuses.
    """

    _BOUNDS = (("ge", "minimum"), ("gt", "exclusive_minimum"), ("le", "maximum"))

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if not isinstance(prop, Schema):
                continue
            for kind in _kinds(field.type):
                for bound, key in self._BOUNDS:
                    if getattr(kind, bound, None) == 0 and getattr(prop, key) is None:
                        setattr(prop, key, 0)
        return schema


def _kinds(kind: msgspec.inspect.Type) -> list[msgspec.inspect.Type]:
    """The types a field may take, through metadata wrappers and unions."""
    if isinstance(kind, msgspec.inspect.Metadata):
        return _kinds(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        return [k for member in kind.types for k in _kinds(member)]
    return [kind]


class _Finished:
    """The finished document, made once from the dict Litestar caches."""

    def __init__(self) -> None:
        self._source: dict[str, Any] | None = None
        self._finished: dict[str, Any] = {}

    def __call__(self, openapi_schema: dict[str, Any]) -> dict[str, Any]:
        if openapi_schema is not self._source:
            self._finished = finish(openapi_schema)
            self._source = openapi_schema
        return self._finished


class FinishedJson(JsonRenderPlugin):
    def __init__(self, finished: _Finished) -> None:
        super().__init__()
        self._finished = finished

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return self.render_json(request, self._finished(openapi_schema))


class LocalSwagger(SwaggerRenderPlugin):
    """Swagger UI from the API's own assets."""

    def __init__(self, finished: _Finished) -> None:
        super().__init__(
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            path="/",
            favicon=f'<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">',
        )
        self._finished = finished

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self._finished(openapi_schema))


def openapi_config() -> OpenAPIConfig:
    finished = _Finished()
    return OpenAPIConfig(
        title="Zhibu API",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/docs",
        render_plugins=[LocalSwagger(finished), FinishedJson(finished)],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"bearer": []}],
        tags=[
            Tag(name=name, description=f"{TAG_NAMES_ZH[name]}：{description}")
            for name, description in TAG_DESCRIPTIONS.items()
        ],
        use_handler_docstrings=False,
    )


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS,
        directories=[Path(str(swagger_ui_path))],
        name="docs_assets",
        include_in_schema=False,
    )
