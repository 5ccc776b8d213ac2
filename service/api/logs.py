"""The access-log redaction of the API (issue 8.4), kept in service.accesslog so that gunicorn's master process,
which loads the logger class, does not import the API package (Flask, SQLAlchemy, the models)."""
from service.accesslog import REDACTED, RedactFilter, redact

__all__ = ["REDACTED", "RedactFilter", "redact"]
