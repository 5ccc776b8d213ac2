"""Chinese dates, one formatter for every document: `2020年6月3日` (GB/T 9704-2012 7.3.5.4: Arabic numerals, the
year in full, month and day unpadded), or the blank a form leaves to be filled in by hand."""
from __future__ import annotations

import datetime as dt

BLANK_DATE = "　　　　年　　月　　日"


def cn_date(day: dt.date | None) -> str:
    """`2020年6月3日`; BLANK_DATE when there is no date yet."""
    if day is None:
        return BLANK_DATE
    return f"{day.year}年{day.month}月{day.day}日"
