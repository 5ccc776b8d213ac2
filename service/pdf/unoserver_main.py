"""Start unoserver under the system python3 that has Debian's python3-uno (run by path, not imported by wenshu).

unoserver's own start-up sleeps a fixed 5 + 2 seconds before it polls LibreOffice; here its polls are capped at
0.5 s, so the server is ready as soon as LibreOffice accepts (its retry count still bounds the wait). Everything
else is unoserver's `main()` with the arguments given.
"""
import sys
import time
import types

from unoserver import server

server.time = types.SimpleNamespace(sleep=lambda s: time.sleep(min(s, 0.5)), time=time.time)

if __name__ == "__main__":
    sys.exit(server.main())
