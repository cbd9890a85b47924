"""Sentences of the platform adapters every context uses: storage, jobs, idempotency, hashing."""

from __future__ import annotations

from domain.shared import Catalogue, Message

MESSAGES = Catalogue(
    "platform",
    {
        "idempotency_key_invalid": Message(
            "Idempotency-Key 须为1至200个可见ASCII字符。",
            "Idempotency-Key must be 1-200 visible ASCII characters.",
        ),
        "idempotency_key_format": Message("格式错误", "bad format"),
        "idempotency_key_reused": Message(
            "该 Idempotency-Key 已用于另一个不同的请求。",
            "This Idempotency-Key was already used for a different request.",
        ),
        "idempotency_in_flight": Message(
            "相同请求正在处理中，请稍后重试。", "The same request is still in progress."
        ),
        "storage_key_invalid": Message(
            "存储对象键无效：只允许字母、数字和 ._-，用 / 分段，且不能以点开头。",
            "Invalid storage key: only letters, digits and ._- in /-separated "
            "segments that do not start with a dot.",
        ),
        "storage_key_malformed": Message("对象键格式不正确。", "Malformed key."),
        "storage_object_not_found": Message(
            "存储中没有找到对象 {key}，可能尚未上传。",
            "Object {key} was not found in storage; it may not have been uploaded yet.",
        ),
        "storage_signature_invalid": Message(
            "链接签名无效或已被修改，请重新获取上传或下载链接。",
            "The link's signature is invalid or the link was altered; request a new link.",
        ),
        "storage_url_expired": Message(
            "链接已过期，请重新获取上传或下载链接。",
            "The link has expired; request a new upload or download link.",
        ),
        "storage_upload_too_large": Message(
            "上传内容超过申报的大小（{max_size} 字节）。",
            "The upload is larger than its declared size ({max_size} bytes).",
        ),
        "storage_content_type_mismatch": Message(
            "上传的内容类型 {sent} 与申请上传时声明的 {signed} 不一致。",
            "The upload's content type {sent} differs from the declared {signed}.",
        ),
        "storage_upload_closed": Message(
            "该上传链接的文件已确认，不能再上传；如需更换文件，请重新申请上传。",
            "The file of this upload link is confirmed and can no longer be replaced; "
            "request a new upload instead.",
        ),
        "server_busy": Message(
            "服务器繁忙，请稍后重试。", "The server is busy; try again shortly."
        ),
        "job_retry_refused": Message(
            "任务当前状态为 {state}，只有失败的任务可以重试。",
            "The job is {state}; only failed jobs can be retried.",
        ),
        "job_cancel_refused": Message(
            "任务当前状态为 {state}，无法取消。", "The job is {state}; it cannot be cancelled."
        ),
    },
)
