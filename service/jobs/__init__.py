"""The job pipeline: jobs and items, the outbox, the permanent document register; submitting (store), publishing
(publish), planning and rendering (pipeline), dispatch and sweeps (dispatch), the result storage (storage). Tokens
and the audit log are service.access; the engine and session factory service.db.session.

Job state lives here (SQLite in the instance folder or PostgreSQL), never in Celery's result backend,
which only keeps chord bookkeeping. `service.jobs.kinds` looks a job's kind up by name (the document kinds are listed in service.kinds).
"""
