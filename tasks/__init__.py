"""Celery tasks of the job pipeline. `tasks.celery_app.app` is the Celery application (broker: REDIS_URL or the
embedded redis-server); `tasks.jobs` holds the tasks; `tasks.dispatch` sends jobs and sweeps unfinished ones."""
