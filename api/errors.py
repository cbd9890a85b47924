"""RFC 9457 problem details for every error, with a stable `code` and a localized `detail`.

No stack trace reaches a client: unexpected exceptions are logged with the request id and
answered with a generic 500 problem that names the request id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError

from api.input_errors import field_error, type_at
from api.messages import sentence
from domain.shared import DomainError, ErrorKind, FieldError, Message

log = logging.getLogger("zhibu.api")
PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(HTTPException):
    """An HTTP-level refusal with a stable code (401, 403, 404, 409, 412, 429...)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Message | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=code, headers=headers)
        self.code = code
        self.message = message or sentence(code)
        self.errors = errors or []
        self.problem_extra = extra or {}


def language(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    message: Message,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    lang = language(request)
    body: dict[str, Any] = {
        "type": f"https://zhibu.example/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": message.pick(lang),
        "instance": request.url.path,
        "request_id": request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex,
    }
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": e.message.pick(lang)} for e in errors
        ]
    if extra:
        body.update(extra)
    return Response(
        content=body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Content-Language": "en" if lang == "en" else "zh-CN", **(headers or {})},
    )


def _validation_errors(
    request: Request[Any, Any, Any], exc: ValidationException
) -> list[FieldError]:
    """Litestar's own refusals (path, header, form, a missing body), worded from the
    catalogue; the declared type lets an enum's allowed values be listed."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if isinstance(item, dict):
            key = str(item.get("key") or "")
            key = "" if key == "data" else key
            declared = _declared_type(request, key, body=item.get("source") == "body")
            errors.append(field_error(str(item.get("message", "")), root=key, root_type=declared))
    return errors


def _declared_type(request: Request[Any, Any, Any], key: str, *, body: bool) -> Any:
    handler = request.scope.get("route_handler")
    parameters = getattr(getattr(handler, "parsed_fn_signature", None), "parameters", {})
    if body:
        data = parameters.get("data")
        return type_at(data.annotation, key) if data is not None else None
    field = parameters.get(key)
    return field.annotation if field is not None else None


STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.MALFORMED: 400,
    ErrorKind.CONFLICT: 409,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.LIMITED: 429,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNAVAILABLE: 503,
}


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    status = STATUS_OF_KIND[exc.kind]
    return problem(
        request, status, exc.code, exc.message, errors=exc.errors, headers=headers, extra=exc.extra
    )


def handle_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Any]:
    return problem(
        request,
        exc.status_code,
        exc.code,
        exc.message,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.problem_extra,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _validation_errors(request, exc)
        code = "validation_failed" if errors else "malformed_request"
        return problem(request, 400, code, sentence(code), errors=errors)
    if isinstance(exc, NotAuthorizedException):
        code = "unauthenticated"
    elif isinstance(exc, PermissionDeniedException):
        code = "forbidden"
    elif isinstance(exc, NotFoundException):
        code = "not_found"
    elif isinstance(exc, MethodNotAllowedException):
        code = "method_not_allowed"
    elif status == 413:
        code = "payload_too_large"
    elif status == 415:
        code = "unsupported_media_type"
    elif status == 429:
        code = "rate_limited"
    elif status >= 500:
        code = "service_unavailable" if status == 503 else "internal_error"
    else:
        code = "malformed_request"
    return problem(request, status, code, sentence(code), headers=exc.headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        request.url.path,
        request.scope.get("state", {}).get("request_id"),
    )
    return problem(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", sentence("internal_error")
    )


def handle_undecodable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Bodies the JSON decoder fails on without a DecodeError: bytes that are not UTF-8, or
    nesting deeper than the interpreter's stack (msgspec raises RecursionError)."""
    log.warning("undecodable request body on %s %s: %r", request.method, request.url.path, exc)
    return problem(request, 400, "malformed_request", sentence("malformed_request"))


def handle_data_error(request: Request[Any, Any, Any], exc: DataError) -> Response[Any]:
    """PostgreSQL cannot store NUL in text; psycopg refuses it before sending. Client input."""
    if "NUL (0x00)" in str(exc.orig):
        return problem(request, 400, "malformed_request", sentence("malformed_request"))
    return handle_unexpected(request, exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: handle_domain_error,
    UnicodeDecodeError: handle_undecodable,
    RecursionError: handle_undecodable,
    DataError: handle_data_error,
    ProblemError: handle_problem,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
