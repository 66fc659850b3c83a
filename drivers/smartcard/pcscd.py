"""Run a private pcscd with vpcd virtual readers, for tests and the demo.

pcscd hard-codes its socket directory /run/pcscd and refuses to start when another pcscd owns it.
As root we start it with `unshare -m` in a private mount namespace where a temporary directory is
bind-mounted on /run/pcscd: the socket lands in that directory, other pcscds (a system one,
another test run) are untouched, and clients reach ours by setting ``PCSCLITE_CSOCK_NAME`` (the
client library reads it once per process). Without the privilege to unshare, we fall back to the
real /run/pcscd, serialised by a lock file, and refuse when a foreign pcscd is already there.

Each vpcd reader config gives two slots: "<name> 00 00" on TCP port P and "<name> 00 01" on P+1
(libifdvpcd has two slots). Debian's pcscd ignores SIGUSR1 (``pcscd --hotplug``) for serial
readers, so "unplugging" a reader means restarting pcscd without its config file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

VPCD_LIBRARY = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_RUN_DIR = Path("/run/pcscd")
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
SHARED_LOCK_PATH = Path("/run/lock/kiosk-pcscd.lock")


@dataclass(frozen=True, slots=True)
class VirtualReader:
    """A vpcd reader config: two pcscd readers, slot 0 on ``port`` and slot 1 on ``port + 1``."""

    friendly_name: str
    port: int

    def slot_name(self, slot: int = 0) -> str:
        """The reader name pcscd reports for a slot (for one reader of this driver)."""
        return f"{self.friendly_name} 00 {slot:02d}"

    def config_text(self) -> str:
        """The reader.conf.d file contents."""
        return (f'FRIENDLYNAME "{self.friendly_name}"\n'
                f"DEVICENAME /dev/null:0x{self.port:04X}\n"
                f"LIBPATH {VPCD_LIBRARY}\n"
                f"CHANNELID 0x{self.port:04X}\n")


def free_port_pair() -> int:
    """A loopback TCP port P with P + 1 also free (vpcd's two slots)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair")


def can_isolate() -> bool:
    """True when this process may create a private mount namespace (root or CAP_SYS_ADMIN)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return probe.returncode == 0


class Pcscd:
    """One pcscd process with its own reader configuration directory."""

    def __init__(self, workdir: Path, readers: list[VirtualReader],
                 pcscd_path: str = "pcscd", isolate: bool | None = None,
                 extra_args: tuple[str, ...] = ()) -> None:
        self.workdir = Path(workdir)
        self.readers = list(readers)
        self.pcscd_path = pcscd_path
        self.isolate = can_isolate() if isolate is None else isolate
        self.extra_args = extra_args
        self.config_dir = self.workdir / "reader.conf.d"
        self.run_dir = self.workdir / "run" if self.isolate else SYSTEM_RUN_DIR
        self.log_path = self.workdir / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_file: int | None = None
        self.failure = ""

    @property
    def socket_path(self) -> Path:
        """The pcscd socket; clients need ``PCSCLITE_CSOCK_NAME`` set to it."""
        return self.run_dir / "pcscd.comm"

    def client_environment(self) -> dict[str, str]:
        """Environment a client process needs to reach this pcscd."""
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def use_in_this_process(self) -> None:
        """Point this process's PC/SC client library here (before its first PC/SC call)."""
        os.environ.update(self.client_environment())

    @property
    def running(self) -> bool:
        """True while the daemon process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The daemon's process id while it runs."""
        return self._process.pid if self.running and self._process else None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> bool:
        """Write the reader configs, start pcscd, wait until its socket and readers are up."""
        if self.running:
            return True
        self.failure = ""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_dir.mkdir(exist_ok=True)
        for old in self.config_dir.iterdir():
            old.unlink()
        for reader in self.readers:
            self._write_config(reader)
        if not self.isolate and not self._claim_shared_run_dir():
            return False
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        command = [self.pcscd_path, "-f", "-c", str(self.config_dir), *self.extra_args]
        if self.isolate:
            script = (f"mkdir -p {SYSTEM_RUN_DIR} && mount --bind {self.run_dir} {SYSTEM_RUN_DIR}"
                      f' && exec "$@"')
            command = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                       *command]
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        if self._wait_ready(timeout_s):
            return True
        self.stop()
        self.failure = self.failure or "pcscd did not become ready"
        return False

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop the daemon (SIGTERM, then SIGKILL); safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout_s)
        self._release_shared_run_dir()

    def restart(self, timeout_s: float = START_TIMEOUT_S) -> bool:
        """Stop and start again with the same configuration."""
        self.stop()
        return self.start(timeout_s)

    def unplug(self, reader: VirtualReader) -> bool:
        """Take a reader away: drop its config file and restart pcscd without it.

        Debian's pcscd (libudev hotplug) ignores SIGUSR1 / ``pcscd --hotplug`` for serial
        readers, so a running pcscd cannot lose a vpcd reader; a restart is the closest real
        event (clients see the service go and come back with the reader missing).
        """
        self.readers = [r for r in self.readers if r != reader]
        return self.restart()

    def plug(self, reader: VirtualReader) -> bool:
        """Add a reader back (or a new one): write its config and restart pcscd."""
        if reader not in self.readers:
            self.readers.append(reader)
        return self.restart()

    def _config_path(self, reader: VirtualReader) -> Path:
        return self.config_dir / f"vpcd-{reader.port}"

    def _write_config(self, reader: VirtualReader) -> None:
        self._config_path(reader).write_text(reader.config_text(), encoding="ascii")

    def _wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        ports = {r.port for r in self.readers}
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                self.failure = f"pcscd exited; see {self.log_path}"
                return False
            if self._socket_answers() and ports <= _listening_ports():
                return True
            time.sleep(0.05)
        return False

    def _socket_answers(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(self.socket_path))
            except OSError:
                return False
        return True

    def _claim_shared_run_dir(self) -> bool:
        SHARED_LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(SHARED_LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            self.failure = "another test run holds the shared /run/pcscd"
            return False
        if self._socket_answers():
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            self.failure = "a system pcscd is already running on /run/pcscd"
            return False
        self._lock_file = fd
        return True

    def _release_shared_run_dir(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            os.close(self._lock_file)
            self._lock_file = None


def _listening_ports() -> set[int]:
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 3 and parts[3] == "0A":  # LISTEN
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports
