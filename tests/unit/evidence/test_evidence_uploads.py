import hashlib

import pytest

from domain.evidence import (
    EvidenceKind,
    EvidencePolicy,
    EvidenceUpload,
    EvidenceUsage,
    StoredObject,
    clean_filename,
    validate_confirmation,
    validate_upload,
)
from domain.evidence.uploads import DOCX, HEIC, HEIF, MIB, OLE, XLS, XLSX, ZIP
from domain.shared import ErrorKind
from domain.shared.errors import DomainError

DIGEST = hashlib.sha256(b"minutes of the June branch congress").hexdigest()
POLICY = EvidencePolicy(
    max_file_bytes=10 * MIB, max_files_per_activity=3, max_total_bytes_per_activity=25 * MIB
)


def upload(
    kind: EvidenceKind = EvidenceKind.PHOTO,
    content_type: str = "image/jpeg",
    size: int = 2 * MIB,
    sha256: str = DIGEST,
) -> EvidenceUpload:
    return EvidenceUpload(kind, content_type, size, sha256)


def upload_error(request: EvidenceUpload, usage: EvidenceUsage | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        validate_upload(POLICY, request, usage=usage or EvidenceUsage())
    return caught.value


def confirm_error(declared: EvidenceUpload, stored: StoredObject) -> str | None:
    try:
        validate_confirmation(POLICY, declared, stored)
    except DomainError as error:
        return error.code
    return None


# --- upload request --------------------------------------------------------------------


def test_valid_upload_is_returned_normalized() -> None:
    request = upload(content_type="Image/JPG; name=x.jpg", sha256=DIGEST.upper())
    accepted = validate_upload(POLICY, request, usage=EvidenceUsage())
    assert accepted.content_type == "image/jpeg"
    assert accepted.sha256 == DIGEST


@pytest.mark.parametrize(
    ("kind", "content_type", "allowed"),
    [
        (EvidenceKind.PHOTO, "image/heic", True),
        (EvidenceKind.PHOTO, "image/webp", True),
        (EvidenceKind.PHOTO, "application/pdf", False),
        (EvidenceKind.PHOTO, "image/gif", False),
        (EvidenceKind.MINUTES, DOCX, True),
        (EvidenceKind.MINUTES, "text/plain", True),
        (EvidenceKind.MINUTES, "image/jpeg", True),  # photographed handwritten minutes
        (EvidenceKind.SIGNIN_SHEET, XLSX, True),
        (EvidenceKind.SIGNIN_SHEET, XLS, True),
        (EvidenceKind.FILE, "application/x-msdownload", False),
        (EvidenceKind.FILE, "text/html", False),
    ],
)
def test_content_types_per_kind(kind: EvidenceKind, content_type: str, allowed: bool) -> None:
    request = upload(kind=kind, content_type=content_type)
    if allowed:
        validate_upload(POLICY, request, usage=EvidenceUsage())
    else:
        error = upload_error(request)
        assert error.code == "content_type_not_allowed"
        assert error.errors[0].field == "content_type"


def test_per_file_size_limit_is_inclusive() -> None:
    validate_upload(POLICY, upload(size=10 * MIB), usage=EvidenceUsage())
    error = upload_error(upload(size=10 * MIB + 1))
    assert error.code == "too_large"
    assert "10 MB" in error.message.zh


def test_bad_declarations_are_reported_together() -> None:
    error = upload_error(upload(content_type="application/zip", size=0, sha256="abc"))
    assert error.kind is ErrorKind.INVALID
    assert [(e.field, e.code) for e in error.errors] == [
        ("sha256", "invalid_checksum"),
        ("size_bytes", "invalid_size"),
        ("content_type", "content_type_not_allowed"),
    ]
    assert error.code == "invalid_checksum"


def test_sha256_must_be_64_hex_characters() -> None:
    assert upload_error(upload(sha256=DIGEST[:-1])).code == "invalid_checksum"
    assert upload_error(upload(sha256=DIGEST[:-1] + "g")).code == "invalid_checksum"
    assert upload_error(upload(sha256=DIGEST + "\n")).code == "invalid_checksum"


def test_per_activity_file_count_limit() -> None:
    validate_upload(POLICY, upload(), usage=EvidenceUsage(file_count=2, total_bytes=MIB))
    error = upload_error(upload(), EvidenceUsage(file_count=3, total_bytes=MIB))
    assert (error.code, error.kind) == ("too_many_files", ErrorKind.CONFLICT)


def test_per_activity_total_size_limit() -> None:
    validate_upload(POLICY, upload(size=5 * MIB), usage=EvidenceUsage(1, 20 * MIB))
    error = upload_error(upload(size=5 * MIB + 1), EvidenceUsage(1, 20 * MIB))
    assert (error.code, error.kind) == ("too_large", ErrorKind.CONFLICT)


# --- confirmation after the upload ------------------------------------------------------


def test_intact_upload_is_confirmed() -> None:
    assert confirm_error(upload(), StoredObject(2 * MIB, DIGEST.upper(), "image/jpeg")) is None


def test_size_and_checksum_must_match_the_declaration() -> None:
    assert confirm_error(upload(), StoredObject(2 * MIB - 1, DIGEST, "image/jpeg")) == (
        "size_mismatch"
    )
    other = hashlib.sha256(b"something else").hexdigest()
    assert confirm_error(upload(), StoredObject(2 * MIB, other, "image/jpeg")) == (
        "checksum_mismatch"
    )


@pytest.mark.parametrize(
    ("kind", "declared", "sniffed", "expected"),
    [
        (EvidenceKind.PHOTO, "image/jpeg", "image/png", "content_type_mismatch"),
        (EvidenceKind.PHOTO, "image/jpeg", "application/vnd.microsoft.portable-executable",
         "content_type_not_allowed"),
        (EvidenceKind.PHOTO, "image/jpeg", None, "content_type_mismatch"),
        (EvidenceKind.PHOTO, HEIC, HEIF, None),
        (EvidenceKind.PHOTO, HEIF, HEIC, None),
        (EvidenceKind.SIGNIN_SHEET, XLSX, XLSX, None),
        (EvidenceKind.SIGNIN_SHEET, XLSX, ZIP, None),
        (EvidenceKind.SIGNIN_SHEET, XLSX, DOCX, "content_type_mismatch"),
        (EvidenceKind.SIGNIN_SHEET, XLS, OLE, None),
        (EvidenceKind.MINUTES, "text/plain", "text/plain", None),
        (EvidenceKind.MINUTES, "text/plain", None, "content_type_mismatch"),
        (EvidenceKind.MINUTES, "text/plain", "image/png", "content_type_mismatch"),
        (EvidenceKind.MINUTES, "application/pdf", "text/html", "content_type_not_allowed"),
    ],
)  # fmt: skip
def test_sniffed_type_must_be_allowed_and_match_the_declaration(
    kind: EvidenceKind, declared: str, sniffed: str | None, expected: str | None
) -> None:
    request = upload(kind=kind, content_type=declared)
    assert confirm_error(request, StoredObject(2 * MIB, DIGEST, sniffed)) == expected


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("会议记录.pdf", "会议记录.pdf"),
        ("C:\\Users\\secretary\\照片 1.jpg", "照片 1.jpg"),
        ("../../etc/passwd", "passwd"),
        ("minutes\x00\x07.docx", "minutes.docx"),
        ("  signin.xlsx  ", "signin.xlsx"),
        ("x" * 300, "x" * 255),
    ],
)
def test_a_file_name_keeps_only_its_last_printable_segment(given: str, kept: str) -> None:
    assert clean_filename(given) == kept


@pytest.mark.parametrize("given", ["", "/", "dir/..", ".", "\x00\x01"])
def test_a_file_name_with_nothing_left_is_refused(given: str) -> None:
    with pytest.raises(DomainError) as raised:
        clean_filename(given)
    assert [e.field for e in raised.value.errors] == ["filename"]
