"""Deterministic zip writing: fixed timestamps and attributes, given order, fixed deflate level."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass

# The earliest time a zip entry can hold; used when no document date is given. SOURCE_DATE_EPOCH (the
# reproducible-builds convention) overrides it for a whole run.
FIXED_TIME = dt.datetime(1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6


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


def write_zip(entries: list[ZipEntry], when: dt.date | dt.datetime | None = None) -> bytes:
    """A zip holding `entries` in the given order. Same entries → same bytes.

    Non-ASCII names get the UTF-8 flag (bit 11) from zipfile itself. Even seconds: the DOS time format
    stores seconds / 2.
    """
    stamp = fixed_datetime(when)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second - stamp.second % 2)
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate zip entry names: {sorted(n for n in set(names) if names.count(n) > 1)}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time)
            info.create_system = 3  # Unix, so the mode bits below are honoured
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED if entry.compress else zipfile.ZIP_STORED
            zf.writestr(info, entry.data, compresslevel=COMPRESS_LEVEL if entry.compress else None)
    return buf.getvalue()
