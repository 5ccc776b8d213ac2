"""One engine and session factory per process (re-created after fork), with the schema brought to every head."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.db import make_engine, make_sessionmaker, upgrade

_lock = threading.Lock()
_state: dict = {}


def engine() -> Engine:
    with _lock:
        if _state.get("pid") != os.getpid():
            if _state.get("engine") is not None and _state.get("pid") is not None:
                _state["engine"].dispose(close=False)
            eng = make_engine()
            _state.update(pid=os.getpid(), engine=eng, sessionmaker=make_sessionmaker(eng))
        return _state["engine"]


def reset() -> None:
    """Forget the engine (tests switch DATABASE_URL between sessions)."""
    with _lock:
        if _state.get("engine") is not None:
            _state["engine"].dispose()
        _state.clear()


@contextmanager
def session() -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any exception."""
    engine()
    with _state["sessionmaker"]() as s, s.begin():
        yield s


def migrate() -> None:
    upgrade(engine())
