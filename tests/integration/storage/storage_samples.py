"""Real file headers built in the tests, so sniffing and EXIF are checked against bytes
with the structure cameras, Office and compilers write, not against hand-picked prefixes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

ASCII, SHORT, LONG, RATIONAL = 2, 3, 4, 5
EXIF_IFD_POINTER, GPS_IFD_POINTER = 0x8769, 0x8825
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xc8\x10\x2e")  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _ascii(text: str) -> tuple[int, int, bytes]:
    data = text.encode() + b"\x00"
    return ASCII, len(data), data


def _rationals(*values: tuple[int, int]) -> tuple[int, int, bytes]:
    return RATIONAL, len(values), b"".join(struct.pack(">II", n, d) for n, d in values)


def _ifd(entries: dict[int, tuple[int, int, bytes]], offset: int) -> bytes:
    """One big-endian TIFF IFD at `offset`, with out-of-line values right after it."""
    data_offset = offset + 2 + 12 * len(entries) + 4
    table, data = struct.pack(">H", len(entries)), b""
    for tag, (kind, count, payload) in sorted(entries.items()):
        if len(payload) <= 4:
            table += struct.pack(">HHI", tag, kind, count) + payload.ljust(4, b"\x00")
        else:
            table += struct.pack(">HHII", tag, kind, count, data_offset + len(data))
            data += payload + b"\x00" * (len(payload) % 2)
    return table + struct.pack(">I", 0) + data


def exif_tiff(
    *,
    taken: str | None = None,
    offset: str | None = None,
    gps: tuple[str, tuple[tuple[int, int], ...], str, tuple[tuple[int, int], ...]] | None = None,
) -> bytes:
    """TIFF body of an EXIF APP1: IFD0 pointing to an Exif IFD and a GPS IFD."""
    ifd0_size = 2 + 12 * 2 + 4
    exif_entries: dict[int, tuple[int, int, bytes]] = {}
    if taken is not None:
        exif_entries[DATE_TIME_ORIGINAL] = _ascii(taken)
    if offset is not None:
        exif_entries[OFFSET_TIME_ORIGINAL] = _ascii(offset)
    exif_at = 8 + ifd0_size
    exif_ifd = _ifd(exif_entries, exif_at)
    gps_at = exif_at + len(exif_ifd)
    gps_entries: dict[int, tuple[int, int, bytes]] = {}
    if gps is not None:
        lat_ref, lat, lon_ref, lon = gps
        gps_entries = {
            GPS_LAT_REF: _ascii(lat_ref),
            GPS_LAT: _rationals(*lat),
            GPS_LON_REF: _ascii(lon_ref),
            GPS_LON: _rationals(*lon),
        }
    gps_ifd = _ifd(gps_entries, gps_at)
    ifd0 = _ifd(
        {
            EXIF_IFD_POINTER: (LONG, 1, struct.pack(">I", exif_at)),
            GPS_IFD_POINTER: (LONG, 1, struct.pack(">I", gps_at)),
        },
        8,
    )
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + gps_ifd


def jpeg(tiff: bytes | None = None) -> bytes:
    """A JPEG's leading segments: SOI, optional EXIF APP1, a JFIF-free quantisation table."""
    segments = b"\xff\xd8"
    if tiff is not None:
        payload = b"Exif\x00\x00" + tiff
        segments += b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    else:
        segments += (
            b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        )
    quant = bytes([0]) + bytes(range(1, 65))
    segments += b"\xff\xdb" + struct.pack(">H", len(quant) + 2) + quant
    return segments + b"\xff\xd9"


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<?xml version='1.0'?><x>" + "内容" * 200 + "</x>")
    return buffer.getvalue()


def docx() -> bytes:
    return zip_of("[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml")


def pptx() -> bytes:
    return zip_of("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml")


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "签到"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole(directory_name: str | None = None, first_sector: bytes = b"") -> bytes:
    """An OLE2 compound file: 512-byte header, then a sector holding a directory entry."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HH", 0x3E, 3)
    header = header.ljust(512, b"\x00")
    sector = first_sector
    if directory_name is not None:
        sector = directory_name.encode("utf-16-le").ljust(64, b"\x00")
    return header + sector.ljust(512, b"\x00")


def pe() -> bytes:
    dos = bytearray(b"MZ" + b"\x90\x00\x03\x00" + b"\x00" * 0x3A)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    return (
        bytes(dos).ljust(0x80, b"\x00") + b"PE\x00\x00" + struct.pack("<H", 0x8664) + b"\x00" * 64
    )


def elf() -> bytes:
    ident = b"\x7fELF\x02\x01\x01\x00".ljust(16, b"\x00")
    return ident + struct.pack("<HHI", 2, 0x3E, 1) + b"\x00" * 40


def mach_o() -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<II", 0x01000007, 3) + b"\x00" * 20


def iso_bmff(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    box = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
    return box + struct.pack(">I", 16) + b"mdat" + b"\x00" * 8
