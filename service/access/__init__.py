"""Who may do what, and what was done: API tokens and their roles (`tokens.py`: create, look up, revoke, rotate;
the Principal a request acts as) and the audit log (`audit.py`), with their tables (`models.py`). Used by the API,
the web pages, the job store and the commands; it knows nothing of jobs."""
