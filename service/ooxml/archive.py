"""Deterministic zip writing: fixed timestamps and attributes, given order, fixed deflate level."""
from __future__ import annotations

import datetime as dt
import os
import struct
import zlib
from dataclasses import dataclass

# The earliest time a zip entry can hold; used when no document date is given. SOURCE_DATE_EPOCH (the
# reproducible-builds convention) overrides it for a whole run.
FIXED_TIME = dt.datetime(1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6
UTF8_FLAG = 0x0800
MADE_BY_UNIX = 3 << 8 | 20
MODE_644 = 0o644 << 16


def fixed_datetime(when: dt.date | dt.datetime | None = None) -> dt.datetime:
    """The timestamp written into every file: the document's own date (midnight), else SOURCE_DATE_EPOCH,
    else 1980-01-01. Naive, second precision, clamped to what a zip entry can hold."""
    if when is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
        else:
            when = FIXED_TIME
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    when = when.replace(tzinfo=None, microsecond=0)
    return min(max(when, FIXED_TIME), dt.datetime(2107, 12, 31, 23, 59, 58))


@dataclass(frozen=True)
class ZipEntry:
    name: str
    data: bytes
    compress: bool = True  # False for already-compressed members (PNG, nested zips)


@dataclass(frozen=True)
class Member:
    """A zip member ready to be written: its payload already deflated (or stored). Templates deflate their
    unchanged parts once per process and copy these into every document they render."""

    name: str
    crc: int
    size: int
    payload: bytes
    method: int  # 8 deflated, 0 stored


def deflate(name: str, data: bytes, level: int = COMPRESS_LEVEL) -> Member:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Member(name, zlib.crc32(data) & 0xFFFFFFFF, len(data), comp.compress(data) + comp.flush(), 8)


def store(name: str, data: bytes) -> Member:
    return Member(name, zlib.crc32(data) & 0xFFFFFFFF, len(data), data, 0)


def _dos_stamp(when: dt.date | dt.datetime | None) -> tuple[int, int]:
    s = fixed_datetime(when)
    return (s.hour << 11 | s.minute << 5 | s.second // 2), ((s.year - 1980) << 9 | s.month << 5 | s.day)


def pack_members(members: list[Member], when: dt.date | dt.datetime | None = None) -> bytes:
    """A zip of `members` in the given order. Same members → same bytes: fixed timestamp, Unix mode 0644,
    UTF-8 name flag (bit 11) on every entry."""
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate zip entry names: {sorted(n for n in set(names) if names.count(n) > 1)}")
    time, date = _dos_stamp(when)
    out, central = bytearray(), bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, UTF8_FLAG, m.method, time, date,
                           m.crc, len(m.payload), m.size, len(name), 0) + name + m.payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, MADE_BY_UNIX, 20, UTF8_FLAG, m.method, time, date,
                               m.crc, len(m.payload), m.size, len(name), 0, 0, 0, 0, MODE_644, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def write_zip(entries: list[ZipEntry], when: dt.date | dt.datetime | None = None) -> bytes:
    """A zip holding `entries` in the given order. Same entries → same bytes."""
    return pack_members([deflate(e.name, e.data) if e.compress else store(e.name, e.data) for e in entries], when)
