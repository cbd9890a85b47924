"""Every sentence the evidence context says, by key; the stable code is the key unless an
error names another (`code=` where it is raised)."""

from __future__ import annotations

from domain.shared import Catalogue, Message

MESSAGES = Catalogue(
    "evidence",
    {
        "evidence_checksum_invalid": Message(
            "sha256 须为 64 位十六进制字符串。", "sha256 must be 64 hexadecimal characters."
        ),
        "evidence_size_invalid": Message("文件大小必须大于零。", "The file size must be positive."),
        "evidence_file_too_large": Message(
            "单个文件不能超过 {limit}。", "A file may not exceed {limit}."
        ),
        "evidence_type_not_allowed": Message(
            "“{label}”不接受这种文件类型。", "This file type is not accepted as {kind} evidence."
        ),
        "evidence_too_many_files": Message(
            "每项活动最多上传 {limit} 个文件。", "An activity may hold at most {limit} files."
        ),
        "evidence_total_too_large": Message(
            "本活动佐证材料总大小不能超过 {limit}。",
            "The activity's evidence may not exceed {limit} in total.",
        ),
        "evidence_size_mismatch": Message(
            "上传的文件大小与声明不符，请重新上传。",
            "The uploaded file's size differs from the declared size; upload it again.",
        ),
        "evidence_checksum_mismatch": Message(
            "上传的文件校验值与声明不符，请重新上传。",
            "The uploaded file's checksum differs from the declared one; upload it again.",
        ),
        "evidence_type_mismatch": Message(
            "文件内容与声明的文件类型不符。",
            "The file's content does not match its declared type.",
        ),
        "evidence_filename_invalid": Message("文件名无效。", "The file name is invalid."),
        "activity_closed_for_evidence": Message(
            "活动已取消或已归档，不能再上传佐证材料。",
            "The activity is cancelled or archived; evidence can no longer be added.",
        ),
        "evidence_refused": Message("您没有执行此操作的权限。", "You are not allowed to do this."),
        "evidence_not_uploaded": Message(
            "还没有收到文件，请先用上传链接上传，再确认。",
            "The file has not been uploaded yet; upload it with the slot's URL, then confirm.",
        ),
        "evidence_changed_during_check": Message(
            "核验期间文件被重新上传，请再次确认。",
            "The file was uploaded again while it was being checked; confirm again.",
        ),
        "evidence_object_changed": Message(
            "存储中的文件与核验时不一致，已停止提供下载，请联系管理员。",
            "The stored file differs from the verified one; downloads are stopped.",
        ),
    },
)
