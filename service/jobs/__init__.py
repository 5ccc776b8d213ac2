"""The job pipeline's state: jobs and items, the permanent document register, API tokens, the audit log.

Job state lives here (SQLite in the instance folder or PostgreSQL), never in Celery's result backend,
which only keeps chord bookkeeping. `service.jobs.kinds` looks a job's kind up by name (the document kinds are listed in service.kinds).
"""
