"""The local storage adapter's upload and download endpoints (embedded default only).

With no S3/MinIO configured, evidence files live under `<data dir>/objects` and the API
itself plays the part of the bucket: the upload slot hands out a URL to these routes, signed
with HMAC over method, key, expiry and (for uploads) the declared size and content type. The
signature is the credential, so no bearer token is needed, as with a presigned S3 URL.
When S3 is configured these routes answer 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, put
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter
from litestar.response import Stream

from api.deps import Storage
from api.errors import ProblemError
from api.openapi_common import Problem, errors
from domain.shared import DomainError, ErrorKind
from infra.messages import MESSAGES
from infra.storage import LocalStorage, ObjectStorage, content_disposition

STORAGE = ["Storage"]
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Hard ceiling for one upload, the largest per-file limit a tenant may set."""


def _problem(status: int, code: str, description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type="application/problem+json",
        examples=[
            Example(
                summary=code,
                value={
                    "type": f"https://zhibu.example/problems/{code}",
                    "title": code.replace("_", " "),
                    "status": status,
                    "code": code,
                    "detail": description.split(" ")[0],
                    "instance": "/api/v1/storage/objects/…",
                    "request_id": "9f1c2e…",
                },
            )
        ],
        generate_examples=False,
    )


_FORBIDDEN = _problem(
    403,
    "storage_signature_invalid",
    "签名无效或链接已过期（storage_url_expired） Invalid signature or expired link",
)
_NOT_FOUND = _problem(404, "storage_object_not_found", "对象不存在 Object not found")

Key = Annotated[
    str,
    Parameter(
        description="对象键，由服务器生成 Object key, made by the server",
        examples=[
            Example(
                value="0193c0de-0000-7000-8000-000000000001/evidence/"
                "0193c0df-0000-7000-8000-000000000002/"
                "0193c0e0-0000-7000-8000-000000000003-Xk3vQ9pL2mN8rT5wYb7dEg"
            )
        ],
    ),
]
Signed = Annotated[
    str | None,
    Parameter(
        description="签名参数，由上传槽位或下载链接给出，原样使用 Signed by the API; use as given",
        examples=[Example(value="PUT")],
    ),
]
Expires = Annotated[
    str | None,
    Parameter(
        description="过期时间（Unix 秒） Expiry, Unix seconds",
        examples=[Example(value="1767225600")],
    ),
]
Size = Annotated[
    str | None,
    Parameter(
        description="申报的字节数 Declared size in bytes", examples=[Example(value="245760")]
    ),
]
ContentType = Annotated[
    str | None,
    Parameter(
        description="申报的内容类型 Declared content type",
        examples=[Example(value="image/jpeg")],
    ),
]
Name = Annotated[
    str | None,
    Parameter(
        description="下载时的文件名 File name for the download",
        examples=[Example(value="会议记录.pdf")],
    ),
]
Sig = Annotated[
    str | None,
    Parameter(
        description="HMAC-SHA256 签名 Signature",
        examples=[Example(value="3f7a9c0e5b1d2c4a6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678a")],
    ),
]


def _local(storage: ObjectStorage) -> LocalStorage:
    """These routes are the local adapter's; with S3 configured they do not exist."""
    if not isinstance(storage, LocalStorage):
        raise ProblemError(404, "not_found")
    return storage


def _too_large(size: int) -> DomainError:
    return MESSAGES.error("storage_upload_too_large", ErrorKind.TOO_LARGE, max_size=size)


@put(
    "/storage/objects/{key:path}",
    summary="上传对象（本地存储） Upload an object (local storage)",
    description=(
        "仅在未配置 S3/MinIO 时可用：按上传槽位返回的签名链接原样 PUT 文件内容，"
        "`Content-Type` 须与申报一致，内容不得超过申报的大小。签名即凭证，无需登录。"
        "上传后须调用 `POST /api/v1/evidence/{id}/confirm` 由服务器核验；"
        "确认后文件不可更改，此链接不再接受上传（409 `storage_upload_closed`）。"
    ),
    tags=STORAGE,
    operation_id="uploadStorageObject",
    security=[{}],
    status_code=200,
    request_max_body_size=MAX_UPLOAD_BYTES,
    responses={
        **errors(400, 422),
        403: _FORBIDDEN,
        200: ResponseSpec(
            data_container=None, description="已保存 Stored", generate_examples=False
        ),
        404: _problem(404, "not_found", "未使用本地存储 Local storage is not in use"),
        409: _problem(409, "storage_upload_closed", "文件已确认 The file is confirmed"),
        413: _problem(413, "storage_upload_too_large", "超过申报大小 Larger than declared"),
    },
)
async def upload_object(
    request: Request[Any, Any, State],
    storage: Storage,
    key: Key,
    method: Signed = None,
    expires: Expires = None,
    size: Size = None,
    content_type: ContentType = None,
    sig: Sig = None,
) -> Response[None]:
    local = _local(storage)
    key = key.lstrip("/")
    grant = local.verify_signature(
        "PUT",
        key,
        dict(request.query_params),
        content_type=request.headers.get("content-type") or "",
    )
    assert grant.size is not None
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > grant.size:
        raise _too_large(grant.size)
    await local.write_upload(key, request.stream(), max_size=grant.size)
    return Response(content=None, status_code=200)


@get(
    "/storage/objects/{key:path}",
    summary="下载对象（本地存储） Download an object (local storage)",
    description=(
        "仅在未配置 S3/MinIO 时可用：佐证材料下载链接（`GET /api/v1/evidence/{id}` 给出）"
        "指向这里，有效期内可直接下载。内容类型由文件内容判断，不取自文件名。"
    ),
    tags=STORAGE,
    operation_id="downloadStorageObject",
    security=[{}],
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/octet-stream",
            description="文件内容，类型由内容判断 The file, typed by its content",
            generate_examples=False,
        ),
        **errors(400, 422),
        403: _FORBIDDEN,
        404: _NOT_FOUND,
    },
)
async def download_object(
    request: Request[Any, Any, State],
    storage: Storage,
    key: Key,
    method: Signed = None,
    expires: Expires = None,
    name: Name = None,
    sig: Sig = None,
) -> Stream:
    local = _local(storage)
    key = key.lstrip("/")
    grant = local.verify_signature("GET", key, dict(request.query_params))
    download = await local.open_download(key)
    headers = {
        "Content-Length": str(download.size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if grant.download_name:
        headers["Content-Disposition"] = content_disposition(grant.download_name)
    return Stream(download.chunks(), media_type=download.content_type, headers=headers)


ROUTES = [upload_object, download_object]
