"""Content sniffing on real file structures: the caller refuses what is not evidence."""

from __future__ import annotations

import os

import pytest
import storage_samples as samples
from hypothesis import given, settings
from hypothesis import strategies as st

from infra.storage import EXECUTABLE_TYPES, HEAD_BYTES, detect_content_type
from infra.storage.sniff import DOC, DOCX, OLE, PPTX, XLS, XLSX, ZIP


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(samples.png(), "image/png", id="png"),
        pytest.param(samples.jpeg(), "image/jpeg", id="jpeg-jfif"),
        pytest.param(
            samples.jpeg(samples.exif_tiff(taken="2024:07:01 09:30:15")),
            "image/jpeg",
            id="jpeg-exif",
        ),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "image/gif", id="gif"),
        pytest.param(b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", "image/webp", id="webp"),
        pytest.param(samples.iso_bmff(b"heic", b"mif1", b"heic"), "image/heic", id="heic"),
        pytest.param(samples.iso_bmff(b"mif1", b"heic"), "image/heif", id="heif"),
        pytest.param(samples.iso_bmff(b"isom", b"iso2", b"avc1", b"mp41"), "video/mp4", id="mp4"),
        pytest.param(samples.iso_bmff(b"qt  ", b"qt  "), "video/quicktime", id="iphone-mov"),
        pytest.param(samples.iso_bmff(b"XAVC", b"mp42"), "video/mp4", id="mp4-by-compatible"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf", id="pdf"),
        pytest.param(samples.docx(), DOCX, id="docx"),
        pytest.param(samples.xlsx(), XLSX, id="xlsx-openpyxl"),
        pytest.param(samples.pptx(), PPTX, id="pptx"),
        pytest.param(samples.zip_of("a.txt", "b.txt"), ZIP, id="plain-zip"),
        pytest.param(samples.ole("WordDocument"), DOC, id="doc-directory"),
        pytest.param(samples.ole("Workbook"), XLS, id="xls-directory"),
        pytest.param(samples.ole(first_sector=b"\xec\xa5\xc1\x00"), DOC, id="doc-fib"),
        pytest.param(samples.ole(), OLE, id="ole-unknown"),
        pytest.param("二〇二四年七月支部党员大会会议纪要\r\n".encode(), "text/plain", id="utf8"),
        pytest.param("\ufeff会议纪要".encode(), "text/plain", id="utf8-bom"),
        pytest.param("会议纪要：出席 12 人".encode("gb18030"), "text/plain", id="gb18030"),
    ],
)
def test_evidence_types_are_recognised(data: bytes, expected: str) -> None:
    assert detect_content_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.pe(), id="windows-pe"),
        pytest.param(samples.elf(), id="linux-elf"),
        pytest.param(samples.mach_o(), id="macos-mach-o"),
    ],
)
def test_executables_are_flagged(data: bytes) -> None:
    assert detect_content_type(data) in EXECUTABLE_TYPES


def test_office_type_survives_a_short_head() -> None:
    assert detect_content_type(samples.docx()[:1024]) == DOCX


def test_text_cut_inside_a_character_is_still_text() -> None:
    data = "会议纪要".encode()
    assert detect_content_type(data[:-1]) == "text/plain"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\x03\x04binary", bytes(range(256)), "纪要\x00\x01".encode()],
    ids=["empty", "control-bytes", "all-bytes", "text-with-nul"],
)
def test_unknown_bytes_give_none(data: bytes) -> None:
    assert detect_content_type(data) is None


@settings(deadline=None)
@given(st.binary(max_size=HEAD_BYTES // 16))
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    detect_content_type(data)


@settings(deadline=None)
@given(
    st.sampled_from([b"PK\x03\x04", b"\x00\x00\x00\x20ftyp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    st.binary(max_size=600),
)
def test_never_raises_on_truncated_containers(magic: bytes, rest: bytes) -> None:
    detect_content_type(magic + rest)


def test_random_bytes_are_never_taken_for_text() -> None:
    assert detect_content_type(b"\x89\x00" + os.urandom(4096)) != "text/plain"
