"""Start unoserver under the system python3 that has Debian's python3-uno (run by path, not imported by wenshu).

unoserver's own start-up sleeps a fixed 5 + 2 seconds before it polls LibreOffice; here its polls are capped at
0.5 s, so the server is ready as soon as LibreOffice accepts (its retry count still bounds the wait). Everything
else is unoserver's `main()` with the arguments given.

The server leads its own process group (with its LibreOffice). When the process that started it dies without
stopping it (a Celery pool child killed at its hard time limit, say), a watchdog kills the group: no orphaned
LibreOffice is ever left running.
"""
import os
import signal
import sys
import threading
import time
import types

from unoserver import server

server.time = types.SimpleNamespace(sleep=lambda s: time.sleep(min(s, 0.5)), time=time.time)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os.killpg(os.getpgid(0), signal.SIGKILL)


if __name__ == "__main__":
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    sys.exit(server.main())
