"""One Redis connection per thread for the submit path's two commands (the limits script, the publish LPUSH).

redis-py's pool checkout and return cost about 25 µs of CPU per command in redis-py 8 (locks, and a poll() that
checks the connection has no stale data), more than the command itself on a warm connection. A thread that sends
one command at a time and reads its reply needs no pool: it keeps a connection of its own (made with the pool's
settings, so the same URL, socket, database and timeouts), re-made in a forked child, and dropped on any
connection error; a command that fails on a connection error is sent once more on a fresh connection, as
redis-py's default retry does.
"""
from __future__ import annotations

import os
import threading

from redis.exceptions import ConnectionError, NoScriptError, ResponseError, TimeoutError


class ThreadConnections:
    """Per-thread connections with the settings of `client`'s pool."""

    def __init__(self, client):
        pool = client.connection_pool
        self._make = lambda: pool.connection_class(**pool.connection_kwargs)
        self._local = threading.local()

    def _connection(self):
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():
            held = self._local.held = (os.getpid(), self._make())
        return held[1]

    def execute(self, *args):
        """Send one command on this thread's connection and return its reply (redis-py's errors raised)."""
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.send_command(*args)
                return conn.read_response()
            except ResponseError:  # an error reply: the connection is still in step
                raise
            except (ConnectionError, TimeoutError, OSError):
                self._drop(conn)
                if attempt:
                    raise
            except BaseException:  # interrupted mid-reply: the connection cannot be trusted
                self._drop(conn)
                raise
        raise AssertionError("unreachable")

    def _drop(self, conn) -> None:
        conn.disconnect()
        self._local.held = None

    def script(self, sha: str, source: str, keys: list, args: list):
        """EVALSHA, loading the script first when the server does not know it (after a restart or a flush)."""
        try:
            return self.execute("EVALSHA", sha, len(keys), *keys, *args)
        except NoScriptError:
            return self.execute("EVAL", source, len(keys), *keys, *args)

