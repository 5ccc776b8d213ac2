"""The 发文字号, one formatter for every document and register: `涪百府发〔2020〕75号` — 机关代字, the year in
六角括号 〔〕, the serial unpadded, no 第 (GB/T 9704-2012 7.2.4)."""
from __future__ import annotations


def doc_number_prefix(agency_code: str, year: int) -> str:
    """The part before the serial: `涪百府发〔2020〕`."""
    return f"{agency_code}〔{year}〕"


def doc_number(agency_code: str, year: int, serial: int) -> str:
    """`涪百府发〔2020〕75号`."""
    return f"{doc_number_prefix(agency_code, year)}{serial}号"
