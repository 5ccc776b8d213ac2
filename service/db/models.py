"""Every mapped table of wenshu on one metadata: Alembic's env.py and the schema test import this module."""
from __future__ import annotations

import service.access.models  # noqa: F401 - registers the token and audit tables on Base.metadata
import service.jobs.models  # noqa: F401 - registers the job tables on Base.metadata
import service.records.store.models  # noqa: F401 - registers the records tables on Base.metadata
import service.yearend.archive_cache  # noqa: F401 - registers the year-end PDF cache on Base.metadata
from service.db import Base

metadata = Base.metadata
