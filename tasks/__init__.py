"""Celery tasks of the job pipeline. `tasks.celery_app.app` is the Celery application (broker: REDIS_URL or the
embedded redis-server); `tasks.jobs` holds the tasks. Sending jobs and the sweep are the service's
(service.jobs.publish, service.jobs.dispatch): service/ never imports tasks/."""
