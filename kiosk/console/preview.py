"""Screenshots of a release, rendered from its bundle by `kiosk tour --bundle` in a child
process, and kept with the release (``release_dir/previews/<sha256>/``), so an approver sees
what residents will see before signing (docs/adr/0732).

The child is the same tour a person runs on the command line: it checks the bundle in its
limited child first and renders nothing when the check fails. The console only starts it (once,
guarded by a marker file every console process sees), waits for it on a thread with a time
limit, and moves the finished folder into place; a failure leaves ``failed.txt`` with the last
lines the tour printed. Nothing of the bundle runs in the console process.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

#: Wall-clock limit of one rendering (a bundle of 23 services takes a few minutes).
RENDER_WALL_SECONDS = 900
#: CPU seconds the rendering child may use.
RENDER_CPU_SECONDS = 900
#: A screenshot's file name as the tour writes it (also what the page may ask for).
SHOT_NAME = re.compile(r"^[0-9]{2,3}-[A-Za-z0-9_.-]{1,120}\.png$")
_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file, the kiosk screen, what it shows."""

    file: str
    screen: str
    description: str


@dataclass(frozen=True)
class Preview:
    """Where a release's screenshots stand: ``none``, ``rendering``, ``done`` or ``failed``."""

    state: str
    shots: tuple[Shot, ...] = ()
    detail: str = ""


def _folder(release_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256")
    return Path(release_dir) / "previews" / sha256


def status(release_dir: Path, sha256: str) -> Preview:
    """The preview of the release whose bundle has ``sha256``."""
    folder = _folder(release_dir, sha256)
    index = folder / "index.txt"
    if index.is_file():
        shots = []
        for line in index.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) == 3 and SHOT_NAME.match(parts[0]) and (folder / parts[0]).is_file():
                shots.append(Shot(*parts))
        return Preview("done", tuple(shots))
    failed = folder.with_name(f"{sha256}.failed.txt")
    if failed.is_file():
        return Preview("failed", detail=failed.read_text(encoding="utf-8")[-2000:])
    if folder.with_name(f"{sha256}.rendering").exists():
        return Preview("rendering")
    return Preview("none")


def shot_path(release_dir: Path, sha256: str, name: str) -> Path | None:
    """The PNG ``name`` of a finished preview, or None (never a path outside it)."""
    if not SHOT_NAME.match(name):
        return None
    preview = status(release_dir, sha256)
    if preview.state != "done" or name not in {s.file for s in preview.shots}:
        return None
    return _folder(release_dir, sha256) / name


def start(release_dir: Path, sha256: str) -> bool:
    """Start rendering the preview of the stored bundle ``<sha256>.tar.gz`` unless it is done or
    under way (in any console process); True when this call started it."""
    folder = _folder(release_dir, sha256)
    archive = Path(release_dir) / f"{sha256}.tar.gz"
    folder.parent.mkdir(parents=True, exist_ok=True)
    marker = folder.with_name(f"{sha256}.rendering")
    if status(release_dir, sha256).state != "none" or not archive.is_file():
        return False
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    thread = threading.Thread(target=_render, args=(archive, folder, marker),
                              name="console-preview", daemon=True)
    thread.start()
    return True


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_CPU, (RENDER_CPU_SECONDS, RENDER_CPU_SECONDS))


def _render(archive: Path, folder: Path, marker: Path) -> None:
    work = folder.with_name(f".{folder.name}.work")
    shutil.rmtree(work, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(_ROOT), "SDL_VIDEODRIVER": "offscreen",
           "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1",
           "KIVY_HOME": str(folder.parent / ".kivy-home")}
    env.pop("DISPLAY", None)
    failed = folder.with_name(f"{folder.name}.failed.txt")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "tour", "--bundle", str(archive), "--out", str(work)],
            env=env, cwd=str(_ROOT), capture_output=True, text=True, timeout=RENDER_WALL_SECONDS,
            check=False, preexec_fn=_limits)
        if done.returncode == 0 and (work / "index.txt").is_file():
            os.replace(work, folder)
        else:
            failed.write_text(_tail(done.stderr) or f"the tour ended with code {done.returncode}",
                              encoding="utf-8")
    except subprocess.TimeoutExpired:
        failed.write_text(f"the preview took longer than {RENDER_WALL_SECONDS} s and was stopped",
                          encoding="utf-8")
    except OSError as exc:
        failed.write_text(f"the preview could not be started: {exc.strerror}", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        marker.unlink(missing_ok=True)


def _tail(text: str) -> str:
    """The tour's last lines, without tracebacks' internals (a page shows them)."""
    lines = [line for line in text.splitlines() if line.strip()
             and not line.startswith(("Traceback", "  File ", "    "))]
    return "\n".join(lines[-15:])
