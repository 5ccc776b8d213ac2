"""A minimal deterministic zip writer that can copy pre-compressed entries.

Static parts of a template are deflated once per process; each render only deflates the parts that change.
Every entry gets the same fixed timestamp and the UTF-8 name flag, so equal input gives byte-identical output.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

FIXED_DOS_TIME = 0  # 00:00:00
FIXED_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01
UTF8_FLAG = 0x0800
DEFLATED = 8


@dataclass(frozen=True)
class Entry:
    name: str
    crc: int
    size: int
    compressed: bytes


def deflate(name: str, data: bytes, level: int = 6) -> Entry:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    raw = comp.compress(data) + comp.flush()
    return Entry(name, zlib.crc32(data) & 0xFFFFFFFF, len(data), raw)


def write_zip(entries: list[Entry]) -> bytes:
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, UTF8_FLAG, DEFLATED, FIXED_DOS_TIME, FIXED_DOS_DATE,
            e.crc, len(e.compressed), e.size, len(name), 0,
        )
        out += name
        out += e.compressed
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, UTF8_FLAG, DEFLATED, FIXED_DOS_TIME, FIXED_DOS_DATE,
            e.crc, len(e.compressed), e.size, len(name), 0, 0, 0, 0, 0, offset,
        )
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    return bytes(out)
