"""Reading the pages' forms into the plain data the services validate, and placing errors beside fields.

Nothing here validates: the pydantic models of the services do (the API's models), and their Chinese errors
(service.models.errors via service.api.problems.translate) come back keyed by field path.
"""
from __future__ import annotations

import datetime as dt
import re

from werkzeug.datastructures import MultiDict

BLOCK_TYPES = {"paragraph": "段落", "heading": "标题", "lead_in": "引导语"}
_BLOCK_KEY = re.compile(r"^blocks\.(\d+)\.type$")


def lines(text: str | None) -> list[str]:
    """A textarea with one entry per line (empty lines dropped)."""
    return [s.strip() for s in (text or "").splitlines() if s.strip()]


def blocks(form: MultiDict) -> list[dict]:
    """Body blocks in form order (the page's script numbers them in their on-screen order); empty ones dropped."""
    out = []
    for i in sorted(int(m.group(1)) for k in form if (m := _BLOCK_KEY.match(k))):
        kind, text = form.get(f"blocks.{i}.type", ""), form.get(f"blocks.{i}.text", "").strip()
        if not text:
            continue
        block = {"type": kind, "text": text}
        if kind == "heading":
            block["level"] = form.get(f"blocks.{i}.level", "1")
        out.append(block)
    return out


def notice_data(form: MultiDict) -> dict:
    data = {
        "masthead": {"organs": lines(form.get("masthead.organs")), "suffix": form.get("masthead.suffix", "")},
        "number": {"agency_code": form.get("number.agency_code", "").strip(), "year": form.get("number.year", ""),
                   "serial": form.get("number.serial", "")},
        "title": form.get("title", "").strip(),
        "recipients": lines(form.get("recipients")),
        "blocks": blocks(form),
        "signature": {"organs": lines(form.get("signature.organs")), "date": form.get("signature.date", ""),
                      "sealed": form.get("signature.sealed") == "on"},
        "imprint": {"cc": lines(form.get("imprint.cc")), "printer": form.get("imprint.printer", "").strip(),
                    "print_date": form.get("imprint.print_date", "")},
    }
    if form.get("note", "").strip():
        data["note"] = form.get("note", "").strip()
    return data


def notice_defaults(township: str, today: dt.date | None = None) -> MultiDict:
    today = today or dt.date.today()
    organ = township or ""
    return MultiDict({"masthead.organs": organ, "signature.organs": organ, "number.year": str(today.year),
                      "signature.date": today.isoformat(), "imprint.print_date": today.isoformat(),
                      "signature.sealed": "on", "blocks.0.type": "paragraph", "blocks.0.text": ""})


def form_blocks(form: MultiDict) -> list[dict]:
    """The blocks to show again in the form (all of them, empty ones too), in their order."""
    keys = sorted(int(m.group(1)) for k in form if (m := _BLOCK_KEY.match(k)))
    return [{"type": form.get(f"blocks.{i}.type", "paragraph"), "level": form.get(f"blocks.{i}.level", "1"),
             "text": form.get(f"blocks.{i}.text", "")} for i in keys] or [{"type": "paragraph", "level": "1", "text": ""}]


def block_errors_to_form(errors: list[dict], form: MultiDict) -> list[dict]:
    """Blocks are validated without the empty ones: point each block error at the block's place in the form."""
    keys = sorted(int(m.group(1)) for k in form if (m := _BLOCK_KEY.match(k)))
    shown = [pos for pos, i in enumerate(keys) if form.get(f"blocks.{i}.text", "").strip()]
    for e in errors:
        m = re.match(r"^blocks\.(\d+)(.*)$", e["field"])
        if m and int(m.group(1)) < len(shown):
            e["field"] = f"blocks.{shown[int(m.group(1))]}{m.group(2)}"
    return errors


class FieldErrors:
    """Errors by field path for the templates: `errors.at('number.year')` gives the messages of that field and
    of everything under it (list entries, sub-fields); `errors.general` those that name no field of the form."""

    def __init__(self, errors: list[dict] | None = None, fields: tuple[str, ...] = ()):
        self.all = errors or []
        self.fields = fields

    def __bool__(self) -> bool:
        return bool(self.all)

    def at(self, path: str) -> list[str]:
        return [e["message"] for e in self.all if e["field"] == path or e["field"].startswith(path + ".")]

    def only(self, path: str) -> list[str]:
        return [e["message"] for e in self.all if e["field"] == path]

    @property
    def general(self) -> list[dict]:
        return [e for e in self.all
                if not any(e["field"] == f or e["field"].startswith(f + ".") for f in self.fields)]
