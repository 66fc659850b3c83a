"""The bundle check in a child process under CPU-time and memory limits.

A signed bundle is still hostile until checked (a compromised build machine signs whatever it
is given), and the check parses its YAML, compiles its expressions and runs every service
headless. Inside the kiosk process a bundle that makes that work explode would take the kiosk
with it; so :func:`isolated_check` starts ``python -m kiosk.updates.childcheck FOLDER``, the child
sets its own limits with ``resource.setrlimit`` before it imports any check (CPU seconds:
``RLIMIT_CPU``; address space: ``RLIMIT_AS``), runs :func:`kiosk.updates.checks.run_checks`, and
prints the problems as one JSON line. The parent also keeps a wall-clock deadline (a child that
sleeps uses no CPU) and reads at most `MAX_OUTPUT_BYTES`.

Whatever goes wrong becomes a plain problem line, so the updater refuses the bundle (rolls back to
the previous one) with a reason a technician can read: "the bundle check used more than 30 s of
CPU time", "... more than 512 MB of memory", "... did not finish within 60 s". See
docs/adr/0423-bundle-check-in-a-limited-child.md.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: CPU time the child may use. The 23-service catalogue checks in about 0.3 s.
CHECK_CPU_SECONDS = 10
#: Address space of the child (Python itself takes ~40 MB of it).
CHECK_MEMORY_BYTES = 512 * 1024 * 1024
#: Wall-clock limit: the CPU limit plus room for a loaded machine.
CHECK_WALL_SECONDS = 30.0
#: Most problems reported back (the first ones say enough).
MAX_PROBLEMS = 50
#: Most bytes read from the child's output.
MAX_OUTPUT_BYTES = 256 * 1024
_MEMORY_EXIT = 3
_CRASH_EXIT = 4


@dataclass(frozen=True)
class CheckLimits:
    """Limits of one isolated check."""

    cpu_seconds: int = CHECK_CPU_SECONDS
    memory_bytes: int = CHECK_MEMORY_BYTES
    wall_seconds: float = CHECK_WALL_SECONDS


def isolated_check(path: Path, limits: CheckLimits | None = None) -> list[str]:
    """Run the bundle checks on ``path`` in a limited child; problems (empty = good)."""
    limits = limits or CheckLimits()
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "kiosk.updates.childcheck", str(path),
               str(limits.cpu_seconds), str(limits.memory_bytes)]
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, env=env, cwd=root,
                                 start_new_session=True)
    except OSError as exc:
        return [f"the bundle check could not start ({exc.__class__.__name__})"]
    try:
        output, _ = child.communicate(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return [f"the bundle check did not finish within {limits.wall_seconds:g} s"]
    return _problems(child.returncode, output[:MAX_OUTPUT_BYTES], limits)


def _problems(returncode: int, output: bytes, limits: CheckLimits) -> list[str]:
    cpu = f"the bundle check used more than {limits.cpu_seconds} s of CPU time"
    memory = (f"the bundle check needed more than {limits.memory_bytes // (1024 * 1024)} MB "
              "of memory")
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return [cpu]
    if returncode == _MEMORY_EXIT:
        return [memory]
    try:
        problems = json.loads(output.decode("utf-8").strip().splitlines()[-1])
    except (UnicodeDecodeError, ValueError, IndexError):
        problems = None
    if returncode == 0 and isinstance(problems, list):
        return [str(p) for p in problems]
    if returncode < 0:
        return [f"the bundle check was stopped by signal {-returncode}"]
    return [f"the bundle check crashed (exit status {returncode})"]


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Set the child's own limits (soft CPU limit sends SIGXCPU, the hard one a second later
    SIGKILL; over the address-space limit an allocation fails with MemoryError)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    """Child entry: ``FOLDER CPU_SECONDS MEMORY_BYTES``; prints the problems as JSON."""
    folder, cpu_seconds, memory_bytes = Path(argv[0]), int(argv[1]), int(argv[2])
    _limit(cpu_seconds, memory_bytes)
    try:
        from kiosk.updates.checks import run_checks

        problems = run_checks(folder)[:MAX_PROBLEMS]
        sys.stdout.write(json.dumps(problems, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except MemoryError:
        os._exit(_MEMORY_EXIT)  # nothing more can be allocated safely: leave at once
    except Exception:  # reported as "crashed" by the parent, no traceback anywhere
        return _CRASH_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
