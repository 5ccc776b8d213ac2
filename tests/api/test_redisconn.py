"""The submit path's own Redis connections (service.jobs.redisconn, one per thread): a connection the server
dropped or a Redis restart costs no failed command, a script the server forgot is sent again, an error reply keeps
the connection, and each thread has its own connection (against a private redis-server that the test restarts)."""
from __future__ import annotations

import threading

import pytest
import redis

from tests.api.helpers import PrivateRedis


@pytest.fixture()
def server(tmp_path):
    srv = PrivateRedis(tmp_path)
    srv.start()
    yield srv
    srv.stop()


def test_dropped_connection_restart_script_and_threads(server):
    from service.jobs.redisconn import ThreadConnections

    wire = ThreadConnections(redis.Redis.from_url(server.url, socket_timeout=1))
    admin = redis.Redis.from_url(server.url)
    mine = wire.execute("CLIENT", "ID")
    assert admin.client_kill_filter(_id=mine) == 1  # the server drops this thread's connection
    assert wire.execute("LPUSH", "q", b"a") == 1  # sent again on a fresh connection
    assert wire.execute("CLIENT", "ID") != mine

    server.stop()
    with pytest.raises(redis.ConnectionError):
        wire.execute("LPUSH", "q", b"b")
    server.start()  # empty again: no key, no script cache
    assert wire.execute("LPUSH", "q", b"c") == 1

    source = "return redis.call('incrby', KEYS[1], ARGV[1])"
    import hashlib

    sha = hashlib.sha1(source.encode()).hexdigest()
    assert wire.script(sha, source, ["n"], [2]) == 2  # unknown to the server: EVAL
    assert wire.script(sha, source, ["n"], [3]) == 5  # now cached: EVALSHA
    admin.script_flush()
    assert wire.script(sha, source, ["n"], [1]) == 6

    first = wire.execute("CLIENT", "ID")
    with pytest.raises(redis.ResponseError):
        wire.execute("INCR", "q")  # an error reply (wrong type) ...
    assert wire.execute("CLIENT", "ID") == first  # ... keeps the connection

    ids: list[int] = []
    t = threading.Thread(target=lambda: ids.append(wire.execute("CLIENT", "ID")))
    t.start()
    t.join()
    assert ids and ids[0] != first
