"""Content sniffing: what an uploaded object really is, judged from its first bytes.

The declared type and the file name are the uploader's claims; confirmation compares them
with this answer, so a program renamed to `photo.jpg` is refused. puremagic supplies the
image and PDF signatures; containers it cannot tell apart from a head alone (ZIP-based
Office files, OLE Office files, ISO-BMFF photos and videos), executables it misses (ELF,
Mach-O) and plain text are decided here.
"""

from __future__ import annotations

import codecs
import re
import struct

import puremagic

PE = "application/vnd.microsoft.portable-executable"
ELF = "application/x-executable"
MACH_O = "application/x-mach-binary"
EXECUTABLE_TYPES = frozenset({PE, ELF, MACH_O})
"""Types a caller must refuse whatever the declared type or file name says."""

ZIP = "application/zip"
OLE = "application/x-ole-storage"
"""An OLE container whose Office kind is not visible in the head (could also be an MSI)."""

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
TEXT = "text/plain"

_MACH_O_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal binary (also a Java class file: refused either way)
    b"\xca\xfe\xba\xbf",
)
_ZIP_ENTRY = re.compile(rb"PK\x03\x04")
_OOXML_PREFIXES = ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX))
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = (
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("Book".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
)
# ISO base media file format major brands (the `ftyp` box).
_BRANDS = {
    **dict.fromkeys((b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"), "image/heic"),
    **dict.fromkeys((b"mif1", b"msf1"), "image/heif"),
    **dict.fromkeys((b"avif", b"avis"), "image/avif"),
    b"qt  ": "video/quicktime",
    **dict.fromkeys(
        (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
         b"dash", b"mmp4", b"MSNV"),
        "video/mp4",
    ),
    **dict.fromkeys((b"3gp4", b"3gp5", b"3gp6", b"3g2a"), "video/3gpp"),
}  # fmt: skip
_PUREMAGIC_TRUSTED = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def detect_content_type(head: bytes) -> str | None:
    """MIME type of an object from its first bytes (pass `HEAD_BYTES` of them), or None.

    Executables are checked first so that no other signature can mask them.
    """
    if not head:
        return None
    for detect in (_executable, _zip, _ole, _iso_bmff, _puremagic, _text):
        found = detect(head)
        if found:
            return found
    return None


def _executable(head: bytes) -> str | None:
    if head.startswith(b"MZ"):
        return PE
    if head.startswith(b"\x7fELF"):
        return ELF
    if head[:4] in _MACH_O_MAGICS:
        return MACH_O
    return None


def _zip(head: bytes) -> str | None:
    """Office Open XML is a ZIP whose entry names say which application it belongs to.

    Entry names sit in the local file headers, which the head holds for the first
    entries; Word, WPS and LibreOffice all write the part folder within the first few KiB.
    """
    if not head.startswith(b"PK\x03\x04"):
        return None
    for match in _ZIP_ENTRY.finditer(head):
        start = match.start()
        if start + 30 > len(head):
            break
        (name_length,) = struct.unpack_from("<H", head, start + 26)
        name = head[start + 30 : start + 30 + name_length]
        for prefix, mime in _OOXML_PREFIXES:
            if name.startswith(prefix):
                return mime
    return ZIP


def _ole(head: bytes) -> str | None:
    """Legacy Office files are OLE containers; the directory names the main stream.

    When the directory lies beyond the head, the first sector usually starts the main
    stream: Word's FIB begins with 0xA5EC, Excel's workbook with a BOF record (0x0809).
    """
    if not head.startswith(_OLE_MAGIC):
        return None
    for name, mime in _OLE_STREAMS:
        if name in head:
            return mime
    first_sector = head[512:514]
    if first_sector == b"\xec\xa5":
        return DOC
    if first_sector == b"\x09\x08":
        return XLS
    return OLE


def _iso_bmff(head: bytes) -> str | None:
    if head[4:8] != b"ftyp" or len(head) < 12:
        return None
    if brand := _BRANDS.get(head[8:12]):
        return brand
    (box_size,) = struct.unpack_from(">I", head, 0)
    compatible = head[16 : min(box_size, len(head))]
    for offset in range(0, len(compatible) - 3, 4):
        if brand := _BRANDS.get(compatible[offset : offset + 4]):
            return brand
    return None


def _puremagic(head: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    trusted = [m for m in matches if m.mime_type in _PUREMAGIC_TRUSTED]
    return max(trusted, key=lambda m: m.confidence).mime_type if trusted else None


def _text(head: bytes) -> str | None:
    """UTF-8 or GB18030 (common for Chinese minutes) without control characters.

    The decoder is incremental so that a multi-byte character cut by the head's end does
    not count against the text.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return None if _CONTROL_CHARS.search(text) else TEXT
    return None
