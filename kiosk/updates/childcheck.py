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

`kiosk flows lint|smoke` runs its folders through the same child (:func:`isolated_flows`, ADR
0793): a hostile folder on a technician's or admin's machine is stopped by the same limits.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Sequence
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
#: Most problems the command line's lint reports back (it lists every file:line).
MAX_LINT_PROBLEMS = 1000
_MEMORY_EXIT = 3
_CRASH_EXIT = 4
#: The child's first argument when it runs `kiosk flows lint|smoke` rather than a bundle check.
FLOWS_JOB = "--flows"


@dataclass(frozen=True)
class CheckLimits:
    """Limits of one isolated check."""

    cpu_seconds: int = CHECK_CPU_SECONDS
    memory_bytes: int = CHECK_MEMORY_BYTES
    wall_seconds: float = CHECK_WALL_SECONDS


@dataclass(frozen=True)
class FlowsOutcome:
    """What `kiosk flows lint|smoke` found in the child: problems, services seen, and whether
    the child finished (False: a limit stopped it or it crashed; ``problems`` says why)."""

    problems: list[str]
    services: int
    finished: bool


def isolated_check(path: Path, limits: CheckLimits | None = None) -> list[str]:
    """Run the bundle checks on ``path`` in a limited child; problems (empty = good)."""
    limits = limits or CheckLimits()
    returncode, output = _run_child([str(path)], limits)
    if returncode is None:
        return [output.decode()]
    failed = _failure(returncode, limits, "the bundle check")
    if failed:
        return [failed]
    problems = _last_json(output)
    if isinstance(problems, list):
        return [str(p) for p in problems]
    return [f"the bundle check crashed (exit status {returncode})"]


def isolated_flows(roots: Sequence[Path], action: str = "lint", smoke: bool = True,
                   limits: CheckLimits | None = None) -> FlowsOutcome:
    """`kiosk flows lint|smoke` over ``roots`` (flows.lintrun) in a limited child."""
    limits = limits or CheckLimits()
    what = f"kiosk flows {action}"
    returncode, output = _run_child(
        [FLOWS_JOB, action, "1" if smoke else "0", *(str(r) for r in roots)],
        limits, what, cwd=Path.cwd())
    if returncode is None:
        return FlowsOutcome([output.decode()], 0, False)
    failed = _failure(returncode, limits, what)
    if failed:
        return FlowsOutcome([failed], 0, False)
    body = _last_json(output)
    if (isinstance(body, dict) and isinstance(body.get("problems"), list)
            and isinstance(body.get("services"), int)):
        return FlowsOutcome([str(p) for p in body["problems"]], body["services"], True)
    return FlowsOutcome([f"{what} crashed (exit status {returncode})"], 0, False)


def _run_child(args: list[str], limits: CheckLimits, what: str = "the bundle check",
               cwd: Path | None = None) -> tuple[int | None, bytes]:
    """(exit status, output) of the limited child, run in ``cwd`` (default: the repository);
    (None, message) when it did not end."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    # -P: the child's working folder (maybe the hostile folder itself) is not on sys.path
    command = [sys.executable, "-P", "-m", "kiosk.updates.childcheck",
               str(limits.cpu_seconds), str(limits.memory_bytes), *args]
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, env=env, cwd=cwd or root,
                                 start_new_session=True)
    except OSError as exc:
        return None, f"{what} could not start ({exc.__class__.__name__})".encode()
    try:
        output, _ = child.communicate(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return None, f"{what} did not finish within {limits.wall_seconds:g} s".encode()
    return child.returncode, output[:MAX_OUTPUT_BYTES]


def _failure(returncode: int, limits: CheckLimits, what: str) -> str:
    """The plain reason a child did not finish its work ("" when it did)."""
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"{what} used more than {limits.cpu_seconds} s of CPU time"
    if returncode == _MEMORY_EXIT:
        return f"{what} needed more than {limits.memory_bytes // (1024 * 1024)} MB of memory"
    if returncode < 0:
        return f"{what} was stopped by signal {-returncode}"
    if returncode != 0:
        return f"{what} crashed (exit status {returncode})"
    return ""


def _last_json(output: bytes) -> object:
    try:
        return json.loads(output.decode("utf-8").strip().splitlines()[-1])
    except (UnicodeDecodeError, ValueError, IndexError):
        return None


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Set the child's own limits (soft CPU limit sends SIGXCPU, the hard one a second later
    SIGKILL; over the address-space limit an allocation fails with MemoryError)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    """Child entry: ``CPU_SECONDS MEMORY_BYTES FOLDER`` (the bundle check; prints the problems
    as JSON) or ``CPU_SECONDS MEMORY_BYTES --flows ACTION SMOKE ROOT...`` (`kiosk flows
    lint|smoke`; prints ``{"problems": [...], "services": N}``)."""
    cpu_seconds, memory_bytes, args = int(argv[0]), int(argv[1]), argv[2:]
    _limit(cpu_seconds, memory_bytes)
    try:
        if args[0] == FLOWS_JOB:
            from flows.lintrun import lint_and_smoke

            problems, services = lint_and_smoke([Path(a) for a in args[3:]], args[1],
                                                smoke=args[2] == "1")
            body: object = {"problems": problems[:MAX_LINT_PROBLEMS], "services": services}
        else:
            from kiosk.updates.checks import run_checks

            body = run_checks(Path(args[0]))[:MAX_PROBLEMS]
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except MemoryError:
        os._exit(_MEMORY_EXIT)  # nothing more can be allocated safely: leave at once
    except Exception:  # reported as "crashed" by the parent, no traceback anywhere
        return _CRASH_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
