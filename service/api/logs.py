"""Access logs never record a secret a client put in a URL (issue 8.4): the value of any query parameter whose
name contains `token` or `key` (and any `Bearer …`) is replaced by `[REDACTED]`, in gunicorn's access log
(`RedactingLogger`, set by `wenshu run`/`serve`) and in the werkzeug development server's log (`RedactFilter`)."""
from __future__ import annotations

import logging
import re

REDACTED = "[REDACTED]"
_SECRET_PARAM = re.compile(r"(?i)((?:^|[?&;])[^=&;\s\"]*(?:token|key)[^=&;\s\"]*=)[^&;\s\"]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"]+")


def redact(text: str) -> str:
    return _BEARER.sub(r"\1" + REDACTED, _SECRET_PARAM.sub(r"\1" + REDACTED, text))


class RedactFilter(logging.Filter):
    """A logging filter that redacts the formatted message (werkzeug logs the request line as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


try:
    from gunicorn.glogging import Logger
except ImportError:  # no gunicorn where it cannot run (Windows): waitress writes no access log
    Logger = None

if Logger is not None:
    class RedactingLogger(Logger):
        """gunicorn's logger with the request line, query string and referrer of every access record redacted."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for name in ("r", "q", "f", "U"):
                if isinstance(atoms.get(name), str):
                    atoms[name] = redact(atoms[name])
            return atoms
