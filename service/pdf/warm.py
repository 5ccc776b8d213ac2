"""A warm LibreOffice per process: unoserver (XML-RPC) over Debian's python3-uno.

The server runs under the system python3 (the one with `uno`), started by the first conversion of a process and
kept for the next ones. It is restarted when it died (crash, kill), after `WENSHU_WARM_MAX_CONVERSIONS` conversions,
when the font set-up changes, and after a conversion that overran its timeout (the whole process group is killed).
The client is plain `xmlrpc.client` with unoserver's `convert` signature (API 3), a socket timeout per call.

Settings (environment): WENSHU_WARM_OFFICE=0 turns it off (cold `soffice --convert-to` per call, see convert.py),
WENSHU_UNO_PYTHON (default /usr/bin/python3), WENSHU_WARM_MAX_CONVERSIONS (default 200).
"""
from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
import zlib
from importlib import metadata
from pathlib import Path

LAUNCHER = Path(__file__).with_name("unoserver_main.py")
# Writer documents only: Debian's LibreOffice 7.4 fails to load .xlsx through UNO here ("Could not load document
# using the default filter"), so workbooks keep the cold `soffice --convert-to` (service.pdf.convert)
WRITER_SUFFIXES = (".docx", ".doc", ".odt", ".rtf")
START_TIMEOUT = 90  # seconds for LibreOffice to accept its first request (a loaded 2-core machine)


class WarmUnavailable(RuntimeError):
    """The warm server cannot run here (no python3-uno, no unoserver): the caller converts cold."""


class WarmTimeout(RuntimeError):
    pass


class WarmFailed(RuntimeError):
    pass


def enabled() -> bool:
    return os.environ.get("WENSHU_WARM_OFFICE", "1") != "0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unoserver_path(base: Path) -> Path:
    """A folder holding only unoserver (package + metadata), for the system python's PYTHONPATH."""
    try:
        dist = metadata.distribution("unoserver")
    except metadata.PackageNotFoundError as exc:
        raise WarmUnavailable("unoserver is not installed") from exc
    folder = base / f"unoserver-{dist.version}"
    if not folder.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix="unoserver-", dir=base))
        pkg = Path(str(dist.locate_file("unoserver")))
        info = next(Path(str(dist.locate_file(f))).parent for f in dist.files or [] if f.name == "METADATA")
        (tmp / "unoserver").symlink_to(pkg)
        (tmp / info.name).symlink_to(info)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _remove_stale_workdirs() -> None:
    """Profiles left by processes that died without cleaning up (killed workers, interrupted test runs)."""
    for path in Path(tempfile.gettempdir()).glob("wenshu-lo-warm-*-*"):
        pid = path.name.split("-")[3]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class WarmOffice:
    """One unoserver + LibreOffice, used by one process; conversions are serialised."""

    def __init__(self, soffice: str, env: dict[str, str], timeout: int, max_conversions: int | None = None,
                 uno_python: str | None = None):
        self.soffice, self.env, self.timeout = soffice, env, timeout
        self.max_conversions = max_conversions or int(os.environ.get("WENSHU_WARM_MAX_CONVERSIONS", "200"))
        self.uno_python = uno_python or os.environ.get("WENSHU_UNO_PYTHON", "/usr/bin/python3")
        _remove_stale_workdirs()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"wenshu-lo-warm-{os.getpid()}-"))
        self.profile = self.workdir / "profile"
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.conversions = 0
        self.starts = 0
        self.lock = threading.Lock()
        self.owner = os.getpid()  # a forked child inherits this object (and its atexit hook) but not the server
        atexit.register(self.close)

    # ------------------------------------------------------------------ server life
    @property
    def pid(self) -> int | None:
        """The unoserver process id (its LibreOffice is `office_pid`)."""
        return self.proc.pid if self.alive() else None

    @property
    def office_pid(self) -> int | None:
        try:
            return int((self.workdir / "soffice.pid").read_text())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _start(self) -> None:
        self.port, uno_port = _free_port(), _free_port()
        (self.profile / ".lock").unlink(missing_ok=True)  # left by a killed LibreOffice
        cmd = [self.uno_python, str(LAUNCHER), "--interface", "127.0.0.1", "--port", str(self.port),
               "--uno-port", str(uno_port), "--executable", shutil.which(self.soffice) or self.soffice,
               "--user-installation", str(self.profile), "--conversion-timeout", str(self.timeout),
               "--libreoffice-pid-file", str(self.workdir / "soffice.pid"), "--quiet"]
        env = dict(self.env, PYTHONPATH=str(_unoserver_path(self.workdir.parent)))
        with open(self.workdir / "unoserver.log", "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)  # its own group: a kill takes LibreOffice too
        self.starts += 1
        self.conversions = 0
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.alive():
                self.stop()
                raise WarmUnavailable(f"unoserver exited at start-up: {self._log_tail()}")
            try:
                info = self._proxy(10).info()
                if info.get("api") != "3":
                    self.stop()
                    raise WarmUnavailable(f"unoserver API {info.get('api')} (expected 3)")
                return
            except (OSError, http.client.HTTPException, xmlrpc.client.Fault):
                time.sleep(0.2)
        self.stop()
        raise WarmUnavailable(f"LibreOffice did not start within {START_TIMEOUT} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return (self.workdir / "unoserver.log").read_text(errors="replace").strip()[-400:]
        except OSError:
            return ""

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", transport=_Transport(timeout),
                                         allow_none=True)

    def stop(self) -> None:
        """Kill the server and its LibreOffice (the whole process group)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(1)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever is left of the group (a hung or stopped LibreOffice ignores SIGTERM)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        office = self.office_pid
        if office:  # LibreOffice outside the group (should not happen): never leave it running
            try:
                os.kill(office, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        (self.workdir / "soffice.pid").unlink(missing_ok=True)

    def close(self) -> None:
        if os.getpid() != self.owner:
            return
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------ conversion
    def convert(self, src: Path, dst: Path, timeout: int | None = None, stable: bool = True) -> Path:
        """src (.docx/.xlsx/...) -> dst PDF; restarts the server when needed, retries once after a crash.
        `stable=False` leaves the embedded fonts' /UniqueID as this process numbered them (a PDF that is only
        measured, never kept); `renumber_type1_ids` makes it the PDF a fresh process writes."""
        timeout = timeout or self.timeout
        with self.lock:
            for attempt in (1, 2):
                if not self.alive() or self.conversions >= self.max_conversions:
                    self.stop()
                    self._start()
                try:
                    self._proxy(timeout + 5).convert(str(src.resolve()), None, str(dst.resolve()), "pdf",
                                                     None, [], False, None, None)
                    self.conversions += 1
                    if stable:
                        renumber_type1_ids(dst)
                    return dst
                except TimeoutError as exc:  # socket timeout: LibreOffice hangs
                    self.stop()
                    raise WarmTimeout(f"LibreOffice 转换超时（{timeout} 秒）") from exc
                except xmlrpc.client.Fault as exc:
                    if "TimeoutError" in exc.faultString:  # unoserver's own timeout: it killed LibreOffice
                        self.stop()
                        raise WarmTimeout(f"LibreOffice 转换超时（{timeout} 秒）") from exc
                    if self.alive():
                        raise WarmFailed(exc.faultString.strip()[-500:]) from exc
                    failure: Exception = exc
                except (OSError, http.client.HTTPException) as exc:  # the server died under the call
                    failure = exc
                self.stop()
                if attempt == 2:
                    raise WarmFailed(f"LibreOffice 进程异常退出：{failure}") from failure
        raise AssertionError("unreachable")


UNIQUE_ID = re.compile(rb"/UniqueID (\d+) def")
FIRST_UNIQUE_ID = 4100001  # what a fresh LibreOffice 7.4 gives its first embedded Type 1 font
EEXEC_KEY, C1, C2 = 55665, 52845, 22719  # Type 1 eexec cipher (Adobe Type 1 Font Format, ch. 7)


def _eexec_renumber(cipher: bytes, new_id: bytes) -> bytes:
    """The eexec section re-encrypted with its /UniqueID set to new_id (one pass: decrypt and encrypt)."""
    r, plain = EEXEC_KEY, bytearray()
    for c in cipher:
        plain.append(c ^ (r >> 8))
        r = ((c + r) * C1 + C2) & 0xFFFF
    plain = UNIQUE_ID.sub(b"/UniqueID " + new_id + b" def", bytes(plain), count=1)
    r, out = EEXEC_KEY, bytearray()
    for p in plain:
        c = p ^ (r >> 8)
        out.append(c)
        r = ((c + r) * C1 + C2) & 0xFFFF
    return bytes(out)


def renumber_type1_ids(pdf_path: Path) -> None:
    """A warm LibreOffice numbers the /UniqueID of the Type 1 fonts it embeds from a process-wide counter, so the
    same document converts to different bytes each time; number them in object order as a fresh process does
    (in the clear part and in the eexec-encrypted part of each font file), compressed as LibreOffice does, so the
    normalised PDF is the same whichever conversion of the process made it."""
    import pikepdf

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        n, changed = 0, False
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream) or "/Length2" not in obj or "/Length1" not in obj:
                continue
            data = obj.read_bytes()
            l1, l2 = int(obj.Length1), int(obj.Length2)
            new_id = str(FIRST_UNIQUE_ID + n).encode()
            n += 1
            m = UNIQUE_ID.search(data[:l1])
            if m is None or m.group(1) == new_id:
                continue
            clear = data[:m.start(1)] + new_id + data[m.end(1):l1]
            fixed = clear + _eexec_renumber(data[l1:l1 + l2], new_id) + data[l1 + l2:]
            z = zlib.compressobj(6, zlib.DEFLATED, 15, 9)  # LibreOffice's own settings
            obj.write(z.compress(fixed) + z.flush(), filter=pikepdf.Name.FlateDecode)
            obj.Length1 = len(clear)
            changed = True
        if changed:
            pdf.save(pdf_path)


_offices: dict[int, WarmOffice] = {}
_offices_lock = threading.Lock()


def office(soffice: str, env: dict[str, str], timeout: int) -> WarmOffice:
    """This process's warm office for (soffice, font set-up); a new one after fork or when the fonts change."""
    with _offices_lock:
        current = _offices.get(os.getpid())
        if current is not None and (current.soffice, current.env.get("FONTCONFIG_FILE")) != (
                soffice, env.get("FONTCONFIG_FILE")):
            current.close()
            current = None
        if current is None:
            current = _offices[os.getpid()] = WarmOffice(soffice, env, timeout)
        current.timeout = timeout
        return current
